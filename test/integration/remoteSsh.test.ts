import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/constants';
import type { NodeVM } from '../../src/core/treeModel';
import { activateExtension, stubber } from './helpers';

const REMOTE_SSH = 'ms-vscode-remote.remote-ssh';

/**
 * "Connect with Remote-SSH" on a tenant device row (issue #10, item 9). The tests run inside this extension, so
 * they share its `vscode` API object: they stand in for the dialogs and for the Remote - SSH extension there and
 * put everything back afterwards.
 */
describe('Connect with Remote-SSH (integration)', () => {
  const row = (label: string): NodeVM => ({ id: 'device/tenant/0123456789abcdef', label, contextValue: 'tenantDevice windows' });
  const { stub, restoreAll } = stubber();
  afterEach(restoreAll);

  it('without the Remote - SSH extension says so and offers to show it', async () => {
    await activateExtension();
    assert.strictEqual(vscode.extensions.getExtension(REMOTE_SSH), undefined, 'precondition: Remote - SSH is not installed here');
    const warnings: { message: string; items: unknown[] }[] = [];
    stub(vscode.window, 'showWarningMessage', (async (message: string, ...items: unknown[]) => {
      warnings.push({ message, items });
      return undefined;
    }) as typeof vscode.window.showWarningMessage);
    const result = await vscode.commands.executeCommand(CommandIds.deviceConnectSsh, row('ws1.contoso.com'));
    assert.strictEqual(result, undefined);
    assert.deepStrictEqual(warnings, [{ message: 'Connecting to a device needs the Remote - SSH extension.', items: ['Show Remote - SSH'] }]);
  });

  it('opens vscode-remote://ssh-remote+<host>/<folder> in a new window', async () => {
    await activateExtension();
    const realGet = vscode.extensions.getExtension.bind(vscode.extensions);
    stub(vscode.extensions, 'getExtension', ((id: string) =>
      id === REMOTE_SSH ? ({ id } as vscode.Extension<unknown>) : realGet(id)) as typeof vscode.extensions.getExtension);
    stub(vscode.window, 'showInputBox', (async () => 'D:\\work dir') as typeof vscode.window.showInputBox);
    const opened: unknown[][] = [];
    const realExecute = vscode.commands.executeCommand.bind(vscode.commands);
    stub(vscode.commands, 'executeCommand', (async (command: string, ...args: unknown[]) => {
      if (command === 'vscode.openFolder') {
        opened.push(args);
        return undefined;
      }
      return realExecute(command, ...args);
    }) as typeof vscode.commands.executeCommand);
    const result = await vscode.commands.executeCommand(CommandIds.deviceConnectSsh, row('ws1.contoso.com'));
    assert.strictEqual(opened.length, 1);
    const [uri, options] = opened[0] as [vscode.Uri, { forceNewWindow?: boolean }];
    assert.strictEqual(uri.scheme, 'vscode-remote');
    assert.strictEqual(uri.authority, 'ssh-remote+ws1.contoso.com');
    assert.strictEqual(uri.path, '/D:/work dir');
    assert.deepStrictEqual(options, { forceNewWindow: true });
    assert.strictEqual(result, uri.toString());
  });

  it('refuses a host name from the API that is not a DNS name, before asking anything', async () => {
    const api = await activateExtension();
    const asked: string[] = [];
    stub(vscode.window, 'showInputBox', (async () => {
      asked.push('folder');
      return 'C:\\';
    }) as typeof vscode.window.showInputBox);
    stub(vscode.window, 'showErrorMessage', (async (message: string) => {
      asked.push(`error: ${message}`);
      return undefined;
    }) as typeof vscode.window.showErrorMessage);
    const logged: string[] = [];
    stub(api.log, 'info', ((m: string) => void logged.push(m)) as typeof api.log.info);
    stub(api.log, 'error', ((m: string | Error) => void logged.push(String(m))) as typeof api.log.error);
    const result = await vscode.commands.executeCommand(CommandIds.deviceConnectSsh, row('pc1 -oProxyCommand=calc'));
    assert.strictEqual(result, undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepStrictEqual(asked, ['error: "pc1 -oProxyCommand=calc" is not a DNS host name, so the extension does not pass it to Remote - SSH.']);
  });
});
