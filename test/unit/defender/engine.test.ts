import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { AuditLog } from '../../../src/defender/audit';
import { DeviceEngine, type ConfirmRequest, type EngineUi, type WriteExecutor } from '../../../src/defender/deviceEngine';
import { TamperProtectionNotScriptableError, TamperProtectionOnError, TroubleshootingInactiveError } from '../../../src/defender/playbooks';
import { CorruptFileError, SnapshotStore } from '../../../src/defender/snapshots';
import { DefenderUnavailableError, NotElevatedError } from '../../../src/powershell/errors';
import { InvalidPowerShellValueError } from '../../../src/powershell/quote';
import { ProcessPowerShellRunner } from '../../../src/powershell/runner';
import {
  activeSession, expiredSession, readState, requirePwsh, runsOf, STANDIN_PATH, tempStandin, updateState, type StandinState,
} from '../../doubles/powershell/standinState';

function makeEngine(initial: StandinState = {}, extra: Partial<ConstructorParameters<typeof DeviceEngine>[0]> = {}) {
  const { dir, stateFile } = tempStandin(initial);
  const log = new MemoryLogger();
  const runner = new ProcessPowerShellRunner({
    executable: () => ({ kind: 'run', executable: STANDIN_PATH }),
    log,
    env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile },
  });
  const audit = new AuditLog(path.join(dir, 'storage', 'audit.jsonl'), log);
  const engine = new DeviceEngine({
    runner, store: new SnapshotStore(path.join(dir, 'storage', 'snapshots')), audit, log, hostName: 'local-host', cpuSampleMs: 10, ...extra,
  });
  const confirmations: ConfirmRequest[] = [];
  const ui: EngineUi & { answer: boolean; onConfirm?: () => void } = {
    answer: true,
    async confirm(req) {
      confirmations.push(req);
      ui.onConfirm?.();
      return ui.answer;
    },
  };
  return { engine, stateFile, dir, audit, ui, confirmations, log };
}

