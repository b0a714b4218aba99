/**
 * Issue #11 item 1: This device on the sample tenant (scripts/lib/sample.mjs, what `npm run dev` starts) lets a user
 * see every playbook outcome, including the silent tamper-protection block. Runs the engine against real pwsh with
 * the sample's own stand-in state: an exclusion (tamper-protected) "succeeds" without effect and Defender logs
 * 5013; "Turn Off Tamper Protection" works on it; after that the same kind of change is applied. (Without the sample's
 * tamperBlocksDuringTroubleshooting an active session lets the change through: engine.test.ts "high CPU".)
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { AuditLog } from '../../../src/defender/audit';
import { DeviceEngine, type EngineUi } from '../../../src/defender/deviceEngine';
import { TamperProtectionOnError } from '../../../src/defender/playbooks';
import { SnapshotStore } from '../../../src/defender/snapshots';
import { ProcessPowerShellRunner } from '../../../src/powershell/runner';
import { readState, requirePwsh, STANDIN_PATH, tempStandin, type StandinState } from '../../doubles/powershell/standinState';

describe('the sample device (scripts/lib/sample.mjs) with real pwsh', function () {
  this.timeout(600_000);
  before(() => requirePwsh());

  it('shows a silent tamper-protection block (5013), then lets tamper protection be turned off and changes apply', async () => {
    const { sampleDeviceState } = await import('../../../scripts/lib/sample.mjs');
    const { dir, stateFile } = tempStandin(sampleDeviceState() as StandinState);
    const log = new MemoryLogger();
    const runner = new ProcessPowerShellRunner({ executable: () => ({ kind: 'run', executable: STANDIN_PATH }), log, env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile } });
    const engine = new DeviceEngine({
      runner, store: new SnapshotStore(path.join(dir, 'storage', 'snapshots')), audit: new AuditLog(path.join(dir, 'storage', 'audit.jsonl'), log), log, hostName: 'local-host', cpuSampleMs: 10,
    });
    const ui: EngineUi = { confirm: async () => true };

    const status = await engine.readStatus();
    assert.equal(status.computerName, 'SAMPLE-WIN11');
    assert.equal(status.status.troubleshooting.active, true);
    assert.equal(status.status.isTamperProtected, true);

    // Exclusions are tamper-protected: the cmdlet reports success, nothing changes, Defender logs 5013.
    const blocked = await engine.runPlaybook('highCpu', { exclusions: { paths: ['C:\\Data\\Sales'] } }, ui);
    assert.deepEqual(blocked.steps.map((s) => s.outcome), ['blockedByTamperProtection']);
    assert.match(blocked.steps[0]!.message, /blocked by tamper protection.*5013/);
    assert.equal(blocked.ok, false);
    let state = readState(stateFile);
    assert.ok(!(state.preferences?.ExclusionPath as string[] | null | undefined)?.includes('C:\\Data\\Sales'));
    assert.ok(state.events?.some((e) => e.Id === 5013 && /ExclusionPath|Exclusions\\Paths\\C:\\Data\\Sales/.test(e.Data?.Value ?? '')), JSON.stringify(state.events?.slice(-3)));

    // "Application slow" needs tamper protection off first, and this device's module can turn it off.
    await assert.rejects(engine.runPlaybook('appSlow', {}, ui), (e: unknown) => e instanceof TamperProtectionOnError && e.action?.title === 'Turn Off Tamper Protection');
    const off = await engine.runPlaybook('disableTamperProtection', {}, ui);
    assert.deepEqual(off.steps.map((s) => s.outcome), ['applied']);
    const slow = await engine.runPlaybook('appSlow', {}, ui);
    assert.deepEqual(slow.steps.map((s) => s.outcome), ['applied']);
    const excluded = await engine.runPlaybook('highCpu', { exclusions: { paths: ['C:\\Data\\Sales'] } }, ui);
    assert.deepEqual(excluded.steps.map((s) => s.outcome), ['applied']);
    state = readState(stateFile);
    assert.equal(state.tamperProtected, false);
    assert.equal(state.preferences?.DisableRealtimeMonitoring, true);
    assert.deepEqual(state.preferences?.ExclusionPath, ['C:\\Data\\Sales']);
  });
});
