import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/constants';
import type { ConfirmRequest, PlaybookResult } from '../../src/defender/deviceEngine';
import type { EventLogResult } from '../../src/device/events';
import type { RecordResult } from '../../src/device/performance';
import type { Prompter } from '../../src/device/prompter';
import type { ExtensionApi } from '../../src/extension';
import { activeSession, freshState, writeState, type StandinState } from '../doubles/powershell/standinState';
import { activateExtension, waitFor } from './helpers';

class YesPrompter implements Prompter {
  confirms: ConfirmRequest[] = [];
  async confirm(r: ConfirmRequest) {
    this.confirms.push(r);
    return true;
  }
  async pickAsrRule() {
    return undefined;
  }
  async askExclusions() {
    return undefined;
  }
  async pickSnapshots() {
    return undefined;
  }
  showResult() {}
  note() {}
}

describe('issue 9 on This device: events, performance analyzer, session report (integration)', function () {
  this.timeout(180_000);
  let api: ExtensionApi;
  const statePath = process.env.DEFENDER_STANDIN_STATE!;
  const reset = (patch: StandinState & { performance?: unknown } = {}) => writeState(statePath, freshState(patch as StandinState));

  before(async function () {
    // The real-PowerShell stand-in answers Get-WinEvent with ToXml() and the performance cmdlets
    // (Handlers/MpPerformance.ps1). Without it these tests must fail, never skip.
    const modules = path.join(__dirname, '..', '..', '..', 'test', 'doubles', 'powershell', 'Modules', 'DtmStandIn', 'DtmStandIn.psm1');
    assert.ok(fs.existsSync(modules), `the PowerShell stand-in is missing: ${modules}`);
    api = await activateExtension();
  });

  beforeEach(() => {
    api.device.prompter = new YesPrompter();
    fs.rmSync(api.device.snapshotsDir, { recursive: true, force: true });
  });

  it('an RTP change shows up in the session\'s events as 5007 old → new', async () => {
    const session = activeSession(new Date(), 10);
    const start = new Date(session.startTime);
    reset({ troubleshooting: session, tamperProtected: false });
    await vscode.commands.executeCommand(CommandIds.deviceRefreshStatus);
    const result = await vscode.commands.executeCommand<PlaybookResult>(CommandIds.playbookAppSlow);
    assert.ok(result?.ok, result?.summary);
    const events = await vscode.commands.executeCommand<EventLogResult>(CommandIds.eventsShow, { start: start.toISOString(), title: 'Session events' });
    const change = events.rows.find((r) => r.id === 5007 && /DisableRealtimeMonitoring/.test(r.setting ?? ''));
    assert.ok(change, `no 5007 for RTP in ${JSON.stringify(events.rows.map((r) => r.summary))}`);
    assert.equal(change.oldValue, '0x0');
    assert.equal(change.newValue, '0x1');
    assert.match(change.summary, /DisableRealtimeMonitoring: 0x0 → 0x1/);
    assert.ok(events.rows.some((r) => r.id === 5001), 'RTP disabled (5001) is listed too');
  });

  it('records, then the performance report opens and draws its charts', async () => {
    reset({ troubleshooting: activeSession(new Date(), 20), performance: { sleepMs: 300 } });
    await vscode.commands.executeCommand(CommandIds.deviceRefreshStatus);
    const rec = await vscode.commands.executeCommand<RecordResult>(CommandIds.performanceRecord, { seconds: 5, acknowledged: true });
    assert.ok(rec && fs.existsSync(rec.reportFile), 'the report is kept in global storage');
    assert.ok(rec.tables >= 10, `tables: ${rec.tables}`);
    const panel = api.device.diagnostics.performance().panel!;
    const drawn = await waitFor(async () => panel.rendered, 'the report webview rendered', 60_000);
    assert.ok(drawn.charts >= 10 && drawn.tables === rec.tables, JSON.stringify(drawn));
    // It opens again from the session's rows.
    const nodes = api.device.diagnostics.sessionNodes();
    assert.ok(nodes.some((n) => n.contextValue === 'performanceReport'), 'a session row re-opens the report');
  });

  it('when WPR is already recording, the documented fix (wpr -cancel) lets the recording start', async () => {
    reset({ troubleshooting: activeSession(new Date(), 20), performance: { wprBusy: true, sleepMs: 100 } });
    await vscode.commands.executeCommand(CommandIds.deviceRefreshStatus);
    const rec = await vscode.commands.executeCommand<RecordResult>(CommandIds.performanceRecord, { seconds: 5, acknowledged: true, cancelBusyWpr: true });
    assert.ok(rec && fs.existsSync(rec.etl));
    const audit = fs.readFileSync(api.device.auditFile, 'utf8');
    assert.match(audit, /wpr\.exe -cancel -instancename/);
    assert.match(audit, /Windows Performance Recorder is already recording/);
  });

  it('writes the session report beside the snapshots and opens its preview', async () => {
    reset({ troubleshooting: activeSession(new Date(), 5), tamperProtected: false });
    await vscode.commands.executeCommand(CommandIds.deviceRefreshStatus);
    await vscode.commands.executeCommand<PlaybookResult>(CommandIds.playbookAppSlow);
    const file = await vscode.commands.executeCommand<string>(CommandIds.sessionReportWrite);
    assert.ok(file.startsWith(api.device.snapshotsDir), file);
    const md = fs.readFileSync(file, 'utf8');
    assert.match(md, /## Commands and their verified results/);
    assert.match(md, /Set-MpPreference -DisableRealtimeMonitoring \$true/);
    assert.match(md, /DisableRealtimeMonitoring: 0x0 → 0x1/);
  });
});
