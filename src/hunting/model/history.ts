import { l10n } from '../../core/l10n';
/**
 * Run history per .kql file (pure). The adapter keeps the map in workspace state; entries are small
 * (the query text, capped, and a summary of the outcome, never result rows).
 */
export type RunStatus = 'ok' | 'error' | 'cancelled';

export interface HistoryEntry {
  readonly id: string;
  /** Epoch ms when the run started. */
  readonly at: number;
  readonly query: string;
  readonly timespan: string;
  /** 0-based line of the query in its file when it ran. */
  readonly line: number;
  readonly status: RunStatus;
  readonly rowCount?: number;
  readonly durationMs?: number;
  /** Failure title and message, for errors. */
  readonly error?: string;
}

export type HistoryMap = Readonly<Record<string, readonly HistoryEntry[]>>;

export const MAX_ENTRIES_PER_FILE = 50;
export const MAX_FILES = 100;
export const MAX_QUERY_CHARS = 20_000;
/** All files together: workspace state is not a database. The oldest entries go first. */
export const MAX_TOTAL_CHARS = 2_000_000;

/** Adds an entry (newest first), capping entries per file and the number of files (least recently run go). */
export function addHistory(map: HistoryMap, uri: string, entry: HistoryEntry): HistoryMap {
  const trimmed: HistoryEntry = entry.query.length > MAX_QUERY_CHARS ? { ...entry, query: entry.query.slice(0, MAX_QUERY_CHARS) } : entry;
  const list = [trimmed, ...(map[uri] ?? []).filter((e) => e.id !== entry.id)].slice(0, MAX_ENTRIES_PER_FILE);
  const next: Record<string, readonly HistoryEntry[]> = { ...map, [uri]: list };
  const files = Object.keys(next);
  if (files.length > MAX_FILES) {
    files
      .sort((a, b) => (next[b]![0]?.at ?? 0) - (next[a]![0]?.at ?? 0))
      .slice(MAX_FILES)
      .forEach((f) => delete next[f]);
  }
  let total = Object.values(next).reduce((n, list) => n + list.reduce((m, e) => m + e.query.length, 0), 0);
  while (total > MAX_TOTAL_CHARS) {
    let oldest: { file: string; at: number } | undefined;
    for (const [file, list] of Object.entries(next)) {
      const last = list[list.length - 1];
      if (last && (!oldest || last.at < oldest.at)) oldest = { file, at: last.at };
    }
    if (!oldest) break;
    const list = next[oldest.file]!;
    total -= list[list.length - 1]!.query.length;
    if (list.length === 1) delete next[oldest.file];
    else next[oldest.file] = list.slice(0, -1);
  }
  return next;
}

export function historyFor(map: HistoryMap, uri: string): readonly HistoryEntry[] {
  return map[uri] ?? [];
}

export function clearHistory(map: HistoryMap, uri: string): HistoryMap {
  const next = { ...map };
  delete next[uri];
  return next;
}

/** Reads stored state defensively (older or hand-edited state must not break the command). */
export function readHistoryMap(value: unknown): HistoryMap {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, HistoryEntry[]> = {};
  for (const [uri, list] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    const entries = list.filter(
      (e): e is HistoryEntry =>
        !!e && typeof e === 'object' && typeof (e as HistoryEntry).id === 'string' && typeof (e as HistoryEntry).query === 'string' && typeof (e as HistoryEntry).at === 'number',
    );
    if (entries.length) out[uri] = entries;
  }
  return out;
}

export function firstLine(query: string, max = 80): string {
  const line =
    query
      .split(/\r\n|\r|\n/)
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('//')) ?? query.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return 'just now';
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** Quick-pick text for an entry. */
export function describeEntry(e: HistoryEntry, now: number): { label: string; description: string; detail: string } {
  const icon = e.status === 'ok' ? '$(pass)' : e.status === l10n.t('cancelled') ? '$(circle-slash)' : '$(error)';
  const outcome =
    e.status === 'ok'
      ? (e.rowCount === 1 ? l10n.t('1 row') : l10n.t('{0} rows', (e.rowCount ?? 0).toLocaleString('en-US'))) + (e.durationMs !== undefined ? l10n.t(' in {0} s', (e.durationMs / 1000).toFixed(1)) : '')
      : e.status === l10n.t('cancelled')
        ? l10n.t('cancelled')
        : (e.error ?? l10n.t('failed'));
  return {
    label: `${icon} ${firstLine(e.query)}`,
    description: l10n.t('{0} · {1} · line {2}', ago(now - e.at), e.timespan, e.line + 1),
    detail: outcome,
  };
}
