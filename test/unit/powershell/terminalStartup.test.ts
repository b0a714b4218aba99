/**
 * The start-up command of a new "Defender PowerShell" terminal without shell integration (src/device/terminal.ts):
 * PowerShell loses a line typed before its first prompt, so the first command travels in the shell's arguments.
 * Run here through the stand-in launcher on real pwsh: it must show the command line and run it exactly.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { quotePs } from '../../../src/powershell/quote';
import { terminalStartupArgs, terminalStartupScript } from '../../../src/powershell/script';
import { activeSession, readState, requirePwsh, runsOf, STANDIN_PATH, tempStandin } from '../../doubles/powershell/standinState';

describe('terminal start-up command (shell integration off)', function () {
  this.timeout(120_000);
  before(() => requirePwsh());

  it('keeps the shell open after it (-NoExit), loads the profile, and carries the script as -EncodedCommand', () => {
    const args = terminalStartupArgs("Set-MpPreference -PUAProtection 'Disabled'");
    assert.deepEqual(args.slice(0, 3), ['-NoLogo', '-NoExit', '-EncodedCommand']);
    assert.equal(args.length, 4);
    assert.ok(!args.includes('-NoProfile') && !args.includes('-NonInteractive'), 'a terminal for the user, not a background run');
    assert.equal(Buffer.from(args[3]!, 'base64').toString('utf16le'), terminalStartupScript("Set-MpPreference -PUAProtection 'Disabled'"));
  });

  it('shows "PS> <command line>" and runs the command line, quotes and Unicode quotes included (real pwsh)', () => {
    const hostile = "C:\\Temp\\it's \u2018q\u2019 $(calc) `n ;|& \u2013x";
    const commandLine = `Add-MpPreference -ExclusionPath ${quotePs(hostile)}`;
    const { stateFile } = tempStandin({ troubleshooting: activeSession() });
    // stdin is not a terminal here, so the launcher goes through launch.cjs (which logs the run); with -NoExit pwsh
    // then reads commands from stdin, and its end lets the shell exit after the start-up command. stderr is a pipe, not
    // a terminal, so -OutputFormat Text keeps ConsoleHost from writing Write-Host as CLIXML (powershell.md §1).
    const r = spawnSync(STANDIN_PATH, ['-OutputFormat', 'Text', ...terminalStartupArgs(commandLine)], {
      input: '',
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile },
    });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}${r.error ? String(r.error) : ''}`);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.split(/\r?\n/).includes(`PS> ${commandLine}`), `the command line is shown as typed:\n${r.stdout}`);
    assert.deepEqual(readState(stateFile).preferences!.ExclusionPath, [hostile]);
    assert.equal(runsOf(stateFile).at(-1)!.script, terminalStartupScript(commandLine));
  });
});
