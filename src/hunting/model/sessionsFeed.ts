/**
 * From hunting results to the Sessions view (pure): recognises results of the troubleshooting snippets,
 * reads their rows as AntivirusTroubleshootModeEvent events, keeps a bounded event history across runs,
 * and turns sessions into tree rows.
 */
import { mdCode, mdText } from '../../core/markdown';
import type { NodeVM } from '../../core/treeModel';
import { formatDuration } from '../../defender/computerStatus';
import {
  buildSessions,
  orderSessions,
  sessionStatus,
  type SessionStatus,
  type TroubleshootEvent,
  type TroubleshootingSession,
} from '../../defender/sessions';
import type { GridColumn, Row } from '../../webview-ui/results/model';

export const TS_ACTION_TYPE = 'AntivirusTroubleshootModeEvent';

const KEYS = {
  state: 'TroubleshootingState',
  previousState: 'TroubleshootingPreviousState',
  startTime: 'TroubleshootingStartTime',
  expiry: 'TroubleshootingStateExpiry',
  remainingMinutes: 'TroubleshootingStateRemainingMinutes',
  changeReason: 'TroubleshootingStateChangeReason',
  changeSource: 'TroubleshootingStateChangeSource',
} as const;
type Key = keyof typeof KEYS;

/** Stored form of an event (JSON-safe, for workspace/global state). */
export interface StoredEvent {
  readonly t: string;
  readonly id: string;
  readonly name?: string;
  readonly state?: string;
  readonly prev?: string;
  readonly start?: string;
  readonly exp?: string;
  readonly rem?: number;
  readonly reason?: string;
  readonly src?: string;
}

function findColumn(columns: readonly GridColumn[], name: string): number {
  const lower = name.toLowerCase();
  return columns.findIndex((c) => c.name.toLowerCase() === lower);
}

