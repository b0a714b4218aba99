/**
 * Troubleshooting sessions as a state machine, built from advanced hunting's AntivirusTroubleshootModeEvent
 * rows (defender.md §2.4) and, optionally, from "I turned it on in the portal" requests.
 *
 *   (requested) ──► pending ──start event──► active ──< 30 min left──► expiring ──expiry / end event──► expired
 *                      │                        └──────────────── end event / expiry ─────────────────────┘
 *                      └── no start seen within 15 min + 4 h ──► expired (never seen active)
 *
 * Facts used: a session lasts 4 hours (the current docs; older docs said 3), it can take up to 15 minutes to
 * become active after the portal command, and it cannot be ended early from the portal (so there is no
 * "stop" transition; an end event is the device reporting the end). The expiry comes from the event's
 * TroubleshootingStateExpiry when present, else from TroubleshootingStateRemainingMinutes, else start + 4 h.
 * Only "ChangeReason contains 'started'" is documented; the end/update readings below are heuristics and
 * say so in `classifyEvent`.
 */

export const SESSION_LENGTH_MS = 4 * 60 * 60_000;
export const ACTIVATION_WINDOW_MS = 15 * 60_000;
export const EXPIRING_THRESHOLD_MS = 30 * 60_000;

export type SessionState = 'pending' | 'active' | 'expiring' | 'expired';

/** One AntivirusTroubleshootModeEvent, with AdditionalFields already read. */
export interface TroubleshootEvent {
  readonly timestamp: Date;
  readonly deviceId: string;
  readonly deviceName?: string;
  readonly state?: string;
  readonly previousState?: string;
  readonly startTime?: Date;
  readonly expiry?: Date;
  readonly remainingMinutes?: number;
  readonly changeReason?: string;
  readonly changeSource?: string;
}

/** The user asked for troubleshooting mode in the portal at `requestedAt`. */
export interface SessionRequest {
  readonly deviceId?: string;
  readonly deviceName: string;
  readonly requestedAt: Date;
}

export interface TroubleshootingSession {
  /** Stable: device and start (or request) time. */
  readonly id: string;
  readonly deviceId?: string;
  readonly deviceName?: string;
  readonly requestedAt?: Date;
  readonly start?: Date;
  readonly expiry?: Date;
  /** Where the expiry came from. */
  readonly expirySource?: 'expiry-field' | 'remaining-minutes' | 'assumed-4h';
  /** When the device reported the end, if it did. */
  readonly endedAt?: Date;
  readonly lastEventAt?: Date;
  readonly lastReason?: string;
  readonly changeSource?: string;
  readonly eventCount: number;
}

export interface SessionStatus {
  readonly state: SessionState;
  /** Milliseconds until expiry (active/expiring). */
  readonly timeLeftMs?: number;
  /** Pending for longer than the documented 15 minutes. */
  readonly activationOverdue?: boolean;
  /** Pending: milliseconds since the request. Expired: milliseconds since it ended. */
  readonly sinceMs?: number;
  /** An expired session that was requested but never seen active. */
  readonly neverActive?: boolean;
}

export type EventKind = 'start' | 'end' | 'update';

/**
 * Reads an event. Documented: a start's ChangeReason contains "started". Heuristic (values undocumented):
 * a reason saying ended/expired/stopped/turned off, or a state of off/disabled, is an end; anything else
 * (e.g. "ending soon") updates the running session.
 */
export function classifyEvent(e: TroubleshootEvent): EventKind {
  const reason = (e.changeReason ?? '').toLowerCase();
  if (reason.includes('started')) return 'start';
  if (/\b(ended|expired|stopped|turned off|disabled|completed)\b/.test(reason)) return 'end';
  const state = (e.state ?? '').toLowerCase();
  const prev = (e.previousState ?? '').toLowerCase();
  if (/^(off|disabled|inactive|false|0)$/.test(state)) return 'end';
  if (/^(on|enabled|active|true|1)$/.test(state) && /^(off|disabled|inactive|false|0)$/.test(prev)) return 'start';
  return 'update';
}

interface Draft {
  deviceId?: string;
  deviceName?: string;
  requestedAt?: Date;
  start?: Date;
  expiry?: Date;
  expirySource?: TroubleshootingSession['expirySource'];
  endedAt?: Date;
  lastEventAt?: Date;
  lastReason?: string;
  changeSource?: string;
  eventCount: number;
}

