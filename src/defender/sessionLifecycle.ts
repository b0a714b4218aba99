/**
 * The troubleshooting session as a lifecycle (issue 8 items 2–4), pure, with an injected clock:
 *
 *   requested ──device reports it──► active ──≤ endingSoon left──► endingSoon ──expiry / end event──► ended
 *       │                              ▲
 *       └── nothing seen within 15 min + margin ──► notActivated ──(seen late)──┘
 *
 * Facts (defender.md §0 #2–3, §2.1): activation can take up to 15 minutes after the portal command; a session lasts
 * 4 hours (older docs: 3), so the expiry comes from the data (the event's TroubleshootingStateExpiry /
 * RemainingMinutes, or the device's TroubleShootingEndTime) and 4 h is assumed only when the data lacks it; a
 * session cannot be ended early, so there is no "stop" transition.
 *
 * Requests (what the user asked for in the portal) and observations (hunting AntivirusTroubleshootModeEvent rows,
 * This device's Get-MpComputerStatus) are folded by `buildSessions`; this module gives each session a stable key,
 * a stage, and the transitions between two evaluations, which drive notifications.
 */
import type { DeviceTroubleshootingInfo, DeviceTroubleshootingLookup, TroubleshootingStage, Unsubscribe } from './deviceTroubleshooting';
import { ACTIVATION_WINDOW_MS, buildSessions, SESSION_LENGTH_MS, type SessionRequest, type TroubleshootEvent, type TroubleshootingSession } from './sessions';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Beyond the documented 15 minutes: hunting events arrive with some latency, and polls are minutes apart. */
export const ACTIVATION_MARGIN_MS = 10 * 60_000;
export const DEFAULT_ENDING_SOON_MS = 30 * 60_000;

export interface LifecycleOptions {
  /** Time left under which a session is "ending soon" (setting sessions.endingSoonMinutes). */
  readonly endingSoonMs?: number;
  readonly activationMarginMs?: number;
}

export type LiveStage = Exclude<TroubleshootingStage, 'none'>;

export interface LifecycleSession {
  /** Stable across stages: device and request time (or start time when nobody requested it here). */
  readonly key: string;
  readonly deviceId?: string;
  readonly deviceName?: string;
  readonly stage: LiveStage;
  readonly requestedAt?: Date;
  readonly startedAt?: Date;
  readonly endsAt?: Date;
  readonly endsAtSource?: TroubleshootingSession['expirySource'];
  /** When the device reported the end (or the expiry passed). */
  readonly endedAt?: Date;
  /** Active/endingSoon: milliseconds until the end. */
  readonly timeLeftMs?: number;
  /** Requested/notActivated: when it counts as not activated (requestedAt + 15 min + margin). */
  readonly activationDeadline?: Date;
}

export function sessionKey(s: Pick<TroubleshootingSession, 'deviceId' | 'deviceName' | 'requestedAt' | 'start' | 'lastEventAt'>): string {
  const who = s.deviceId ?? s.deviceName?.toLowerCase() ?? 'device';
  const when = s.requestedAt ?? s.start ?? s.lastEventAt;
  return `${who}@${when ? when.toISOString() : 'unknown'}`;
}

/** The stage of one folded session at `now`. */
export function stageOf(s: TroubleshootingSession, now: Date, options: LifecycleOptions = {}): LifecycleSession {
  const endingSoonMs = options.endingSoonMs ?? DEFAULT_ENDING_SOON_MS;
  const margin = options.activationMarginMs ?? ACTIVATION_MARGIN_MS;
  const t = now.getTime();
  const base = {
    key: sessionKey(s),
    deviceId: s.deviceId,
    deviceName: s.deviceName,
    requestedAt: s.requestedAt,
    startedAt: s.start,
    endsAt: s.expiry,
    endsAtSource: s.expirySource,
  };
  if (!s.start && s.requestedAt) {
    const deadline = new Date(s.requestedAt.getTime() + ACTIVATION_WINDOW_MS + margin);
    return { ...base, stage: t <= deadline.getTime() ? 'requested' : 'notActivated', activationDeadline: deadline };
  }
  const end = Math.min(s.endedAt?.getTime() ?? Infinity, s.expiry?.getTime() ?? (s.start ? s.start.getTime() + SESSION_LENGTH_MS : Infinity));
  if (!s.start && end === Infinity) {
    // An update with nothing to time it by: only what it says about the past.
    return { ...base, stage: 'ended', endedAt: s.lastEventAt };
  }
  if (end <= t) return { ...base, stage: 'ended', endedAt: new Date(end) };
  const timeLeftMs = end - t;
  return { ...base, stage: timeLeftMs <= endingSoonMs ? 'endingSoon' : 'active', timeLeftMs };
}

/** Folds requests and observations into lifecycle sessions at the clock's now. */
export function evaluateLifecycle(
  events: readonly TroubleshootEvent[],
  requests: readonly SessionRequest[],
  clock: Clock,
  options: LifecycleOptions = {},
): LifecycleSession[] {
  const now = clock.now();
  return buildSessions(events, requests).map((s) => stageOf(s, now, options));
}

