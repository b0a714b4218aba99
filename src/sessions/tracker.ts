import * as vscode from 'vscode';
import { DefenderApiError } from '../api/errors';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import {
  diffStages,
  evaluateLifecycle,
  needsPolling,
  nextStageChangeAt,
  notificationsFor,
  pruneRequests,
  queryWindowStart,
  SessionIndex,
  type Clock,
  type LifecycleSession,
  type LiveStage,
  type NotifiedStage,
  type Transition,
} from '../defender/sessionLifecycle';
import { PollPlanner, serviceClockOffset, troubleshootingQuery, troubleshootingTimespan, type PollOutcome } from '../defender/sessionPolling';
import { localObservationEvents, localObservationSignature, type LocalObservation } from '../defender/localSession';
import type { SessionRequest, TroubleshootEvent } from '../defender/sessions';
import { extractTroubleshootEvents, fromStored, mergeEvents, type StoredEvent } from '../hunting/model/sessionsFeed';
import { TROUBLESHOOT_EVENTS_KEY } from '../hunting/sessionsSource';
import { columnsFromSchema, rowsFromResults } from '../webview-ui/results/model';

export const REQUESTS_KEY = 'defenderTroubleshooting.sessions.requests';

interface StoredRequest {
  readonly id?: string;
  readonly name: string;
  readonly at: string;
}

/** What one run of the troubleshooting query gives back (Graph huntingQueryResults, plus the response's Date). */
export interface HuntingRunResult {
  readonly schema: readonly { readonly name: string; readonly type: string }[];
  readonly results: readonly Record<string, unknown>[];
  /** The response's Date header: the service's clock. */
  readonly serverDate?: string;
}

export type HuntingRun = (query: string, timespan: string) => Promise<HuntingRunResult>;

export type { LocalObservation } from '../defender/localSession';

export interface TrackerSettings {
  readonly endingSoonMs: number;
  readonly pollIntervalMs: number;
}

export interface TrackerDeps {
  readonly memento: vscode.Memento;
  readonly log: ILogger;
  /** Runs the troubleshooting query; undefined when hunting is not available. */
  readonly run?: HuntingRun;
  /** Whether a background query may run now (signed in, trusted): it never pops a sign-in. */
  readonly canRun: () => boolean;
  readonly settings: () => TrackerSettings;
  /** The device VS Code runs on: its session is announced even when it was not requested here. */
  readonly isOwnDevice?: (session: LifecycleSession) => boolean;
  /** Tells people about a transition (de-duplicated by the caller). */
  readonly notify: (stage: NotifiedStage, session: LifecycleSession, transition: Transition) => Promise<void>;
}

export interface PollResult {
  readonly ran: boolean;
  readonly events?: number;
  readonly error?: string;
  readonly nextAt?: Date;
}

/**
 * Tracks troubleshooting sessions: requests the user made (persisted in globalState), hunting events (the shared
 * event store that manual hunting runs also feed), and This device's own status. Re-evaluates the lifecycle on a
 * timer at each stage change, polls the troubleshooting query while something is requested or live, and reports
 * transitions for notifications.
 */
