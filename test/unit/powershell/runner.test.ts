import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import {
  DefenderUnavailableError, NotElevatedError, NotWindowsError, PowerShellNotFoundError, PowerShellScriptError,
  PowerShellTimeoutError, UnexpectedOutputError,
} from '../../../src/powershell/errors';
import { chooseExecutable, classifyFailure, parseResultDocument, ProcessPowerShellRunner } from '../../../src/powershell/runner';
import { encodeCommand, powershellArgs, wrapScript } from '../../../src/powershell/script';
import { quotePs } from '../../../src/powershell/quote';
import { readState, runsOf, STANDIN_PATH, tempStandin } from '../../doubles/powershell/standinState';

function fakeExe(dir: string, source: string): string {
  const file = path.join(dir, `fake-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, `#!/usr/bin/env node\n${source}\n`);
  fs.chmodSync(file, 0o755);
  return file;
}
/** Alive and not a zombie (a killed orphan stays a zombie where PID 1 does not reap, e.g. in containers). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const runnerFor = (executable: string, env: NodeJS.ProcessEnv = process.env, timeoutMs?: number) =>
  new ProcessPowerShellRunner({ executable: () => ({ kind: 'run', executable }), log: new MemoryLogger(), env, defaultTimeoutMs: timeoutMs });

describe('PowerShell runner', function () {
  this.timeout(20_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-runner-'));

  it('chooses Windows PowerShell 5.1 by default on Windows, nothing elsewhere, and the user\'s path when set', () => {
    assert.deepEqual(chooseExecutable('', 'win32', { SystemRoot: 'C:\\Windows' }), { kind: 'run', executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' });
    const linux = chooseExecutable('  ', 'linux', {});
    assert.equal(linux.kind, 'unsupported');
    assert.equal(linux.kind === 'unsupported' && linux.error.message, 'Defender cmdlets need Windows; this host is linux.');
    assert.deepEqual(chooseExecutable('pwsh', 'linux', {}), { kind: 'run', executable: 'pwsh' });
  });

  it('sends exactly the documented argv, with the script base64 UTF-16LE encoded', async () => {
    const { stateFile } = tempStandin();
    const body = `Write-DtmOk ${quotePs('h\u00e9llo \u2019 w\u00f6rld')}`;
    const data = await runnerFor(STANDIN_PATH, { ...process.env, DEFENDER_STANDIN_STATE: stateFile }).run(body);
    assert.equal(data, 'h\u00e9llo \u2019 w\u00f6rld');
    const [run] = runsOf(stateFile);
    assert.deepEqual(run!.argv, ['-NoLogo', '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', encodeCommand(wrapScript(body))]);
    assert.equal(run!.script, wrapScript(body));
    assert.deepEqual(powershellArgs('x').slice(0, 6), ['-NoLogo', '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand']);
  });

  it('says PowerShell was not found, with the setting to fix it', async () => {
    await assert.rejects(runnerFor(path.join(tmp, 'no-such-pwsh')).run('Write-DtmOk 1'), (e: unknown) => {
      assert.ok(e instanceof PowerShellNotFoundError);
      assert.deepEqual(e.action?.args, ['defenderTroubleshooting.powershell.path']);
      return true;
    });
  });

  it('rejects output that is not the JSON document', async () => {
    await assert.rejects(runnerFor(fakeExe(tmp, "process.stdout.write('WARNING: something\\nnot json')")).run('x'), UnexpectedOutputError);
    await assert.rejects(runnerFor(fakeExe(tmp, '')).run('x'), /empty/);
    await assert.rejects(runnerFor(fakeExe(tmp, "process.stdout.write('{\"data\":1}')")).run('x'), /no "ok"/);
    assert.deepEqual(parseResultDocument('\uFEFFnoise\n{"ok":true,"data":2}\n'), { ok: true, data: 2 });
  });

  it('times out and kills the whole process tree', async () => {
    const pidFile = path.join(tmp, 'child.pid');
    const exe = fakeExe(tmp, `
      const { spawn } = require('child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      setInterval(() => {}, 1000);`);
    await assert.rejects(runnerFor(exe, process.env, 1500).run('x'), PowerShellTimeoutError);
    const childPid = Number(fs.readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!isRunning(childPid), 'the grandchild is gone too');
  });

  it('cancels through RunOptions.signal: kills the whole process tree and rejects as a cancellation', async () => {
    const pidFile = path.join(tmp, 'child-abort.pid');
    const exe = fakeExe(tmp, `
      const { spawn } = require('child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      setInterval(() => {}, 1000);`);
    const controller = new AbortController();
    const started = Date.now();
    const run = runnerFor(exe, process.env, 60_000).run('x', { signal: controller.signal });
    while (!fs.existsSync(pidFile) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await assert.rejects(run, (e: unknown) => (e as { code?: string }).code === 'cancelled');
    assert.ok(Date.now() - started < 30_000);
    const childPid = Number(fs.readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!isRunning(childPid), 'the grandchild is gone too');
    // Already aborted: nothing starts.
    await assert.rejects(runnerFor(exe, process.env, 60_000).run('x', { signal: AbortSignal.abort() }), (e: unknown) => (e as { code?: string }).code === 'cancelled');
  });

  it('maps failure documents to typed errors', () => {
    assert.ok(classifyFailure({ ok: false, message: "The term 'Get-MpComputerStatus' is not recognized", errorId: 'CommandNotFoundException', platform: 'Unix' }) instanceof NotWindowsError);
    assert.ok(classifyFailure({ ok: false, message: "You don't have enough permissions", errorId: 'HRESULT 0x80070005,Set-MpPreference', category: 'PermissionDenied', platform: 'Win32NT' }) instanceof NotElevatedError);
    assert.ok(classifyFailure({ ok: false, message: "The term 'Get-MpPreference' is not recognized", errorId: 'CommandNotFoundException', platform: 'Win32NT' }) instanceof DefenderUnavailableError);
    assert.ok(classifyFailure({ ok: false, message: 'A general error occurred', errorId: 'HRESULT 0x800106ba,Get-MpComputerStatus', platform: 'Win32NT' }) instanceof DefenderUnavailableError);
    const other = classifyFailure({ ok: false, message: 'Boom', errorId: 'X', platform: 'Win32NT' });
    assert.ok(other instanceof PowerShellScriptError);
    assert.match(other.message, /Boom \(X\)/);
  });
});

describe('PowerShell stand-in fidelity', function () {
  this.timeout(20_000);

  function runBody(body: string, initial = {}) {
    const { stateFile } = tempStandin(initial);
    const runner = runnerFor(STANDIN_PATH, { ...process.env, DEFENDER_STANDIN_STATE: stateFile });
    return { stateFile, result: runner.run(body) };
  }

  it('executes what an ASCII-only escape would let through, and nothing with quotePs', async () => {
    const hostile = "C:\\a\u2019; Set-MpPreference -DisableRealtimeMonitoring $true; \u2019";
    const naive = `'${hostile.replace(/'/g, "''")}'`;
    const bad = runBody(`Add-MpPreference -ExclusionPath ${naive}\nWrite-DtmOk $null`, { troubleshooting: { startTime: new Date(Date.now() - 1000).toISOString(), endTime: new Date(Date.now() + 3600_000).toISOString() } });
    await bad.result;
    assert.equal(readState(bad.stateFile).preferences!.DisableRealtimeMonitoring, true, 'the injected command ran, as in PowerShell');

    const good = runBody(`Add-MpPreference -ExclusionPath ${quotePs(hostile)}\nWrite-DtmOk $null`, { troubleshooting: { startTime: new Date(Date.now() - 1000).toISOString(), endTime: new Date(Date.now() + 3600_000).toISOString() } });
    await good.result;
    const p = readState(good.stateFile).preferences!;
    assert.equal(p.DisableRealtimeMonitoring, false);
    assert.deepEqual(p.ExclusionPath, [hostile]);
  });

  it('treats an en dash as a parameter dash, as PowerShell does', async () => {
    const r = runBody('Set-MpPreference \u2013PUAProtection Disabled\nWrite-DtmOk $null', { tamperProtected: false });
    await r.result;
    assert.equal(readState(r.stateFile).preferences!.PUAProtection, 0);
  });

  it('fails like Windows without elevation, and serializes like Windows PowerShell 5.1', async () => {
    await assert.rejects(runBody('Set-MpPreference -DisableRealtimeMonitoring $true\nWrite-DtmOk $null', { elevated: false }).result, NotElevatedError);
    assert.equal(await runBody("Write-DtmOk '<a & b>'").result, '<a & b>');
  });

  it('rejects a broken script as a parse error', async () => {
    await assert.rejects(runBody("Write-DtmOk 'unterminated").result, UnexpectedOutputError);
  });
});
