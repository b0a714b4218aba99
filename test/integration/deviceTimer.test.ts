import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ViewIds } from '../../src/constants';
import { activateExtension, waitFor } from './helpers';

/** Status reads recorded in the audit log (each one started a PowerShell process on the device). */
function statusReads(auditFile: string): number {
  if (!fs.existsSync(auditFile)) return 0;
  return fs
    .readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind?: string; operation?: string })
    .filter((e) => e.kind === 'read' && e.operation === 'status').length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('This device refresh timer (integration)', () => {
  const config = () => vscode.workspace.getConfiguration('defenderTroubleshooting');
  after(async () => {
    await config().update('status.refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
  });

  it('re-reads status on the timer only while the Devices view is visible', async function () {
    this.timeout(60_000);
    const api = await activateExtension();
    await vscode.commands.executeCommand(`${ViewIds.devices}.focus`);
    await waitFor(() => api.devices.treeView.visible, 'Devices view visible');
    await api.devices.provider.getChildren(); // the first render starts the first read
    await config().update('status.refreshSeconds', 1, vscode.ConfigurationTarget.Global);

    const visibleStart = statusReads(api.device.auditFile);
    await waitFor(() => statusReads(api.device.auditFile) >= visibleStart + 2, 'timer reads while visible', 15_000);

    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !api.devices.treeView.visible, 'Devices view hidden');
    await sleep(1500); // a read already under way may still land
    const hiddenStart = statusReads(api.device.auditFile);
    await sleep(3500);
    assert.strictEqual(statusReads(api.device.auditFile), hiddenStart, 'no PowerShell runs while nobody sees the row');

    await vscode.commands.executeCommand(`${ViewIds.devices}.focus`);
    await waitFor(() => statusReads(api.device.auditFile) > hiddenStart, 'a read when the view shows again', 15_000);
  });
});
