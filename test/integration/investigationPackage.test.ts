import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DefenderApiError } from '../../src/api/errors';
import { RestClient } from '../../src/api/http';
import { MdeClient } from '../../src/api/mde';
import { MACHINES_RATE, PACKAGE_URI_RATE, RateLimiter } from '../../src/api/rateLimiter';
import { CommandIds } from '../../src/constants';
import { collectionActionsFilter, followAction, packageUri, runningCollection } from '../../src/defender/investigationPackage';
import { activateExtension, waitFor } from './helpers';

// The collect flow against the lane's emulator (machine actions on its clock), then "Open Investigation
// Package…" in the extension host on the downloaded ZIP: listed, one snapshot extracted and opened.
// Signing in for Machine.CollectForensics needs a consent dialog extension-test mode refuses; the e2e lane
// (test/e2e/fleetActions.test.ts) runs the whole command from the tree.
const emulatorUrl = () => vscode.workspace.getConfiguration('defenderTroubleshooting').get<string>('mde.endpoint') ?? '';

async function post(route: string, body: unknown): Promise<void> {
  const res = await fetch(`${emulatorUrl()}${route}`, { method: 'POST', body: JSON.stringify(body) });
  assert.ok(res.ok, `${route} → ${res.status}`);
}

describe('investigation package (integration)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-package-'));

  after(async () => {
    await post('/__admin/actions', { pendingMs: 60_000, runMs: 120_000, outcome: 'Succeeded' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('collects (400 while one runs), follows Pending → InProgress → Succeeded on the emulator clock, downloads, lists and opens a snapshot', async () => {
    await activateExtension();
    await post('/__admin/actions', { pendingMs: 60_000, runMs: 120_000, outcome: 'Succeeded' });
    const rest = new RestClient({ baseUrl: emulatorUrl(), getToken: async () => 'defender-test-token' });
    const client = new MdeClient(rest, { limiter: new RateLimiter(MACHINES_RATE), packageUriLimiter: new RateLimiter(PACKAGE_URI_RATE) });
    const machines = await client.listMachines({ filter: "computerDnsName eq 'ws-hr-07.contoso.local'" });
    const id = machines[0]!.id;
    const action = await client.collectInvestigationPackage(id, 'integration: troubleshooting evidence');
    const again = await client.collectInvestigationPackage(id, 'second').catch((e: unknown) => e);
    assert.ok(again instanceof DefenderApiError && again.status === 400, String(again));
    assert.strictEqual(runningCollection(await client.listMachineActions(collectionActionsFilter(id)), id)?.id, action.id);

    // Our clock for polling: each "sleep" moves the emulator's clock 90 s instead of waiting.
    const seen: string[] = [];
    const clock = { now: () => Date.now(), sleep: async () => post('/__admin/clock', { advanceMs: 90_000 }) };
    const done = await followAction(client, action.id, { clock, onStatus: (a) => seen.push(a.status ?? '') });
    assert.deepStrictEqual(seen, ['Pending', 'InProgress', 'Succeeded']);
    assert.strictEqual(done.status, 'Succeeded');

    const uri = await packageUri(client, action.id, { clock });
    const zip = path.join(dir, 'ws-hr-07-investigation.zip');
    fs.writeFileSync(zip, Buffer.from(await (await fetch(uri)).arrayBuffer()));
    const result = (await vscode.commands.executeCommand(CommandIds.packageOpen, vscode.Uri.file(zip), 'Troubleshooting mode/MpPreference-at-expiry.txt')) as {
      files: string[];
      snapshots: string[];
      logs: string[];
      opened?: string;
    };
    assert.ok(result, 'the command returned its listing');
    assert.deepStrictEqual(result.snapshots, ['Troubleshooting mode/MpPreference-before.txt', 'Troubleshooting mode/MpPreference-at-expiry.txt']);
    assert.ok(result.logs.some((n) => n.endsWith('.evtx')));
    assert.strictEqual(result.opened, path.join(dir, 'ws-hr-07-investigation', 'Troubleshooting mode', 'MpPreference-at-expiry.txt'));
    const editor = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.fsPath === result.opened ? vscode.window.activeTextEditor : undefined), 'the snapshot open in an editor');
    assert.match(editor.document.getText(), /DisableRealtimeMonitoring : True/);
    await post('/__admin/clock', { reset: true });
  });
});
