import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds, ViewIds } from '../../src/constants';
import { activateExtension, EXTENSION_ID, waitFor, workspaceFile } from './helpers';
import { makeTempDir } from '../support/tempDirs';

describe('foundation (integration)', () => {
  it('activates and returns its API', async () => {
    const api = await activateExtension();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    assert.ok(api.devices && api.sessions, 'views are part of the API');
    assert.ok(api.activatedInMs >= 0);
  });

  it('registers every command the manifest contributes', async () => {
    await activateExtension();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('shows the Devices and Sessions views, with This device in Devices', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand(`${ViewIds.devices}.focus`);
    await waitFor(() => api.devices.treeView.visible, 'Devices view visible');
    const roots = await api.devices.provider.getChildren();
    const thisDevice = roots.find((r) => r.label === 'This device');
    assert.ok(thisDevice, `This device row missing; rows: ${roots.map((r) => r.label).join(', ')}`);
    if (process.platform !== 'win32' && !vscode.workspace.getConfiguration('defenderTroubleshooting').get('powershell.path')) {
      assert.match(String(thisDevice.description), new RegExp(`Defender cmdlets need Windows; this host is ${process.platform}`));
    }
    await vscode.commands.executeCommand(`${ViewIds.sessions}.focus`);
    await waitFor(() => api.sessions.treeView.visible, 'Sessions view visible');
  });

  it('gives .kql and .csl documents the kql language', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.kql'));
    assert.strictEqual(doc.languageId, 'kql');
    const tmp = path.join(makeTempDir('dtm-'), 'q.csl');
    fs.writeFileSync(tmp, 'DeviceInfo | take 1\n');
    const csl = await vscode.workspace.openTextDocument(vscode.Uri.file(tmp));
    assert.strictEqual(csl.languageId, 'kql');
  });

  it('opens a new KQL document from a command', async () => {
    await activateExtension();
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>(CommandIds.newKqlFile);
    assert.ok(doc, 'the command returns the document');
    assert.strictEqual(doc.languageId, 'kql');
    assert.strictEqual(vscode.window.activeTextEditor?.document, doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('reports the host through a command', async () => {
    await activateExtension();
    const host = await vscode.commands.executeCommand<{ supported: boolean; summary: string }>(CommandIds.showHostInfo);
    assert.ok(host, 'the command returns what it showed');
    assert.strictEqual(host.supported, process.platform === 'win32');
    assert.ok(host.summary.length > 0);
  });
});