function asObject(cell: unknown): Record<string, unknown> | undefined {
  if (cell && typeof cell === 'object' && !Array.isArray(cell)) return cell as Record<string, unknown>;
  if (typeof cell === 'string' && cell.startsWith('{') && cell.includes('Troubleshooting')) {
    try {
      const v: unknown = JSON.parse(cell);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function date(v: unknown): Date | undefined {
  const s = text(v);
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

function number(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : Number(text(v));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Reads troubleshooting events out of a result, or returns undefined when the result is not about
 * troubleshooting mode. Properties may come as flattened columns (`_tsmodeproperties_TroubleshootingState`),
 * as bare columns, or inside a dynamic/JSON column (`_tsmodeproperties`, `AdditionalFields`). A summarised
 * result of the docs' "devices currently in troubleshooting mode" snippet (DeviceId + Timestamp of the latest
 * start) counts as start events when the query filters on "started".
 */
export function extractTroubleshootEvents(
  columns: readonly GridColumn[],
  rows: readonly Row[],
  query = '',
): TroubleshootEvent[] | undefined {
  const ts = findColumn(columns, 'Timestamp');
  const id = findColumn(columns, 'DeviceId');
  if (ts < 0 || id < 0) return undefined;
  const name = findColumn(columns, 'DeviceName');
  const action = findColumn(columns, 'ActionType');
  const flat = new Map<Key, number>();
  for (const key of Object.keys(KEYS) as Key[]) {
    const wanted = KEYS[key].toLowerCase();
    const idx = columns.findIndex((c) => {
      const n = c.name.toLowerCase();
      return n === wanted || n.endsWith(`_${wanted}`);
    });
    if (idx >= 0) flat.set(key, idx);
  }
  const flatIndices = new Set(flat.values());
  const bagColumns = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c, i }) => !flatIndices.has(i) && (c.kind === 'dynamic' || /additionalfields|properties/i.test(c.name)) && i !== ts && i !== id)
    .map(({ i }) => i);
  const mentionsTs = query.includes(TS_ACTION_TYPE);
  const startedOnly = mentionsTs && /TroubleshootingStateChangeReason\s+(contains|has)\s+["']started["']/i.test(query);

  const events: TroubleshootEvent[] = [];
  let sawProperties = false;
  for (const row of rows) {
    if (action >= 0 && row[action] !== TS_ACTION_TYPE) continue;
    const when = date(row[ts]);
    const deviceId = text(row[id]);
    if (!when || !deviceId) continue;
    const bag: Record<string, unknown> = {};
    for (const i of bagColumns) Object.assign(bag, asObject(row[i]) ?? {});
    const get = (key: Key): unknown => {
      const i = flat.get(key);
      const v = i !== undefined ? row[i] : undefined;
      return v !== undefined && v !== null ? v : bag[KEYS[key]];
    };
    const ev: TroubleshootEvent = {
      timestamp: when,
      deviceId,
      deviceName: name >= 0 ? text(row[name]) : undefined,
      state: text(get('state')),
      previousState: text(get('previousState')),
      startTime: date(get('startTime')),
      expiry: date(get('expiry')),
      remainingMinutes: number(get('remainingMinutes')),
      changeReason: text(get('changeReason')),
      changeSource: text(get('changeSource')),
    };
    const hasProps = Object.keys(KEYS).some((k) => get(k as Key) !== undefined && get(k as Key) !== null);
    if (hasProps) sawProperties = true;
    if (!hasProps && startedOnly) {
      events.push({ ...ev, changeReason: 'started (from the query filter)' });
    } else if (hasProps || (action >= 0 && mentionsTs)) {
      events.push(ev);
    }
  }
  if (!sawProperties && !startedOnly && !(action >= 0 && mentionsTs)) return undefined;
  return events;
}

export function toStored(e: TroubleshootEvent): StoredEvent {
  return {
    t: e.timestamp.toISOString(),
    id: e.deviceId,
    name: e.deviceName,
    state: e.state,
    prev: e.previousState,
    start: e.startTime?.toISOString(),
    exp: e.expiry?.toISOString(),
    rem: e.remainingMinutes,
    reason: e.changeReason,
    src: e.changeSource,
  };
}

export function fromStored(s: StoredEvent): TroubleshootEvent {
  const d = (v: string | undefined) => (v ? new Date(v) : undefined);
  return {
    timestamp: new Date(s.t),
    deviceId: s.id,
    deviceName: s.name,
    state: s.state,
    previousState: s.prev,
    startTime: d(s.start),
    expiry: d(s.exp),
    remainingMinutes: s.rem,
    changeReason: s.reason,
    changeSource: s.src,
  };
}

/** How long events are kept: long enough to show recently expired sessions, short enough to stay small. */
export const EVENT_RETENTION_MS = 7 * 24 * 60 * 60_000;
export const MAX_STORED_EVENTS = 2000;

/** Merges new events into the stored ones: deduplicated, old ones dropped, newest kept when over the cap. */
export function mergeEvents(stored: readonly StoredEvent[], incoming: readonly TroubleshootEvent[], now: Date): StoredEvent[] {
  const byKey = new Map<string, StoredEvent>();
  const key = (s: StoredEvent) => `${s.id}|${s.t}|${s.reason ?? ''}|${s.state ?? ''}`;
  for (const s of stored) byKey.set(key(s), s);
  for (const e of incoming) {
    const s = toStored(e);
    byKey.set(key(s), s);
  }
  const cutoff = now.getTime() - EVENT_RETENTION_MS;
  return [...byKey.values()]
    .filter((s) => Date.parse(s.t) >= cutoff)
    .sort((a, b) => Date.parse(b.t) - Date.parse(a.t))
    .slice(0, MAX_STORED_EVENTS);
}

function shortName(s: TroubleshootingSession): string {
  if (s.deviceName) return s.deviceName;
  return s.deviceId ? `${s.deviceId.slice(0, 8)}…` : 'Unknown device';
}

export function describeStatus(st: SessionStatus): string {
  switch (st.state) {
    case 'active':
      return `Active · ${formatDuration(st.timeLeftMs ?? 0)} left`;
    case 'expiring':
      return `Expiring · ${formatDuration(st.timeLeftMs ?? 0)} left`;
    case 'pending':
      return st.activationOverdue
        ? `Pending · ${formatDuration(st.sinceMs ?? 0)}, longer than the usual 15 min`
        : `Pending · requested ${formatDuration(st.sinceMs ?? 0)} ago`;
    case 'expired':
      return st.neverActive ? 'Expired · never seen active' : `Expired ${formatDuration(st.sinceMs ?? 0)} ago`;
  }
}

const ICONS: Record<SessionStatus['state'], [string, NodeVM['tone']]> = {
  active: ['pass', 'ok'],
  expiring: ['warning', 'warning'],
  pending: ['clock', 'info'],
  expired: ['history', 'muted'],
};

function when(d: Date | undefined): string {
  return d ? `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC` : 'unknown';
}

export function sessionNode(s: TroubleshootingSession, now: Date): NodeVM {
  const st = sessionStatus(s, now);
  const [icon, tone] = ICONS[st.state];
  const expiryNote =
    s.expirySource === 'expiry-field'
      ? 'reported by the device (TroubleshootingStateExpiry)'
      : s.expirySource === 'remaining-minutes'
        ? 'from TroubleshootingStateRemainingMinutes'
        : 'assumed: start + 4 hours';
  const lines = [
    `**${mdText(shortName(s))}**: ${mdText(describeStatus(st))}`,
    '',
    s.deviceId ? `Device id: ${mdCode(s.deviceId)}` : undefined,
    s.requestedAt ? `Requested: ${when(s.requestedAt)}` : undefined,
    s.start ? `Started: ${when(s.start)}` : 'Not seen active yet (activation can take up to 15 minutes).',
    s.expiry ? `Expires: ${when(s.expiry)} (${expiryNote})` : undefined,
    s.endedAt ? `Ended: ${when(s.endedAt)}` : undefined,
    s.lastReason ? `Last event: ${mdText(s.lastReason)}${s.lastEventAt ? ` at ${when(s.lastEventAt)}` : ''}` : undefined,
    '',
    'From advanced hunting (DeviceEvents, AntivirusTroubleshootModeEvent). A session cannot be ended early; it ends on its own.',
  ].filter((l): l is string => l !== undefined);
  return {
    id: `hunting-session/${s.id}`,
    label: shortName(s),
    description: describeStatus(st),
    tooltip: lines.join('\n\n').replace(/\n\n\n\n/g, '\n\n'),
    icon,
    tone,
    contextValue: `session ${st.state} fromHunting`,
  };
}

/** Tree rows for the Sessions view, from stored events. Expired sessions older than a day are left out. */
export function sessionRows(stored: readonly StoredEvent[], now: Date): NodeVM[] {
  const sessions = buildSessions(stored.map(fromStored));
  const dayAgo = now.getTime() - 24 * 60 * 60_000;
  const recent = sessions.filter((s) => {
    const st = sessionStatus(s, now);
    return st.state !== 'expired' || now.getTime() - (st.sinceMs ?? 0) >= dayAgo;
  });
  return orderSessions(recent, now).map((s) => sessionNode(s, now));
}
