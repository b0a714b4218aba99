/** Helpers for tests that drive the PowerShell stand-in: its path, and reading/writing its device state. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '../../support/tempDirs';

/** The stand-in's folder in the source tree (this file may run compiled from out/test/doubles/powershell). */
function standinDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'doubles', 'powershell');
    if (fs.existsSync(path.join(candidate, 'defender.js'))) return candidate;
    if (fs.existsSync(path.join(dir, 'defender.js'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the PowerShell stand-in above ${__dirname}`);
  }
}

export const STANDIN_DIR = standinDir();
export const STANDIN_PATH = path.join(STANDIN_DIR, 'powershell');

export interface StandinState {
  computerName?: string;
  elevated?: boolean;
  defender?: 'present' | 'missing' | 'stopped';
  runningMode?: string;
  tamperProtected?: boolean;
  culture?: string;
  troubleshooting?: { startTime: string; endTime: string } | null;
  oldPlatform?: boolean;
  preferences?: Record<string, unknown>;
  events?: { Id: number; TimeCreated: string; Message: string; RecordId?: number }[];
  processes?: Record<string, { id: number; cpuPercent: number; cpuPercentWithExclusions?: number }>;
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
  const { defaultState } = require(path.join(STANDIN_DIR, 'defender.js')) as { defaultState: () => StandinState };
  return { ...defaultState(), ...patch };
}

/** A fresh temp dir with a state file (defaults of the stand-in plus `initial`). */
export function tempStandin(initial: StandinState = {}): { dir: string; stateFile: string } {
  const dir = makeTempDir('dtm-standin-');
  const stateFile = path.join(dir, 'state.json');
  const { defaultState } = require(path.join(STANDIN_DIR, 'defender.js')) as { defaultState: () => StandinState };
  writeState(stateFile, { ...defaultState(), ...initial });
  return { dir, stateFile };
}

/** Script runs the stand-in saw (argv and decoded script), for assertions. */
export function runsOf(stateFile: string): { argv: string[]; script: string }[] {
  const f = `${stateFile}.runs.jsonl`;
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; script: string });
}
