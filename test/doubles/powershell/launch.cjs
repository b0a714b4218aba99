'use strict';
/**
 * Non-interactive runs of the PowerShell stand-in (see ./powershell and README.md): logs the run (argv and the
 * decoded script) to $DEFENDER_STANDIN_STATE.runs.jsonl for the tests (runsOf in standinState.ts), prepends ONE
 * line, `Import-Module DtmStandIn`, to the script (-EncodedCommand re-encoded as base64 UTF-16LE, or -Command),
 * and runs real pwsh ($DTM_PWSH) with every other argument unchanged, so PowerShell itself parses and binds the
 * product's script. Exit code and signals pass through.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const IMPORT_LINE = 'Import-Module DtmStandIn';
const argv = process.argv.slice(2);

/** powershell.exe/pwsh parameter names are case-insensitive and may be abbreviated (-e, -ec, -enc, -c, -com...). */
function paramName(arg) {
  return /^[-/]/.test(arg) ? arg.slice(1).toLowerCase() : undefined;
}
const isEncodedCommand = (n) => n === 'e' || n === 'ec' || (n !== undefined && n.length >= 2 && n.startsWith('en') && 'encodedcommand'.startsWith(n));
const isCommand = (n) => n === 'c' || (n !== undefined && n.length >= 3 && 'command'.startsWith(n));

const args = [...argv];
let script;
for (let i = 0; i < args.length; i++) {
  if (isEncodedCommand(paramName(args[i]))) {
    script = Buffer.from(args[i + 1] ?? '', 'base64').toString('utf16le');
    args[i + 1] = Buffer.from(`${IMPORT_LINE}\n${script}`, 'utf16le').toString('base64');
    break;
  }
  if (isCommand(paramName(args[i]))) {
    // Everything after -Command is the command (pwsh joins the rest of argv with spaces).
    script = args.slice(i + 1).join(' ');
    args.splice(i + 1, args.length, `${IMPORT_LINE}; ${script}`);
    break;
  }
  if (['-outputformat', '-of', '-inputformat', '-if', '-executionpolicy', '-ep', '-windowstyle', '-w', '-workingdirectory', '-wd', '-configurationname', '-settingsfile'].includes(args[i].toLowerCase())) i++;
}
if (script === undefined) args.push('-Command', IMPORT_LINE);

const stateFile = process.env.DEFENDER_STANDIN_STATE || path.join(__dirname, 'state.json');
const runLog = `${stateFile}.runs.jsonl`;
function log(entry) {
  try {
    fs.appendFileSync(runLog, `${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...entry })}\n`);
  } catch {
    // The log is for test assertions and diagnostics only.
  }
}
log({ argv, script: script ?? null });

// stdout/stderr pass through and are also recorded (kind: 'result'), so a test can check that a script printed
// exactly one JSON document and nothing on stderr.
const child = spawn(process.env.DTM_PWSH || 'pwsh', args, { stdio: ['inherit', 'pipe', 'pipe'] });
const LIMIT = 1 << 20;
const captured = { stdout: '', stderr: '' };
for (const name of ['stdout', 'stderr']) {
  child[name].on('data', (chunk) => {
    process[name].write(chunk);
    if (captured[name].length < LIMIT) captured[name] += chunk.toString('utf8');
  });
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    try {
      child.kill(signal);
    } catch {
      // gone
    }
  });
}
child.on('error', (err) => {
  process.stderr.write(`PowerShell stand-in: cannot start ${process.env.DTM_PWSH || 'pwsh'}: ${err.message}\n`);
  process.exit(127);
});
child.on('close', (code, signal) => {
  log({ kind: 'result', exitCode: code, signal, ...captured });
  if (signal) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
});
