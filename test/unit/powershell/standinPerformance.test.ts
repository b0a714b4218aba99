/**
 * The stand-in's Get-WinEvent and performance cmdlets (Handlers/MpPerformance.ps1) answer the product's own scripts
 * with the documented shapes: 5007 `Old Value` / `New Value` after an RTP change, a recording, and a `-Raw` report
 * with nested top lists whose ticks and FILETIMEs convert exactly. Needs the real-PowerShell stand-in (DtmStandIn).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ILogger } from '../../../src/core/logger';
import { buildEventList, eventsPageScript, parseEventRecords } from '../../../src/defender/events';
import { parsePerformanceReport, recordingScript, reportScript, reportTables, wprCancelScript } from '../../../src/defender/performance';
import { ProcessPowerShellRunner } from '../../../src/powershell/runner';
import { STANDIN_PATH, tempStandin } from '../../doubles/powershell/standinState';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const REAL = fs.existsSync(path.join(ROOT, 'test', 'doubles', 'powershell', 'Modules', 'DtmStandIn', 'DtmStandIn.psm1'));
const log: ILogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as unknown as ILogger;

describe('stand-in: events and performance cmdlets with the product\'s scripts (unit, real PowerShell)', function () {
  this.timeout(120_000);
  before(function () {
    if (!REAL) this.skip();
  });

  const runner = (initial: object) => {
    const { stateFile } = tempStandin(initial as never);
    return new ProcessPowerShellRunner({ executable: () => ({ kind: 'run', executable: STANDIN_PATH }), log, defaultTimeoutMs: 90_000, env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile } });
  };

  it('an RTP change reads back as 5007 with Old Value → New Value through eventsPageScript', async () => {
    const r = runner({ tamperProtected: false, troubleshooting: { startTime: new Date(Date.now() - 600_000).toISOString(), endTime: new Date(Date.now() + 3_600_000).toISOString() } });
    const since = new Date(Date.now() - 60_000);
    await r.run('Set-MpPreference -DisableRealtimeMonitoring $true\nWrite-DtmOk $null');
    const data = await r.run<{ events: unknown }>(eventsPageScript({ ids: [5001, 5007], start: since, pageSize: 50 }));
    const list = buildEventList(parseEventRecords(data.events));
    const change = list.rows.find((e) => e.id === 5007);
    assert.ok(change, JSON.stringify(data));
    assert.equal(change.oldValue, '0x0');
    assert.equal(change.newValue, '0x1');
    assert.match(change.registryPath ?? '', /Real-Time Protection\\DisableRealtimeMonitoring$/);
  });

  it('records, then Get-MpPerformanceReport -Raw gives every top list and combination with exact ticks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-perf-'));
    const etl = path.join(dir, 'rec.etl');
    const r = runner({ elevated: true, performance: { sleepMs: 50 } });
    const rec = await r.run<{ file: string }>(recordingScript(etl, 2));
    assert.equal(rec.file, etl);
    const out = await r.run<{ json: string; hasPaths: boolean }>(reportScript(etl, { topCount: 10, nestedCount: 3 }));
    assert.equal(out.hasPaths, true);
    const report = parsePerformanceReport(out.json);
    const ids = reportTables(report).map((t) => t.id);
    for (const id of ['topFiles', 'topExtensions', 'topProcesses', 'topPaths', 'topScans', 'filesPerExtension', 'pathsPerExtension', 'processesPerPath', 'scansPerFile', 'scansPerFilePerProcess']) {
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(', ')}`);
    }
    const top = report.topFiles[0]!;
    assert.ok(top.stats.count >= 1 && top.scans.length >= 1 && top.processes.length >= 1);
    assert.ok(report.topExtensions[0]!.files.length >= 1 && report.topExtensions[0]!.paths.length >= 1);
    assert.ok(report.topProcesses[0]!.files[0]!.scans.length >= 1, 'top scans per file per process');
    assert.ok(top.scans[0]!.start instanceof Date && top.scans[0]!.end! >= top.scans[0]!.start!);
    assert.ok(top.stats.totalMs >= top.scans[0]!.durationMs && top.stats.maxMs === top.scans[0]!.durationMs);
  });

  it('fails like Microsoft\'s module when WPR is already recording, and wpr -cancel clears it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-perf-'));
    const r = runner({ elevated: true, performance: { sleepMs: 50, wprBusy: true } });
    await assert.rejects(r.run(recordingScript(path.join(dir, 'a.etl'), 2)), /Windows Performance Recorder is already recording/);
    assert.deepEqual(await r.run(wprCancelScript()), { exitCode: 0 });
    await r.run(recordingScript(path.join(dir, 'a.etl'), 2));
  });
});
