import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/constants';
import { activateExtension, workspaceFile, stubber } from './helpers';

/**
 * Cancelling sign-in is silent (issue #10, item 11): the provider's "User did not consent to login." ends the run
 * like any cancellation: no message, no results panel. The test shares the extension's `vscode` API object, so it
 * stands in for the provider and the UI there, and puts them back.
 */
describe('hunting: sign-in cancelled (integration)', () => {
  const { stub, restoreAll } = stubber();
  afterEach(restoreAll);

  it('shows no message and opens no results panel', async () => {
    await activateExtension();
    const seen: string[] = [];
    stub(vscode.authentication, 'getSession', (async (_provider: string, _scopes: readonly string[], options?: vscode.AuthenticationGetSessionOptions) => {
      if (options?.silent) return undefined;
      seen.push('sign-in asked');
      throw new Error('User did not consent to login.');
    }) as unknown as typeof vscode.authentication.getSession);
    for (const kind of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage'] as const) {
      stub(vscode.window, kind, (async (message: string) => {
        // The session notifier runs on its own timer (This device's session may become active meanwhile): not ours.
        if (/^Troubleshooting mode (is active|ends|has ended|was requested)/.test(message)) return undefined;
        seen.push(`${kind}: ${message}`);
        return undefined;
      }) as never);
    }
    stub(vscode.window, 'createWebviewPanel', ((viewType: string) => {
      seen.push(`panel: ${viewType}`);
      throw new Error('no panel expected');
    }) as typeof vscode.window.createWebviewPanel);
    const result = await vscode.commands.executeCommand(CommandIds.huntingRun, workspaceFile('sample.kql'), 1, { timespan: 'P1D' });
    assert.strictEqual(result, undefined);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepStrictEqual(seen, ['sign-in asked']);
  });
});