function expiryFrom(e: TroubleshootEvent, start: Date | undefined): Pick<Draft, 'expiry' | 'expirySource'> {
  if (e.expiry) return { expiry: e.expiry, expirySource: 'expiry-field' };
  if (e.remainingMinutes !== undefined && Number.isFinite(e.remainingMinutes)) {
    return { expiry: new Date(e.timestamp.getTime() + e.remainingMinutes * 60_000), expirySource: 'remaining-minutes' };
  }
  if (start) return { expiry: new Date(start.getTime() + SESSION_LENGTH_MS), expirySource: 'assumed-4h' };
  return {};
}

/** A better expiry replaces a guessed one; a guess never replaces a reported one. */
function mergeExpiry(d: Draft, e: TroubleshootEvent): void {
  const next = expiryFrom(e, d.start);
  if (!next.expiry) return;
  const rank = { 'expiry-field': 3, 'remaining-minutes': 2, 'assumed-4h': 1 } as const;
  if (!d.expirySource || rank[next.expirySource!] >= rank[d.expirySource]) {
    d.expiry = next.expiry;
    d.expirySource = next.expirySource;
  }
}

const SAME_START_MS = 2 * 60_000;

/**
 * Folds events (any order, any devices) and requests into sessions. Duplicate start events for the same
 * start (re-sent rows, overlapping queries) collapse into one session.
 */
export function buildSessions(
  events: readonly TroubleshootEvent[],
  requests: readonly SessionRequest[] = [],
): TroubleshootingSession[] {
  const byDevice = new Map<string, TroubleshootEvent[]>();
  for (const e of events) {
    if (!e.deviceId || Number.isNaN(e.timestamp.getTime())) continue;
    let list = byDevice.get(e.deviceId);
    if (!list) byDevice.set(e.deviceId, (list = []));
    list.push(e);
  }
  const drafts: Draft[] = [];
  for (const [deviceId, list] of byDevice) {
    list.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    const mine: Draft[] = [];
    let open: Draft | undefined;
    for (const e of list) {
      const kind = classifyEvent(e);
      const start = e.startTime ?? (kind === 'start' ? e.timestamp : undefined);
      if (start) {
        const existing = mine.find((d) => d.start && Math.abs(d.start.getTime() - start.getTime()) <= SAME_START_MS);
        if (existing) open = existing;
        else if (kind === 'start' || !open || (open.start && Math.abs(open.start.getTime() - start.getTime()) > SAME_START_MS)) {
          open = { deviceId, deviceName: e.deviceName, start, eventCount: 0 };
          mine.push(open);
        }
      }
      if (!open) {
        // An update or end with no start in sight: keep what it says about expiry.
        open = { deviceId, deviceName: e.deviceName, eventCount: 0 };
        mine.push(open);
      }
      open.eventCount++;
      open.deviceName = e.deviceName ?? open.deviceName;
      open.lastEventAt = e.timestamp;
      open.lastReason = e.changeReason ?? open.lastReason;
      open.changeSource = e.changeSource ?? open.changeSource;
      mergeExpiry(open, e);
      if (kind === 'end') {
        open.endedAt = e.timestamp;
        open = undefined;
      }
    }
    drafts.push(...mine);
  }
  for (const r of requests) {
    const match = drafts.find(
      (d) =>
        (r.deviceId ? d.deviceId === r.deviceId : sameName(d.deviceName, r.deviceName)) &&
        d.start !== undefined &&
        d.start.getTime() >= r.requestedAt.getTime() - SAME_START_MS,
    );
    if (match) {
      if (!match.requestedAt || match.requestedAt > r.requestedAt) match.requestedAt = r.requestedAt;
    } else {
      drafts.push({ deviceId: r.deviceId, deviceName: r.deviceName, requestedAt: r.requestedAt, eventCount: 0 });
    }
  }
  return drafts.map((d) => {
    const key = d.start ?? d.requestedAt ?? d.lastEventAt;
    return {
      id: `${d.deviceId ?? d.deviceName ?? 'device'}@${key ? key.toISOString() : 'unknown'}`,
      deviceId: d.deviceId,
      deviceName: d.deviceName,
      requestedAt: d.requestedAt,
      start: d.start,
      expiry: d.expiry ?? (d.start ? new Date(d.start.getTime() + SESSION_LENGTH_MS) : undefined),
      expirySource: d.expirySource ?? (d.start ? 'assumed-4h' : undefined),
      endedAt: d.endedAt,
      lastEventAt: d.lastEventAt,
      lastReason: d.lastReason,
      changeSource: d.changeSource,
      eventCount: d.eventCount,
    };
  });
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const short = (s: string) => s.toLowerCase().split('.')[0];
  return a.toLowerCase() === b.toLowerCase() || short(a) === short(b);
}

