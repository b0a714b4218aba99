/** Helpers for tests that drive the PowerShell stand-in: its path, and reading/writing its device state. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTempDir } from '../../support/tempDirs';

/** The stand-in's folder in the source tree (this file may run compiled from out/test/doubles/powershell). */
function standinDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'doubles', 'powershell');
    if (fs.existsSync(path.join(candidate, 'Modules', 'DtmStandIn'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the PowerShell stand-in above ${__dirname}`);
  }
}

export const STANDIN_DIR = standinDir();
/** The launcher under the Windows PowerShell name (the product's default executable name). */
export const STANDIN_PATH = path.join(STANDIN_DIR, 'powershell');
/** The same launcher under the PowerShell 7 name (VS Code injects shell integration only into `pwsh`). */
export const STANDIN_PWSH_PATH = path.join(STANDIN_DIR, 'pwsh');
/** The device every state file starts from (DtmStandIn merges a state file's top-level keys over it). */
export const DEFAULT_STATE_FILE = path.join(STANDIN_DIR, 'Modules', 'DtmStandIn', 'defaultState.json');

function defaultState(): StandinState {
  return JSON.parse(fs.readFileSync(DEFAULT_STATE_FILE, 'utf8')) as StandinState;
}

export interface StandinState {
  computerName?: string;
  elevated?: boolean;
  defender?: 'present' | 'missing' | 'stopped';
  runningMode?: string;
  tamperProtected?: boolean;
  culture?: string;
  troubleshooting?: { startTime: string; endTime: string } | null;
  /** Set-MpPreference has -DisableTamperProtection on this device (it is in neither reference interface). */
  moduleHasDisableTamperProtection?: boolean;
  /**
   * Tamper protection keeps blocking during an active troubleshooting session until it is turned off (the docs' steps:
   * "first turn off tamper protection"); only turning it off gets through. Default false: a session lets every change
   * through. The sample device (scripts/lib/sample.mjs) sets it, so its playbooks can show a silent block.
   */
  tamperBlocksDuringTroubleshooting?: boolean;
  /** Pins the device's clock (ISO); default: the real clock. */
  now?: string;
  oldPlatform?: boolean;
  preferences?: Record<string, unknown>;
  /** The Defender operational log; Data is the named event data ('Old Value', 'New Value', 'Value'). */
  events?: { Id: number; TimeCreated: string; Message: string; RecordId?: number; Data?: Record<string, string> }[];
  processes?: Record<string, { id: number; cpuPercent: number; cpuPercentWithExclusions?: number }>;
  /** The performance analyzer (Handlers/MpPerformance.ps1): WPR already recording, how long a recording waits, its scans. */
  performance?: { wprBusy?: boolean; sleepMs?: number; recording?: boolean; scans?: Record<string, unknown>[] };
  [key: string]: unknown;
}

export function readState(file: string): StandinState {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StandinState;
}

export function writeState(file: string, state: StandinState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

export function updateState(file: string, patch: (s: StandinState) => void): void {
  const s = fs.existsSync(file) ? readState(file) : {};
  patch(s);
  writeState(file, s);
}

/** A troubleshooting session that started `startedMinutesAgo` and lasts 4 hours (defender.md §2.1). */
export function activeSession(now = new Date(), startedMinutesAgo = 79): { startTime: string; endTime: string } {
  const start = new Date(now.getTime() - startedMinutesAgo * 60_000);
  return { startTime: start.toISOString(), endTime: new Date(start.getTime() + 4 * 3600_000).toISOString() };
}

export function expiredSession(now = new Date()): { startTime: string; endTime: string } {
  return { startTime: new Date(now.getTime() - 5 * 3600_000).toISOString(), endTime: new Date(now.getTime() - 3600_000).toISOString() };
}

/** The stand-in's default device state plus `patch`. */
export function freshState(patch: StandinState = {}): StandinState {
  return { ...defaultState(), ...patch };
}

/** A fresh temp dir with a state file (defaults of the stand-in plus `initial`). */
export function tempStandin(initial: StandinState = {}): { dir: string; stateFile: string } {
  const dir = makeTempDir('dtm-standin-');
  const stateFile = path.join(dir, 'state.json');
  writeState(stateFile, { ...defaultState(), ...initial });
  return { dir, stateFile };
}

interface RunLogEntry {
  pid: number;
  kind?: 'result';
  argv?: string[];
  script?: string;
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
}

function runLog(stateFile: string): RunLogEntry[] {
  const f = `${stateFile}.runs.jsonl`;
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunLogEntry);
}

/** Script runs the stand-in saw (argv and decoded script, before the launcher's import line), for assertions. */
export function runsOf(stateFile: string): { argv: string[]; script: string }[] {
  return runLog(stateFile)
    .filter((e) => e.kind !== 'result')
    .map((e) => ({ argv: e.argv ?? [], script: e.script ?? '' }));
}

/** Each non-interactive run with what real pwsh printed and its exit code, in order. */
export function runResultsOf(stateFile: string): { argv: string[]; script: string; exitCode: number | null; stdout: string; stderr: string }[] {
  const entries = runLog(stateFile);
  return entries
    .filter((e) => e.kind !== 'result')
    .map((run) => {
      const result = entries.find((e) => e.kind === 'result' && e.pid === run.pid);
      return { argv: run.argv ?? [], script: run.script ?? '', exitCode: result?.exitCode ?? null, stdout: result?.stdout ?? '', stderr: result?.stderr ?? '' };
    });
}

/**
 * Real PowerShell 7 for the tests: $DTM_PWSH (npm test sets it), else `pwsh` on the PATH, else the copy
 * scripts/lib/setup.mjs installs into the cache. Throws (never skips) with what to do when there is none.
 */
export function requirePwsh(): string {
  const candidates: string[] = [];
  if (process.env.DTM_PWSH) candidates.push(process.env.DTM_PWSH);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'pwsh'));
  const cacheRoot = process.env.DEFENDER_TS_CACHE
    ? path.resolve(process.env.DEFENDER_TS_CACHE)
    : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'defender-troubleshooting-dev');
  // setup.mjs's folder (ReadyToRun-compiled), then the IL-only folder earlier versions of it installed.
  candidates.push(path.join(cacheRoot, 'pwsh-7.6.9-r2r', 'pwsh'), path.join(cacheRoot, 'pwsh-7.6.9', 'pwsh'));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (path.resolve(c) === path.resolve(STANDIN_PWSH_PATH)) continue;
      process.env.DTM_PWSH = c;
      return c;
    } catch {
      // next
    }
  }
  throw new Error(
    'PowerShell 7 (pwsh) not found: run `npm test` or `npm run test:unit` (scripts/lib/setup.mjs installs it with ' +
      '`dotnet tool install PowerShell --version 7.6.9`; without the .NET SDK install it or PowerShell from Microsoft\'s ' +
      'Debian packages), or set DTM_PWSH to a pwsh 7 executable.',
  );
}
