import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/constants';
import type { NodeVM } from '../../src/core/treeModel';
import { activateExtension, waitFor } from './helpers';

async function children(provider: vscode.TreeDataProvider<NodeVM>, node?: NodeVM): Promise<NodeVM[]> {
  return ((await provider.getChildren(node)) ?? []) as NodeVM[];
}

// Listing devices needs the user's consent to the account, which VS Code cannot ask for in extension-test mode
// (it refuses dialogs); test/e2e/fleet.test.ts signs in by clicking and checks the list.
describe('tenant devices (integration)', () => {
  it('offers sign-in, without prompting, while this extension has no access to an account', async () => {
    const api = await activateExtension();
    const group = await waitFor(async () => (await children(api.devices.provider)).find((r) => r.id === 'devices/tenant'), 'Tenant devices group');
    assert.strictEqual(group.label, 'Tenant devices');
    const rows = await children(api.devices.provider, group);
    assert.deepStrictEqual(rows.map((r) => r.label), ["Sign in to list your tenant's devices"]);
    assert.strictEqual(rows[0].command?.command, CommandIds.signIn);
  });

  it('refuses device commands outside a device row, silently', async () => {
    await activateExtension();
    assert.strictEqual(await vscode.commands.executeCommand(CommandIds.deviceCopyId), undefined);
  });
});
