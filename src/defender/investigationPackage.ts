/**
 * Collecting a device's investigation package (issue 8 item 6; defender.md §1.3): the collect request with its
 * required Comment, following the machine action to a final state, finding a collection already running (the
 * API answers 400 then), asking for the package URI within its 2-a-minute limit, and finding the troubleshooting
 * -mode evidence in the downloaded ZIP by looking at the entries' names. Pure: no vscode import.
 */
import { DefenderApiError } from '../api/errors';
import type { Clock } from '../api/http';
import { isFinalActionStatus, type MachineAction, type MdeClient } from '../api/mde';
import { formatCount } from './deviceGrouping';
import type { ZipEntry } from './zipDirectory';

export const COLLECT_ACTION_TYPE = 'CollectInvestigationPackage';

/** The permission the collect call needs (defender.md §1.1), as a delegated scope of the WindowsDefenderATP API. */
export const COLLECT_SCOPE = 'https://api.securitycenter.microsoft.com/Machine.CollectForensics';

export function validateComment(value: string): string | undefined {
  if (!value.trim()) return 'A comment is required (the API rejects a collection without one).';
  if (value.length > 1000) return 'Keep the comment under 1,000 characters.';
  return undefined;
}

/** The `$filter` for this device's collection actions (machineactions filters on machineId and type). */
export function collectionActionsFilter(machineId: string): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return `machineId eq ${q(machineId)} and type eq ${q(COLLECT_ACTION_TYPE)}`;
}

/** The newest collection of this device that is not in a final state. */
export function runningCollection(actions: readonly MachineAction[], machineId: string): MachineAction | undefined {
  return actions
    .filter((a) => (a.type ?? '').toLowerCase() === COLLECT_ACTION_TYPE.toLowerCase())
    .filter((a) => !a.machineId || a.machineId.toLowerCase() === machineId.toLowerCase())
    .filter((a) => !isFinalActionStatus(a.status))
    .sort((a, b) => Date.parse(b.creationDateTimeUtc ?? '') - Date.parse(a.creationDateTimeUtc ?? ''))[0];
}

export function actionStatusText(a: MachineAction): string {
  switch ((a.status ?? '').toLowerCase()) {
    case 'pending':
      return 'Pending: waiting for the device to pick up the request';
    case 'inprogress':
      return 'In progress on the device';
    case 'succeeded':
      return 'Succeeded';
    case 'failed':
      return 'Failed';
    case 'timeout':
      return 'Timed out';
    case 'cancelled':
      return 'Cancelled';
    default:
      return a.status ?? 'unknown';
  }
}

export interface FollowOptions {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Between polls (default 10 s; each poll is one of the 100 calls a minute). */
  readonly pollMs?: number;
  readonly onStatus?: (action: MachineAction) => void;
}

/** Polls `GET /api/machineactions/{id}` until the action is Succeeded, Failed, TimeOut or Cancelled. */
export async function followAction(client: MdeClient, actionId: string, options: FollowOptions): Promise<MachineAction> {
  let last: string | undefined;
  for (;;) {
    const action = await client.getMachineAction(actionId, options.signal);
    if (action.status !== last) {
      last = action.status ?? undefined;
      options.onStatus?.(action);
    }
    if (isFinalActionStatus(action.status)) return action;
    await options.clock.sleep(options.pollMs ?? 10_000, options.signal);
  }
}

/**
 * GetPackageUri, which answers 404 until the package is ready; retried (the client's limiter keeps it within
 * 2 a minute) up to `attempts` times.
 */
export async function packageUri(client: MdeClient, actionId: string, options: { clock: Clock; signal?: AbortSignal; attempts?: number; onWait?: (ms: number) => void }): Promise<string> {
  const attempts = options.attempts ?? 5;
  for (let i = 1; ; i++) {
    try {
      return await client.getPackageUri(actionId, options.signal, options.onWait);
    } catch (err) {
      if (!(err instanceof DefenderApiError && err.status === 404) || i >= attempts) throw err;
      await options.clock.sleep(30_000, options.signal);
    }
  }
}

/** A file name for the package: device name (safe characters) + action id prefix. */
export function packageFileName(deviceName: string, actionId: string): string {
  const base = deviceName.split('.')[0]!.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'device';
  return `${base}-investigation-${actionId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 8)}.zip`;
}

export type EvidenceKind = 'snapshot' | 'log' | 'other';

/**
 * What an entry looks like, from its name only. The docs say the package holds the MpPreference snapshots taken
 * before troubleshooting mode and just before it expires, and the operational logs of the session (defender.md
 * §1.3, §2.1), but not their file names; so: names mentioning MpPreference or troubleshooting are snapshots,
 * event logs (.evtx) and names mentioning Operational or log are logs. The label says it is a match by name.
 */
export function classifyEntry(name: string): EvidenceKind {
  const n = name.toLowerCase();
  const base = n.slice(n.lastIndexOf('/') + 1);
  if (/\.(evtx|log|etl)$/.test(base)) return 'log';
  if (/mppreference|troubleshoot/.test(base)) return 'snapshot';
  if (/operational|(^|[/_\-. ])logs?([/_\-. ]|$)/.test(n)) return 'log';
  return 'other';
}

export interface PackageListing {
  readonly files: readonly ZipEntry[];
  readonly snapshots: readonly ZipEntry[];
  readonly logs: readonly ZipEntry[];
  readonly totalBytes: number;
}

export function describePackage(entries: readonly ZipEntry[]): PackageListing {
  const files = entries.filter((e) => !e.isDirectory);
  return {
    files,
    snapshots: files.filter((e) => classifyEntry(e.name) === 'snapshot'),
    logs: files.filter((e) => classifyEntry(e.name) === 'log'),
    totalBytes: files.reduce((n, e) => n + e.size, 0),
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** "3.2 MB of 12.0 MB" or "3.2 MB" when the size is unknown. */
export function downloadProgressText(received: number, total: number | undefined): string {
  return total ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received);
}

/** Quick-pick rows: snapshots, then logs, then everything else, each with its size. */
export function entryPickItems(listing: PackageListing): { label: string; description: string; entry: ZipEntry }[] {
  const tag = (e: ZipEntry) => {
    const k = classifyEntry(e.name);
    return k === 'snapshot' ? 'troubleshooting snapshot (by name)' : k === 'log' ? 'log (by name)' : '';
  };
  const order = (e: ZipEntry) => ({ snapshot: 0, log: 1, other: 2 })[classifyEntry(e.name)];
  return [...listing.files]
    .sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : 1))
    .map((e) => ({ label: e.name, description: [formatBytes(e.size), tag(e)].filter(Boolean).join(' · '), entry: e }));
}

export const summary = (l: PackageListing) =>
  `${formatCount(l.files.length)} files, ${formatBytes(l.totalBytes)}; ${l.snapshots.length} look like troubleshooting snapshots, ${l.logs.length} like logs`;