/** The transitions the lifecycle allows; an evaluation that would go backwards keeps the old stage. */
const ALLOWED: Readonly<Record<LiveStage, readonly LiveStage[]>> = {
  requested: ['active', 'endingSoon', 'ended', 'notActivated'],
  notActivated: ['active', 'endingSoon', 'ended'],
  active: ['endingSoon', 'ended'],
  endingSoon: ['ended'],
  ended: [],
};

export function canMove(from: LiveStage, to: LiveStage): boolean {
  return from === to || ALLOWED[from].includes(to);
}

export interface Transition {
  readonly key: string;
  readonly from: LiveStage | undefined;
  readonly to: LiveStage;
  readonly session: LifecycleSession;
}

/**
 * What changed between the stages known before (by key) and a new evaluation. A session seen for the first time
 * is a transition from `undefined` (so a session first seen already active notifies "active"). Moves the state
 * machine does not allow (e.g. ended → active after a stale read) are ignored, and the old stage is kept.
 */
export function diffStages(previous: ReadonlyMap<string, LiveStage>, next: readonly LifecycleSession[]): { stages: Map<string, LiveStage>; transitions: Transition[] } {
  const stages = new Map(previous);
  const transitions: Transition[] = [];
  for (const s of next) {
    const from = previous.get(s.key);
    if (from === s.stage) continue;
    if (from !== undefined && !canMove(from, s.stage)) continue;
    stages.set(s.key, s.stage);
    transitions.push({ key: s.key, from, to: s.stage, session: s });
  }
  return { stages, transitions };
}

/** Transitions people are told about. Skipped intermediate stages are not announced after the fact. */
export type NotifiedStage = 'active' | 'endingSoon' | 'ended' | 'notActivated';

export function notificationsFor(t: Transition): NotifiedStage | undefined {
  switch (t.to) {
    case 'active':
    case 'endingSoon':
    case 'notActivated':
      return t.to;
    case 'ended':
      // A session that ended long before we first saw it is history, not news.
      return t.from === undefined && t.session.endedAt && !t.session.requestedAt ? undefined : 'ended';
    default:
      return undefined;
  }
}

/** When the next stage change happens on its own (for a timer), or undefined. */
export function nextStageChangeAt(s: LifecycleSession, options: LifecycleOptions = {}): Date | undefined {
  const endingSoonMs = options.endingSoonMs ?? DEFAULT_ENDING_SOON_MS;
  if (s.stage === 'requested') return s.activationDeadline;
  if ((s.stage === 'active' || s.stage === 'endingSoon') && s.endsAt) {
    return s.stage === 'active' ? new Date(s.endsAt.getTime() - endingSoonMs) : s.endsAt;
  }
  return undefined;
}

/** Requested or active sessions keep the troubleshooting query running. */
export function needsPolling(sessions: readonly LifecycleSession[]): boolean {
  return sessions.some((s) => s.stage === 'requested' || s.stage === 'active' || s.stage === 'endingSoon' || s.stage === 'notActivated');
}

/**
 * Where the troubleshooting query's window starts: far enough back to cover a whole session plus activation
 * (4 h + 15 min + margin before now), or the oldest open request if that is older.
 */
export function queryWindowStart(requests: readonly SessionRequest[], now: Date, marginMs = ACTIVATION_MARGIN_MS): Date {
  const cover = now.getTime() - (SESSION_LENGTH_MS + ACTIVATION_WINDOW_MS + marginMs);
  const oldest = Math.min(...requests.map((r) => r.requestedAt.getTime()));
  return new Date(Math.min(cover, Number.isFinite(oldest) ? oldest - 60_000 : cover));
}

/** Requests older than a whole session plus activation and a day are forgotten. */
export function pruneRequests(requests: readonly SessionRequest[], now: Date): SessionRequest[] {
  const keepAfter = now.getTime() - (SESSION_LENGTH_MS + ACTIVATION_WINDOW_MS + 24 * 60 * 60_000);
  return requests.filter((r) => r.requestedAt.getTime() >= keepAfter);
}

export interface NotActivatedContext {
  /** The prerequisites verdict, when known, and its failing/unknown requirements. */
  readonly prerequisites?: { readonly verdict: 'pass' | 'fail' | 'unknown'; readonly problems: readonly string[] };
  /** The device's healthStatus and last full report (MDE Machine), when known. */
  readonly healthStatus?: string;
  readonly lastSeen?: Date;
  /** When the troubleshooting query last ran successfully, and how often it runs. */
  readonly lastQueryAt?: Date;
  readonly pollEveryMs?: number;
}

