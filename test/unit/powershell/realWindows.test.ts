/**
 * Read-only operations against real Windows PowerShell 5.1 and Microsoft Defender. Runs on Windows only (the
 * windows-latest workflow, .github/workflows/windows.yml); skipped elsewhere. Nothing here changes a setting.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { AuditLog } from '../../../src/defender/audit';
import { DeviceEngine } from '../../../src/defender/deviceEngine';
import { eventsScript } from '../../../src/defender/operations';
import { SnapshotStore } from '../../../src/defender/snapshots';
import { parseEvents } from '../../../src/defender/verify';
import { DefenderUnavailableError } from '../../../src/powershell/errors';
import { quotePs } from '../../../src/powershell/quote';
import { chooseExecutable, ProcessPowerShellRunner } from '../../../src/powershell/runner';

const onWindows = process.platform === 'win32';

(onWindows ? describe : describe.skip)('real Windows PowerShell and Defender (read-only)', function () {
  this.timeout(180_000);
  const log = new MemoryLogger();
  const runner = new ProcessPowerShellRunner({ executable: () => chooseExecutable('', 'win32', process.env), log, defaultTimeoutMs: 120_000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-win-'));
  const engine = new DeviceEngine({ runner, store: new SnapshotStore(path.join(dir, 'snapshots')), audit: new AuditLog(path.join(dir, 'audit.jsonl')), log, hostName: os.hostname(), cpuSampleMs: 1000 });
  let defender = true;

  after(() => {
    // The log shows what ran and how long it took, for the workflow output.
    for (const l of log.lines) console.log(`    ${l.level}: ${l.message.slice(0, 300)}`);
  });

  it('parses quotePs output as one single-quoted string with the same value (PowerShell parser as oracle)', async () => {
    const samples = ["plain", "it's", "a\u2019b\u2018c\u201Ad\u201Be", "$(calc) `n ; | & # \"x\" \u201Cy\u201D", "\u2013Dash \u2014x", ''];
    for (const s of samples) {
      const body = [
        '$tokens = $null; $errors = $null',
        `$ast = [System.Management.Automation.Language.Parser]::ParseInput(${quotePs(quotePs(s))}, [ref]$tokens, [ref]$errors)`,
        '$strings = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] }, $true))',
        'Write-DtmOk @{ errors = $errors.Count; count = $strings.Count; kind = [string]$strings[0].StringConstantType; value = [string]$strings[0].Value }',
      ].join('\n');
      const r = await runner.run<{ errors: number; count: number; kind: string; value: string }>(body);
      assert.deepEqual(r, { errors: 0, count: 1, kind: 'SingleQuoted', value: s }, JSON.stringify(s));
    }
  });

  it('reads Get-MpComputerStatus into the typed model', async function () {
    try {
      const s = await engine.readStatus();
      assert.ok(s.computerName);
      assert.equal(typeof s.elevated, 'boolean');
      assert.ok(s.status.amProductVersion, 'platform version');
      assert.ok(s.status.amRunningMode, 'running mode');
      console.log(`    status: ${JSON.stringify({ ...s.status, troubleshooting: s.status.troubleshooting.raw })}`);
      console.log(`    culture: ${JSON.stringify(s.culture)}`);
    } catch (err) {
      if (err instanceof DefenderUnavailableError) {
        defender = false;
        console.log(`    Defender not available on this runner: ${err.message}`);
        this.skip();
      }
      throw err;
    }
  });

  it('reads Get-MpPreference with the properties the playbooks use', async function () {
    if (!defender) this.skip();
    const p = await engine.readPreferences();
    for (const key of ['DisableRealtimeMonitoring', 'PUAProtection', 'EnableNetworkProtection']) assert.ok(key in p, `${key} missing`);
    assert.ok(!('CimClass' in p) && !('PSComputerName' in p), 'CIM metadata is excluded');
  });

  it('reads Defender Operational events (empty is fine)', async function () {
    if (!defender) this.skip();
    const raw = await runner.run(eventsScript([1000, 1001, 1150, 5007, 5013], new Date(Date.now() - 7 * 24 * 3600_000)));
    const events = parseEvents(raw);
    assert.ok(Array.isArray(events));
    console.log(`    events in the last 7 days: ${events.length}`);
  });

  it('samples MsMpEng CPU through perf counters', async function () {
    if (!defender) this.skip();
    const sample = await engine.sampleCpu();
    assert.ok(Number.isFinite(sample.cpuPercent) && sample.cpuPercent >= 0, JSON.stringify(sample));
  });

  it('takes a snapshot of the real preferences', async function () {
    if (!defender) this.skip();
    const ref = await engine.takeSnapshot('windows ci');
    const snap = await new SnapshotStore(path.join(dir, 'snapshots')).read(ref.file);
    assert.ok(Object.keys(snap.preferences).length > 20);
  });
});