/** Where a session stands at `now`. */
export function sessionStatus(s: TroubleshootingSession, now: Date): SessionStatus {
  const t = now.getTime();
  if (!s.start) {
    if (s.requestedAt) {
      const since = t - s.requestedAt.getTime();
      if (since > ACTIVATION_WINDOW_MS + SESSION_LENGTH_MS) {
        return { state: 'expired', sinceMs: since - ACTIVATION_WINDOW_MS - SESSION_LENGTH_MS, neverActive: true };
      }
      return { state: 'pending', sinceMs: Math.max(0, since), activationOverdue: since > ACTIVATION_WINDOW_MS };
    }
    // Only an end or update without a start: judge by what we know.
    if (s.endedAt && s.endedAt.getTime() <= t) return { state: 'expired', sinceMs: t - s.endedAt.getTime() };
    if (s.expiry && s.expiry.getTime() > t) return liveStatus(s.expiry.getTime() - t);
    return { state: 'expired', sinceMs: s.expiry ? t - s.expiry.getTime() : undefined };
  }
  if (s.start.getTime() > t) {
    // A start in the future (clock skew): treat as just requested.
    return { state: 'pending', sinceMs: 0 };
  }
  const end = Math.min(s.endedAt?.getTime() ?? Infinity, s.expiry?.getTime() ?? s.start.getTime() + SESSION_LENGTH_MS);
  if (end <= t) return { state: 'expired', sinceMs: t - end };
  return liveStatus(end - t);
}

function liveStatus(timeLeftMs: number): SessionStatus {
  return { state: timeLeftMs < EXPIRING_THRESHOLD_MS ? 'expiring' : 'active', timeLeftMs };
}

/** The transitions a clock tick or an event can make; anything else is refused. */
const ALLOWED: Readonly<Record<SessionState, readonly SessionState[]>> = {
  pending: ['pending', 'active', 'expiring', 'expired'],
  active: ['active', 'expiring', 'expired'],
  expiring: ['expiring', 'expired'],
  expired: ['expired'],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return ALLOWED[from].includes(to);
}

/** When the session's state will next change on its own (for a refresh timer), or undefined. */
export function nextChangeAt(s: TroubleshootingSession, now: Date): Date | undefined {
  const st = sessionStatus(s, now);
  const t = now.getTime();
  if (st.state === 'pending' && s.requestedAt) {
    const overdueAt = s.requestedAt.getTime() + ACTIVATION_WINDOW_MS;
    return new Date(overdueAt > t ? overdueAt : s.requestedAt.getTime() + ACTIVATION_WINDOW_MS + SESSION_LENGTH_MS);
  }
  if ((st.state === 'active' || st.state === 'expiring') && st.timeLeftMs !== undefined) {
    const end = t + st.timeLeftMs;
    return new Date(st.state === 'active' ? end - EXPIRING_THRESHOLD_MS : end);
  }
  return undefined;
}

/** Live sessions first (least time left first), then pending, then expired (most recent first). */
export function orderSessions(sessions: readonly TroubleshootingSession[], now: Date): TroubleshootingSession[] {
  const rank: Record<SessionState, number> = { expiring: 0, active: 1, pending: 2, expired: 3 };
  const withStatus = sessions.map((s) => ({ s, st: sessionStatus(s, now) }));
  withStatus.sort((a, b) => {
    const r = rank[a.st.state] - rank[b.st.state];
    if (r !== 0) return r;
    if (a.st.timeLeftMs !== undefined && b.st.timeLeftMs !== undefined) return a.st.timeLeftMs - b.st.timeLeftMs;
    return (a.st.sinceMs ?? 0) - (b.st.sinceMs ?? 0);
  });
  return withStatus.map((x) => x.s);
}