export class SessionTracker extends Disposable {
  readonly index: SessionIndex;
  /** Our clock, moved to the service's when the service's Date header says it differs (timestamps are the service's). */
  readonly clock: Clock;
  private offsetMs = 0;
  private stages = new Map<string, LiveStage>();
  private current: LifecycleSession[] = [];
  private readonly planner = new PollPlanner();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private stageTimer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<PollResult> | undefined;
  private evaluating: Promise<Transition[]> = Promise.resolve([]);
  private localSignature = '';
  /** Bumped by reset(): a poll or a This-device report from before it must not write into the new scope. */
  private generation = 0;
  private resetAt = 0;
  lastQueryAt: Date | undefined;
  lastError: string | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: TrackerDeps) {
    super();
    this.clock = { now: () => new Date(Date.now() + this.offsetMs) };
    this.index = new SessionIndex(this.clock);
    this.register({
      dispose: () => {
        clearTimeout(this.pollTimer);
        clearTimeout(this.stageTimer);
      },
    });
  }

  /** Where requests and events persist (globalState); a second tracker on it acts like a reload or another window. */
  get memento(): vscode.Memento {
    return this.deps.memento;
  }

  get serviceOffsetMs(): number {
    return this.offsetMs;
  }

  sessions(): readonly LifecycleSession[] {
    return this.current;
  }

  requests(): SessionRequest[] {
    const raw = this.deps.memento.get<unknown>(REQUESTS_KEY);
    if (!Array.isArray(raw)) return [];
    return (raw as StoredRequest[])
      .filter((r) => r && typeof r.name === 'string' && typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)))
      .map((r) => ({ deviceId: r.id, deviceName: r.name, requestedAt: new Date(r.at) }));
  }

  private events(): TroubleshootEvent[] {
    const v = this.deps.memento.get<unknown>(TROUBLESHOOT_EVENTS_KEY);
    const stored = Array.isArray(v) ? (v as StoredEvent[]).filter((e) => e && typeof e.t === 'string' && typeof e.id === 'string') : [];
    return stored.map(fromStored);
  }

  private async storeEvents(incoming: readonly TroubleshootEvent[]): Promise<void> {
    const v = this.deps.memento.get<unknown>(TROUBLESHOOT_EVENTS_KEY);
    const stored = Array.isArray(v) ? (v as StoredEvent[]) : [];
    await this.deps.memento.update(TROUBLESHOOT_EVENTS_KEY, mergeEvents(stored, incoming, this.clock.now()));
  }

  /** Records requests ("turned on in the portal at this time"), then re-evaluates and polls soon. */
  async addRequests(requests: readonly SessionRequest[]): Promise<void> {
    const now = this.clock.now();
    const all = pruneRequests([...this.requests(), ...requests], now);
    const stored: StoredRequest[] = all.map((r) => ({ id: r.deviceId, name: r.deviceName, at: r.requestedAt.toISOString() }));
    await this.deps.memento.update(REQUESTS_KEY, stored);
    await this.evaluate();
    this.schedulePoll(Date.now() + 60_000);
  }

  /** Re-reads everything and reports the transitions since the last evaluation (serialised). */
  evaluate(): Promise<Transition[]> {
    this.evaluating = this.evaluating.then(
      () => this.evaluateNow(),
      () => this.evaluateNow(),
    );
    return this.evaluating;
  }

  private async evaluateNow(): Promise<Transition[]> {
    const { endingSoonMs } = this.deps.settings();
    const sessions = evaluateLifecycle(this.events(), this.requests(), this.clock, { endingSoonMs });
    const { stages, transitions } = diffStages(this.stages, sessions);
    this.stages = stages;
    this.current = sessions;
    this.index.update(sessions);
    this.changed.fire();
    for (const t of transitions) {
      // Announced: sessions requested from here and This device's; the rest of the tenant only shows in the views.
      const mine = !!t.session.requestedAt || !!t.session.deviceId?.startsWith('local:') || !!this.deps.isOwnDevice?.(t.session);
      const stage = mine ? notificationsFor(t) : undefined;
      this.deps.log.info(`${t.key}: ${t.from ?? 'new'} → ${t.to}`);
      if (stage) await this.deps.notify(stage, t.session, t).catch((err) => this.deps.log.warn(`notification failed: ${String(err)}`));
    }
    this.scheduleStageTimer();
    if (needsPolling(sessions, this.clock.now()) && !this.pollTimer && !this.polling) this.schedulePoll(this.planner.nextAt(Date.now()) - this.planner.interval + 5_000);
    return transitions;
  }

  /** Re-evaluates when the next stage change is due (at most a minute away, so "time left" stays current). */
  private scheduleStageTimer(): void {
    clearTimeout(this.stageTimer);
    const now = this.clock.now().getTime();
    const { endingSoonMs } = this.deps.settings();
    const due = this.current
      .map((s) => nextStageChangeAt(s, { endingSoonMs }))
      .filter((d): d is Date => !!d)
      .map((d) => d.getTime() - now);
    if (due.length === 0) return;
    const delay = Math.max(1000, Math.min(60_000, ...due.map((d) => d + 250)));
    this.stageTimer = setTimeout(() => void this.evaluate(), delay);
  }

  private schedulePoll(at: number): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll(false);
    }, Math.max(1000, at - Date.now()));
  }

  /** Runs the troubleshooting query now (manual) or on the schedule; skips when nothing needs it or the quota says wait. */
  poll(manual = true): Promise<PollResult> {
    // A manual refresh during a scheduled run runs again after it: it must see data as of now.
    if (this.polling && manual) return this.polling.then(() => this.poll(true));
    this.polling ??= this.pollNow(manual).finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollNow(manual: boolean): Promise<PollResult> {
    const run = this.deps.run;
    this.planner.setPolicy({ intervalMs: this.deps.settings().pollIntervalMs, maxPerHour: 20, maxBackoffMs: 60 * 60_000 });
    const wanted = manual || needsPolling(this.current, this.clock.now());
    if (!run || !wanted || !this.deps.canRun()) return { ran: false };
    const localNow = Date.now();
    if (!this.planner.mayRun(localNow)) {
      const nextAt = this.planner.nextAt(localNow);
      this.schedulePoll(nextAt);
      return { ran: false, error: 'waiting for the hunting quota', nextAt: new Date(nextAt) };
    }
    const generation = this.generation;
    const now = this.clock.now();
    const start = queryWindowStart(this.requests(), now);
    const windowMinutes = (now.getTime() - start.getTime()) / 60_000;
    this.planner.started(localNow);
    let outcome: PollOutcome = { kind: 'ok' };
    let result: PollResult;
    try {
      const res = await run(troubleshootingQuery(windowMinutes), troubleshootingTimespan(windowMinutes));
      const offset = serviceClockOffset(res.serverDate, Date.now());
      if (offset !== undefined && offset !== this.offsetMs) {
        this.offsetMs = offset;
        if (offset) this.deps.log.info(`the service's clock differs from this machine's by ${Math.round(offset / 1000)} s; times follow the service`);
      }
      const columns = columnsFromSchema(res.schema);
      const events = extractTroubleshootEvents(columns, rowsFromResults(columns, res.results), troubleshootingQuery(windowMinutes)) ?? [];
      // Read for a tenant that was left meanwhile (reset): not written into the new one's store.
      if (events.length && generation === this.generation) await this.storeEvents(events);
      this.lastQueryAt = this.clock.now();
      this.lastError = undefined;
      this.deps.log.info(`troubleshooting query: ${events.length} event(s) in the last ${Math.round(windowMinutes)} min`);
      result = { ran: true, events: events.length };
    } catch (err) {
      const throttled = err instanceof DefenderApiError && err.status === 429;
      const retryAfter = err instanceof DefenderApiError ? err.retryAfter : (err as { retryAfter?: number }).retryAfter;
      outcome = throttled || (err as { status?: number }).status === 429 ? { kind: 'throttled', retryAfterSec: retryAfter } : { kind: 'error' };
      this.lastError = err instanceof Error ? err.message : String(err);
      this.deps.log.warn(`troubleshooting query failed${outcome.kind === 'throttled' ? ' (throttled)' : ''}: ${this.lastError}`);
      result = { ran: true, error: this.lastError };
    }
    const nextAt = this.planner.finished(outcome, Date.now());
    await this.evaluate();
    if (needsPolling(this.current, this.clock.now()) || outcome.kind !== 'ok') this.schedulePoll(nextAt);
    else {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    return { ...result, nextAt: new Date(nextAt) };
  }

  /**
   * Starts over on what the store holds now (the tenant changed: the sample was left). Known stages, the poll
   * schedule and This device's last report are dropped; a poll still running, or a report read before now, is
   * discarded instead of being written into the new tenant's store. Nothing is announced for sessions that went.
   */
  async reset(): Promise<void> {
    this.generation++;
    this.resetAt = Date.now();
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.stages = new Map();
    this.localSignature = '';
    this.lastQueryAt = undefined;
    this.lastError = undefined;
    await this.evaluate();
  }

  /**
   * This device's own report feeds its session: an active status becomes a start (with the device's end time as
   * the expiry); a status that turns off after an active one ends it.
   */
  async observeLocal(obs: LocalObservation | undefined): Promise<void> {
    if (!obs || obs.active === undefined || obs.readAt.getTime() < this.resetAt) return;
    const signature = localObservationSignature(obs);
    if (signature === this.localSignature) return;
    this.localSignature = signature;
    const events = localObservationEvents(obs, this.events());
    if (!events.length) return;
    await this.storeEvents(events);
    await this.evaluate();
  }
}
