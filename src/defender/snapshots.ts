/**
 * Get-MpPreference snapshots, stored durably per device and time: <root>/<device>/<time>.json, written to a temp
 * file, flushed and renamed, so a crash leaves either the old state or a complete file, never a broken one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DefenderToolError } from '../core/errors';
import { asrActionName, findAsrRule } from './asrRules';
import type { Change } from './operations';
import { asBoolean, asNumber, asrEntries, exclusions, sameText, THREE_STATE_NAMES, type ExclusionList, type Preferences } from './preferences';
import { l10n } from '../core/l10n';

export interface Snapshot {
  readonly version: 1;
  readonly device: string;
  /** ISO time. */
  readonly takenAt: string;
  readonly reason: string;
  /** Tamper protection is a status, not a preference; kept so undo can restore it. */
  readonly isTamperProtected?: boolean;
  readonly preferences: Preferences;
}

export interface SnapshotRef {
  readonly device: string;
  readonly takenAt: Date;
  readonly file: string;
}

/** A folder name safe on every OS for a device name. */
export function deviceFolder(device: string): string {
  const cleaned = device.trim().replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 80);
  return cleaned || 'device';
}

function fileStamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-');
}
function parseStamp(name: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(?:\.\d+)?Z)\.json$/.exec(name);
  if (!m) return undefined;
  const d = new Date(`${m[1]}:${m[2]}:${m[3]}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** JSON with sorted keys, so two snapshots diff line by line. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** Writes a file so that readers see the old content or the whole new content. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export class SnapshotStore {
  constructor(readonly root: string) {}

  async save(snapshot: Snapshot): Promise<SnapshotRef> {
    const takenAt = new Date(snapshot.takenAt);
    const dir = path.join(this.root, deviceFolder(snapshot.device));
    let file = path.join(dir, `${fileStamp(takenAt)}.json`);
    // Two snapshots in the same millisecond: never overwrite.
    for (let n = 1; await exists(file); n++) file = path.join(dir, `${fileStamp(new Date(takenAt.getTime() + n))}.json`);
    await writeFileAtomic(file, stableJson(snapshot));
    return { device: snapshot.device, takenAt: parseStamp(path.basename(file)) ?? takenAt, file };
  }

  /** Oldest first. Temp files and files that do not parse as a snapshot name are ignored. */
  async list(device: string): Promise<SnapshotRef[]> {
    const dir = path.join(this.root, deviceFolder(device));
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    return names
      .map((name) => ({ name, takenAt: parseStamp(name) }))
      .filter((x): x is { name: string; takenAt: Date } => x.takenAt !== undefined)
      .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime())
      .map((x) => ({ device, takenAt: x.takenAt, file: path.join(dir, x.name) }));
  }

  /** Reads and validates one snapshot; a damaged file is a CorruptFileError that names it and says what is wrong. */
  async read(file: string): Promise<Snapshot> {
    const text = await fs.readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new CorruptFileError(file, `it is not complete JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const problem = snapshotProblem(parsed);
    if (problem) throw new CorruptFileError(file, problem);
    return parsed as Snapshot;
  }

  /**
   * The first readable snapshot of `refs` (in the order given), and the damaged ones skipped on the way. Undo
   * uses it to fall back from a damaged first snapshot to the next good one of the session.
   */
  async readFirstGood(refs: readonly SnapshotRef[]): Promise<{ ref: SnapshotRef; snapshot: Snapshot; damaged: CorruptFileError[] } | { damaged: CorruptFileError[] }> {
    const damaged: CorruptFileError[] = [];
    for (const ref of refs) {
      try {
        return { ref, snapshot: await this.read(ref.file), damaged };
      } catch (err) {
        if (!(err instanceof CorruptFileError)) throw err;
        damaged.push(err);
      }
    }
    return { damaged };
  }
}

/** A file the extension wrote earlier that cannot be used as it is (truncated, edited, wrong shape). */
export class CorruptFileError extends DefenderToolError {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string) {
    super('corrupt-file', l10n.t('{0} is damaged: {1}.', file, problem));
    this.file = file;
    this.problem = problem;
  }
}

/** What is wrong with a parsed snapshot, or undefined when it has the shape `Snapshot` promises. */
export function snapshotProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `its version is ${JSON.stringify(v.version)}, not 1`;
  if (typeof v.device !== 'string') return '"device" is missing or not text';
  if (typeof v.takenAt !== 'string' || Number.isNaN(Date.parse(v.takenAt))) return '"takenAt" is missing or not a time';
  if (v.reason !== undefined && typeof v.reason !== 'string') return '"reason" is not text';
  if (v.isTamperProtected !== undefined && typeof v.isTamperProtected !== 'boolean') return '"isTamperProtected" is not true or false';
  const p = v.preferences;
  if (!p || typeof p !== 'object' || Array.isArray(p)) return `"preferences" is ${p === null ? 'null' : Array.isArray(p) ? 'a list' : 'missing'}, not an object`;
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The changes that put back what the extension's playbooks can change, comparing the first snapshot with now:
 * real-time protection, PUA and network protection, ASR rules, exclusions, and tamper protection (last, so the
 * other restores are not blocked by it).
 */
export function restoreChanges(first: Snapshot, now: { preferences: Preferences; isTamperProtected?: boolean }): Change[] {
  const changes: Change[] = [];
  const a = first.preferences;
  const b = now.preferences;

  const rtpBefore = asBoolean(a.DisableRealtimeMonitoring);
  if (rtpBefore !== undefined && rtpBefore !== asBoolean(b.DisableRealtimeMonitoring)) {
    changes.push({ kind: 'realtimeMonitoring', disable: rtpBefore });
  }
  for (const setting of ['PUAProtection', 'EnableNetworkProtection'] as const) {
    const before = asNumber(a[setting]);
    if (before !== undefined && THREE_STATE_NAMES[before] && before !== asNumber(b[setting])) {
      changes.push({ kind: 'threeState', setting, value: before });
    }
  }
  const asrBefore = new Map(asrEntries(a).map((e) => [e.guid, e.action]));
  const asrNow = new Map(asrEntries(b).map((e) => [e.guid, e.action]));
  for (const [guid, action] of asrBefore) {
    if (asrNow.get(guid) !== action && findAsrRule(guid) && asrActionName(action)) changes.push({ kind: 'asrRule', guid, action });
  }
  for (const guid of asrNow.keys()) {
    if (!asrBefore.has(guid) && findAsrRule(guid)) changes.push({ kind: 'asrRuleRemove', guid });
  }
  for (const list of ['ExclusionPath', 'ExclusionExtension', 'ExclusionProcess'] as ExclusionList[]) {
    const before = exclusions(a, list);
    const current = exclusions(b, list);
    if (before === 'hidden' || current === 'hidden') continue;
    const added = current.filter((v) => !before.some((x) => sameText(x, v)));
    const removed = before.filter((v) => !current.some((x) => sameText(x, v)));
    if (added.length) changes.push({ kind: 'exclusions', list, op: 'remove', values: added });
    if (removed.length) changes.push({ kind: 'exclusions', list, op: 'add', values: removed });
  }
  if (first.isTamperProtected === true && now.isTamperProtected === false) {
    changes.push({ kind: 'tamperProtection', disable: false });
  }
  return changes;
}