describe('DeviceEngine with the PowerShell stand-in (real pwsh)', function () {
  // Each PowerShell run starts a real pwsh (about 1.5 s idle, far more on a loaded machine).
  this.timeout(600_000);
  before(() => requirePwsh());

  it('reads status: tamper protection, RTP, versions and troubleshooting mode', async () => {
    const { engine } = makeEngine({ troubleshooting: activeSession() });
    const s = await engine.readStatus();
    assert.equal(s.computerName, 'STANDIN-PC');
    assert.equal(s.elevated, true);
    assert.equal(s.status.isTamperProtected, true);
    assert.equal(s.status.realTimeProtectionEnabled, true);
    assert.equal(s.status.amProductVersion, '4.18.24050.7');
    assert.equal(s.status.troubleshooting.active, true);
    const left = s.status.troubleshooting.timeLeftMs!;
    assert.ok(left > 2.6 * 3600_000 && left <= 2.7 * 3600_000, `time left ${left}`);
  });

  it('parses the troubleshooting dates in a German locale', async () => {
    const { engine } = makeEngine({ troubleshooting: activeSession(), culture: 'de-DE' });
    const s = await engine.readStatus();
    assert.match(s.status.troubleshooting.raw.TroubleShootingEndTime!, /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.ok(s.status.troubleshooting.endTime);
    assert.equal(s.status.troubleshooting.active, true);
  });

  it('refuses a playbook when troubleshooting mode is off, and says what to do', async () => {
    const { engine, ui } = makeEngine();
    await assert.rejects(engine.runPlaybook('appSlow', {}, ui), (e: unknown) => e instanceof TroubleshootingInactiveError && /Defender portal/.test(e.message));
  });

  it('refuses "application slow" while tamper protection is on, offering the command only where the module has it', async () => {
    const withParameter = makeEngine({ troubleshooting: activeSession(), moduleHasDisableTamperProtection: true });
    await assert.rejects(withParameter.engine.runPlaybook('appSlow', {}, withParameter.ui), (e: unknown) => {
      assert.ok(e instanceof TamperProtectionOnError);
      assert.equal(e.action?.title, 'Turn Off Tamper Protection');
      return true;
    });
    const without = makeEngine({ troubleshooting: activeSession() });
    await assert.rejects(without.engine.runPlaybook('appSlow', {}, without.ui), (e: unknown) => {
      assert.ok(e instanceof TamperProtectionOnError);
      assert.equal(e.action, undefined, 'no "Turn Off Tamper Protection" button');
      assert.match(e.message, /no -DisableTamperProtection parameter.*Windows Security app/);
      return true;
    });
  });

  it('"Turn off tamper protection": asks the module first; without the parameter it says to use Windows Security', async () => {
    const without = makeEngine({ troubleshooting: activeSession() });
    assert.equal((await without.engine.readStatus()).canDisableTamperProtection, false);
    await assert.rejects(without.engine.runPlaybook('disableTamperProtection', {}, without.ui), (e: unknown) => {
      assert.ok(e instanceof TamperProtectionNotScriptableError);
      assert.match(e.message, /Windows Security app/);
      return true;
    });
    assert.equal(without.confirmations.length, 0, 'nothing was offered');
    assert.equal(readState(without.stateFile).tamperProtected, true);
    assert.ok(!runsOf(without.stateFile).some((r) => r.script.includes('-DisableTamperProtection $true')));

    const withParameter = makeEngine({ troubleshooting: activeSession(), moduleHasDisableTamperProtection: true });
    assert.equal((await withParameter.engine.readStatus()).canDisableTamperProtection, true);
    const result = await withParameter.engine.runPlaybook('disableTamperProtection', {}, withParameter.ui);
    assert.deepEqual(result.steps.map((s) => s.outcome), ['applied']);
    assert.equal(readState(withParameter.stateFile).tamperProtected, false);
    assert.ok(readState(withParameter.stateFile).events!.some((e) => e.Id === 5007 && e.Data?.['New Value']?.endsWith('Features\\TamperProtection = 0x1')));
  });

  it('refuses when not elevated, before changing anything', async () => {
    const { engine, ui, confirmations } = makeEngine({ troubleshooting: activeSession(), elevated: false });
    await assert.rejects(engine.runPlaybook('networkProtection', {}, ui), NotElevatedError);
    assert.equal(confirmations.length, 0);
  });

  it('unable to install: turns tamper protection then RTP off, snapshot first, verified, audited', async () => {
    const { engine, ui, confirmations, stateFile, audit } = makeEngine({ troubleshooting: activeSession(), moduleHasDisableTamperProtection: true });
    const result = await engine.runPlaybook('unableToInstall', {}, ui);
    assert.deepEqual(confirmations[0]!.commands, [
      'Set-MpPreference -DisableTamperProtection $true',
      'Set-MpPreference -DisableRealtimeMonitoring $true',
    ]);
    assert.deepEqual(result.steps.map((s) => s.outcome), ['applied', 'applied']);
    assert.ok(result.ok);
    // The message people see says each step once, with what the device shows now.
    assert.equal(result.summary, `${result.title}: ${result.steps[0]!.message} ${result.steps[1]!.message}`);
    for (const s of result.steps) assert.equal(result.summary.split(`${s.description}:`).length - 1, 1, `${s.description} said once in: ${result.summary}`);
    assert.match(result.steps[1]!.message, /: applied \(now /);
    assert.ok(result.snapshot, 'a snapshot is taken before the first change');
    const state = readState(stateFile);
    assert.equal(state.tamperProtected, false);
    assert.equal(state.preferences!.DisableRealtimeMonitoring, true);
    assert.ok(state.events!.some((e) => e.Id === 5007));
    const entries = await audit.read();
    const writes = entries.filter((e) => e.kind === 'write');
    assert.deepEqual(writes.map((w) => w.result), ['applied', 'applied']);
    assert.match(writes[0]!.script, /^Set-MpPreference -DisableTamperProtection \$true/);
    assert.equal(writes[0]!.host, 'STANDIN-PC');
  });

  it('reports "blocked by tamper protection" when the session ends before the write (silent block, 5013)', async () => {
    const { engine, ui, stateFile } = makeEngine({ troubleshooting: activeSession(), tamperProtected: true, moduleHasDisableTamperProtection: true });
    ui.onConfirm = () => updateState(stateFile, (s) => { s.troubleshooting = expiredSession(); });
    const result = await engine.runPlaybook('unableToInstall', {}, ui);
    assert.equal(result.steps[0]!.outcome, 'blockedByTamperProtection');
    assert.match(result.steps[0]!.message, /5013/);
    assert.equal(result.steps[1]!.outcome, 'skipped');
    assert.equal(result.ok, false);
    assert.equal(readState(stateFile).preferences!.DisableRealtimeMonitoring, false);
  });

  it('ASR: disables only the chosen rule, leaving the others', async () => {
    const { engine, ui, stateFile, confirmations } = makeEngine({ troubleshooting: activeSession() });
    const office = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
    const result = await engine.runPlaybook('asrRule', { ruleGuid: office.toUpperCase() }, ui);
    assert.equal(confirmations[0]!.commands[0], `Add-MpPreference -AttackSurfaceReductionRules_Ids '${office}' -AttackSurfaceReductionRules_Actions 'Disabled'`);
    assert.equal(result.steps[0]!.outcome, 'applied');
    const p = readState(stateFile).preferences!;
    assert.deepEqual(p.AttackSurfaceReductionRules_Ids, [office, '3b576869-a4ec-4529-8536-b80a7769e899', '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2']);
    assert.deepEqual(p.AttackSurfaceReductionRules_Actions, [0, 1, 1]);
  });

  it('high CPU: samples MsMpEng, adds hostile-looking exclusions exactly, samples again', async () => {
    const { engine, ui, stateFile } = makeEngine({ troubleshooting: activeSession() });
    const weird = "C:\\DB\\it's \u2018data\u2019 $(calc); `x`";
    const result = await engine.runPlaybook('highCpu', { exclusions: { paths: [weird, 'C:\\DB\\DataFiles'], extensions: ['.dbx'], processes: ['C:\\DB\\Bin\\Convertdb.exe'] } }, ui);
    assert.deepEqual(result.steps.map((s) => s.outcome), ['applied', 'applied', 'applied']);
    assert.equal(result.cpuBefore!.cpuPercent, 48.5);
    assert.equal(result.cpuAfter!.cpuPercent, 3.5);
    const p = readState(stateFile).preferences!;
    assert.deepEqual(p.ExclusionPath, [weird, 'C:\\DB\\DataFiles']);
    assert.deepEqual(p.ExclusionExtension, ['.dbx']);
    assert.ok(!runsOf(stateFile).some((r) => /Start-Process|calc\b(?!\))/.test(r.script) && !r.script.includes("''")));
  });

  it('high CPU: rejects control characters in any exclusion before asking, and shows unusual characters in the confirmation (issue #10, item 7)', async () => {
    for (const exclusions of [{ extensions: ['.db\u0003'] }, { processes: ['calc.exe\u001b[2K'] }, { extensions: ['.a\tb'] }]) {
      const { engine, ui, confirmations, stateFile } = makeEngine({ troubleshooting: activeSession() });
      const err = await engine.runPlaybook('highCpu', { exclusions }, ui).catch((e: unknown) => e);
      assert.ok(err instanceof InvalidPowerShellValueError, `${JSON.stringify(exclusions)}: ${String(err)}`);
      assert.match(err.message, /control character \(U\+00(03|1B|09)\)/);
      assert.equal(confirmations.length, 0, 'nothing was shown for confirmation');
      assert.ok(!runsOf(stateFile).some((r) => r.script.includes('Add-MpPreference')));
    }
    const { engine, ui, confirmations } = makeEngine({ troubleshooting: activeSession() });
    ui.answer = false;
    await engine.runPlaybook('highCpu', { exclusions: { extensions: ['\u2013dbx'] } }, ui).catch(() => undefined);
    assert.match(confirmations[0]!.detail, /^Look closely, the command contains:\n• U\+2013 EN DASH \(PowerShell reads it as -\) in '⟨U\+2013⟩dbx'/);
    assert.ok(confirmations[0]!.commands.some((c) => c.includes("'\u2013dbx'")), 'the command line itself stays exact');
  });

  it('reports "already set" without asking again', async () => {
    const { engine, ui, confirmations } = makeEngine({ troubleshooting: activeSession() });
    await engine.runPlaybook('networkProtection', {}, ui);
    const again = await engine.runPlaybook('networkProtection', {}, ui);
    assert.equal(again.steps[0]!.outcome, 'alreadySet');
    assert.equal(confirmations.length, 1);
  });

  it('undo restores everything changed since the first snapshot, verified', async () => {
    const { engine, ui, stateFile } = makeEngine({ troubleshooting: activeSession(), moduleHasDisableTamperProtection: true });
    await engine.runPlaybook('unableToInstall', {}, ui);
    await engine.runPlaybook('puaBlocked', {}, ui);
    await engine.runPlaybook('asrRule', { ruleGuid: '26190899-1602-49e8-8b27-eb1d0a1ce869' }, ui);
    await engine.runPlaybook('highCpu', { exclusions: { paths: ['C:\\x'] } }, ui);
    const undo = await engine.undo(ui);
    assert.ok(undo.ok, undo.summary);
    assert.equal(undo.steps.at(-1)!.commandLine, 'Set-MpPreference -DisableTamperProtection $false');
    const s = readState(stateFile);
    assert.equal(s.tamperProtected, true);
    assert.equal(s.preferences!.DisableRealtimeMonitoring, false);
    assert.equal(s.preferences!.PUAProtection, 1);
    assert.equal(s.preferences!.ExclusionPath, null);
    assert.deepEqual(s.preferences!.AttackSurfaceReductionRules_Ids, ['d4f940ab-401b-4efc-aadc-ad5f3c50688a', '3b576869-a4ec-4529-8536-b80a7769e899', '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2']);
    const again = await engine.undo(ui);
    assert.match(again.summary, /Nothing to undo/);
  });

  it('undo names a damaged first snapshot and falls back to the next good one (issue #10, item 8)', async () => {
    const { engine, ui, stateFile } = makeEngine({ troubleshooting: activeSession(), moduleHasDisableTamperProtection: true });
    await engine.runPlaybook('unableToInstall', {}, ui);
    const [first] = await engine.snapshots();
    await engine.takeSnapshot('second');
    await engine.runPlaybook('puaBlocked', {}, ui);
    const original = fs.readFileSync(first!.file, 'utf8');
    for (const damage of [original.replace(/"preferences": \{[\s\S]*\n {2}\}/, '"preferences": null'), original.slice(0, original.length / 2)]) {
      fs.writeFileSync(first!.file, damage);
      const undo = await engine.undo(ui);
      assert.ok(undo.summary.includes(`${first!.file} is damaged`), undo.summary);
      assert.match(undo.summary, /Used the snapshot of/);
      assert.notEqual(undo.snapshot!.file, first!.file);
    }
    // The second snapshot was taken after "unable to install": undo went back to it (PUA restored), not further.
    const p = readState(stateFile).preferences!;
    assert.equal(p.PUAProtection, 1);
    assert.equal(p.DisableRealtimeMonitoring, true);
  });

  it('undo with no readable snapshot says which file is damaged', async () => {
    const { engine, ui } = makeEngine({ troubleshooting: activeSession() });
    await engine.runPlaybook('networkProtection', {}, ui);
    const [first] = await engine.snapshots();
    fs.writeFileSync(first!.file, '{"version": 1, "device": "x", "takenAt": "2026-01-01T00:00:00Z", "preferences": null}');
    const err = await engine.undo(ui).catch((e: unknown) => e);
    assert.ok(err instanceof CorruptFileError, String(err));
    assert.equal(err.file, first!.file);
    assert.match(err.message, /"preferences" is null/);
  });

  it('cancelling the confirmation changes nothing', async () => {
    const { engine, ui, stateFile } = makeEngine({ troubleshooting: activeSession() });
    ui.answer = false;
    await assert.rejects(engine.runPlaybook('networkProtection', {}, ui), /Cancelled/);
    assert.equal(readState(stateFile).preferences!.EnableNetworkProtection, 1);
  });

  it('fails as Windows does without Defender', async () => {
    for (const defender of ['missing', 'stopped'] as const) {
      const { engine } = makeEngine({ defender });
      await assert.rejects(engine.readStatus(), DefenderUnavailableError);
    }
  });

  it('a non-elevated write fails with the access-denied error', async () => {
    const { engine, ui } = makeEngine({ elevated: false });
    await engine.readStatus();
    await assert.rejects(engine.applyChanges([{ kind: 'realtimeMonitoring', disable: true }], ui, 'test', 'test'), NotElevatedError);
  });

  it('keeps snapshots as complete files, oldest first', async () => {
    const { engine, dir } = makeEngine();
    await engine.readStatus();
    const a = await engine.takeSnapshot('manual');
    const b = await engine.takeSnapshot('manual');
    const list = await engine.snapshots();
    assert.deepEqual(list.map((x) => x.file), [a.file, b.file]);
    assert.ok(fs.readdirSync(path.dirname(a.file)).every((n) => n.endsWith('.json')));
    assert.ok(dir);
  });

  describe('through a terminal', () => {
    /** A terminal stand-in: runs the typed command line in the PowerShell stand-in, now or a little later. */
    function terminal(stateFile: string, behaviour: { settled: boolean }): WriteExecutor & { lines: string[]; runTyped(): Promise<void> } {
      const lines: string[] = [];
      const typed: string[] = [];
      const runLine = (line: string) =>
        new Promise<number>((resolve) => {
          execFile(STANDIN_PATH, ['-NoLogo', '-Command', line], { env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile } }, (err) => resolve(err ? 1 : 0));
        });
      return {
        via: 'terminal',
        lines,
        async execute(_change, commandLine) {
          lines.push(commandLine);
          if (behaviour.settled) {
            const exitCode = await runLine(commandLine);
            return { settled: true, exitCode, note: exitCode === 0 ? undefined : `The terminal reported exit code ${exitCode}.` };
          }
          // sendText: nothing says when (or whether) the line ran; the test decides (runTyped).
          typed.push(commandLine);
          return { settled: false, note: 'typed into the terminal' };
        },
        async runTyped() {
          for (const line of typed.splice(0)) await runLine(line);
        },
      };
    }

    it('with shell integration: types the exact command, records its exit code, verifies by reading back', async () => {
      const { engine, ui, audit, stateFile } = makeEngine({ troubleshooting: activeSession() }, { writer: () => writer });
      const writer = terminal(stateFile, { settled: true });
      const result = await engine.runPlaybook('networkProtection', {}, ui);
      assert.deepEqual(writer.lines, ["Set-MpPreference -EnableNetworkProtection 'Disabled'"]);
      assert.equal(result.steps[0]!.outcome, 'applied');
      const write = (await audit.read()).filter((e) => e.kind === 'write').at(-1)!;
      assert.equal(write.via, 'terminal');
      assert.equal(write.script, "Set-MpPreference -EnableNetworkProtection 'Disabled'");
      assert.equal(write.exitCode, 0);
    });

    it('without shell integration: keeps reading back until the typed command has taken effect', async () => {
      const sleeps: number[] = [];
      const { engine, ui, audit, stateFile } = makeEngine({ troubleshooting: activeSession() }, {
        writer: () => writer,
        terminalPoll: { intervalMs: 100, attempts: 40 },
        // The typed line runs while the engine waits after its first read-back, as a slow terminal would.
        sleep: async (ms) => {
          sleeps.push(ms);
          if (sleeps.length === 2) await writer.runTyped();
        },
      });
      const writer = terminal(stateFile, { settled: false });
      const result = await engine.runPlaybook('networkProtection', {}, ui);
      assert.equal(result.steps[0]!.outcome, 'applied', result.steps[0]!.message);
      assert.ok(sleeps.length >= 2, `it read back more than once (waited ${sleeps.length} times)`);
      assert.match(result.steps[0]!.message, /typed into the terminal/);
      const write = (await audit.read()).filter((e) => e.kind === 'write').at(-1)!;
      assert.equal(write.exitCode, undefined);
    });

    it('without shell integration: a command that never runs ends as "did not take effect", after the polls', async () => {
      const writer: WriteExecutor = { via: 'terminal', execute: async () => ({ settled: false }) };
      const sleeps: number[] = [];
      const { engine, ui } = makeEngine({ troubleshooting: activeSession() }, { writer: () => writer, terminalPoll: { intervalMs: 1, attempts: 3 }, sleep: async (ms) => void sleeps.push(ms) });
      const result = await engine.runPlaybook('networkProtection', {}, ui);
      assert.equal(result.steps[0]!.outcome, 'notApplied');
      assert.deepEqual(sleeps, [1, 1, 1]);
    });
  });
});
