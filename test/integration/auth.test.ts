import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { huntingScopeForSetting } from '../../src/api/endpoints';
import { activateExtension } from './helpers';

describe('sign-in scopes (integration)', () => {
  it('signs in for the hunting permission of the configured Graph endpoint', async () => {
    const api = await activateExtension();
    const configured = vscode.workspace.getConfiguration('defenderTroubleshooting').get<string>('graph.endpoint');
    assert.strictEqual(api.auth.scopes()[0], huntingScopeForSetting(configured));
  });
});