/** What to check when a request was not seen active within 15 minutes plus the margin. */
export function notActivatedChecks(s: LifecycleSession, ctx: NotActivatedContext, now: Date): string[] {
  const checks: string[] = [];
  const waited = s.requestedAt ? Math.round((now.getTime() - s.requestedAt.getTime()) / 60_000) : undefined;
  checks.push(
    `Nothing reported it active${waited !== undefined ? ` ${waited} min after the request` : ''}; the docs say it can take up to 15 minutes.`,
  );
  if (ctx.prerequisites) {
    if (ctx.prerequisites.verdict === 'fail') checks.push(`Prerequisites not met: ${ctx.prerequisites.problems.join('; ')}. The portal offers the command even on devices that do not meet them.`);
    else if (ctx.prerequisites.verdict === 'unknown') checks.push(`Prerequisites not confirmed: ${ctx.prerequisites.problems.join('; ')}.`);
  } else {
    checks.push('Prerequisites: check OS build, Defender Antivirus platform (4.18.2203 or later, active mode) and onboarding.');
  }
  if (ctx.healthStatus && ctx.healthStatus.toLowerCase() !== 'active') {
    checks.push(`The device's health is "${ctx.healthStatus}": it may be offline or not reporting.`);
  } else {
    checks.push('Is the device online and reporting? It only receives the command when connected.');
  }
  checks.push('The device page in the Defender portal: does it still say troubleshooting mode is pending, or did the request not go through?');
  checks.push(
    `Advanced hunting events arrive with some delay${ctx.lastQueryAt ? `; the query last ran ${Math.round((now.getTime() - ctx.lastQueryAt.getTime()) / 60_000)} min ago` : ''}${ctx.pollEveryMs ? ` and runs every ${Math.round(ctx.pollEveryMs / 60_000)} min` : ''}.`,
  );
  return checks;
}

// ---------------------------------------------------------------------------------------------------------------
// The seam (deviceTroubleshooting.ts): what the device list asks about a device.

const STAGE_RANK: Readonly<Record<LiveStage, number>> = { endingSoon: 0, active: 1, requested: 2, notActivated: 3, ended: 4 };
/** Ended sessions stay visible on a device row for a day. */
export const ENDED_VISIBLE_MS = 24 * 60 * 60_000;

function shortHost(name: string | undefined): string | undefined {
  return name ? name.toLowerCase().split('.')[0] : undefined;
}

/** "2 h 10 min", "12 min", "<1 min". */
export function formatLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1 min';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${m} min` : `${m} min`;
}

export function stageLabel(s: LifecycleSession, now: Date): string {
  switch (s.stage) {
    case 'requested':
      return `troubleshooting requested ${formatLeft(now.getTime() - (s.requestedAt?.getTime() ?? now.getTime()))} ago`;
    case 'notActivated':
      return 'troubleshooting requested · not seen active';
    case 'active':
      return `troubleshooting · ${formatLeft(s.timeLeftMs ?? 0)} left`;
    case 'endingSoon':
      return `troubleshooting ending · ${formatLeft(s.timeLeftMs ?? 0)} left`;
    case 'ended':
      return 'troubleshooting ended';
  }
}

/** The session that best describes a device now: live first (least time left), then requests, then the latest end. */
export function pickForDevice(
  sessions: readonly LifecycleSession[],
  machineId: string | undefined,
  deviceName: string | undefined,
  now: Date,
): LifecycleSession | undefined {
  const host = shortHost(deviceName);
  const mine = sessions.filter((s) => {
    if (machineId && s.deviceId) return s.deviceId === machineId;
    return host !== undefined && shortHost(s.deviceName) === host;
  });
  const visible = mine.filter((s) => s.stage !== 'ended' || (s.endedAt && now.getTime() - s.endedAt.getTime() <= ENDED_VISIBLE_MS));
  visible.sort((a, b) => {
    const r = STAGE_RANK[a.stage] - STAGE_RANK[b.stage];
    if (r) return r;
    if (a.timeLeftMs !== undefined && b.timeLeftMs !== undefined) return a.timeLeftMs - b.timeLeftMs;
    return (b.endedAt?.getTime() ?? b.requestedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? a.requestedAt?.getTime() ?? 0);
  });
  return visible[0];
}

/** Implements the seam over the latest evaluation; the tracker calls `update` after each one. */
export class SessionIndex implements DeviceTroubleshootingLookup {
  private sessions: readonly LifecycleSession[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock = systemClock) {}

  update(sessions: readonly LifecycleSession[]): void {
    this.sessions = sessions;
    for (const l of [...this.listeners]) l();
  }

  all(): readonly LifecycleSession[] {
    return this.sessions;
  }

  session(machineId: string | undefined, deviceName: string | undefined): LifecycleSession | undefined {
    return pickForDevice(this.sessions, machineId, deviceName, this.clock.now());
  }

  forDevice(machineId: string | undefined, deviceName: string | undefined): DeviceTroubleshootingInfo | undefined {
    const s = this.session(machineId, deviceName);
    if (!s) return undefined;
    return { stage: s.stage, label: stageLabel(s, this.clock.now()), requestedAt: s.requestedAt, startedAt: s.startedAt, endsAt: s.endsAt };
  }

  onDidChange(listener: () => void): Unsubscribe {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}
