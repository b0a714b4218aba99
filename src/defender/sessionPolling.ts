/**
 * When the troubleshooting query re-runs (issue 8 item 3), pure. While a session is requested or active the
 * query runs on a schedule that stays well inside the advanced hunting limits (defender.md §0 #7, §1.5: 45
 * calls/min and 1,500/h for the legacy API, a CPU quota per window; Graph gives no figure, so assume the same):
 * every `intervalMs` (setting, default 5 min: 12 calls/h), never more than `maxPerHour` background runs in any
 * hour, and after a 429 it waits the Retry-After (or the quota message's time) and doubles the interval for each
 * failure in a row, up to an hour.
 */

export interface PollPolicy {
  readonly intervalMs: number;
  /** Background runs per rolling hour, at most (a small share of the 1,500/h the user's own queries also use). */
  readonly maxPerHour: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { intervalMs: 5 * 60_000, maxPerHour: 20, maxBackoffMs: 60 * 60_000 };
export const MIN_POLL_INTERVAL_MS = 60_000;

export type PollOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'throttled'; readonly retryAfterSec?: number }
  | { readonly kind: 'error' };

export class PollPlanner {
  private readonly runs: number[] = [];
  private failures = 0;
  private notBefore = 0;

  constructor(private policy: PollPolicy = DEFAULT_POLL_POLICY) {}

  setPolicy(policy: PollPolicy): void {
    this.policy = { ...policy, intervalMs: Math.max(MIN_POLL_INTERVAL_MS, policy.intervalMs) };
  }

  get interval(): number {
    return Math.max(MIN_POLL_INTERVAL_MS, this.policy.intervalMs);
  }

  /** Whether a run may start now (manual refreshes too: they respect a 429's wait and the hourly cap). */
  mayRun(now: number): boolean {
    this.trim(now);
    return now >= this.notBefore && this.runs.length < this.policy.maxPerHour;
  }

  /** Records a run's start. */
  started(now: number): void {
    this.runs.push(now);
  }

  /** Records the outcome and says when the next run should be. */
  finished(outcome: PollOutcome, now: number): number {
    if (outcome.kind === 'ok') {
      this.failures = 0;
      this.notBefore = 0;
      return this.nextAt(now);
    }
    this.failures++;
    const backoff = Math.min(this.policy.maxBackoffMs, this.interval * 2 ** Math.min(this.failures, 10));
    const retryAfter = outcome.kind === 'throttled' && outcome.retryAfterSec !== undefined ? outcome.retryAfterSec * 1000 : 0;
    const wait = Math.max(backoff, retryAfter);
    this.notBefore = now + (outcome.kind === 'throttled' ? Math.max(retryAfter, 1000) : 0);
    return now + wait;
  }

  /** The next regular run: one interval on, later if the hourly cap is reached. */
  nextAt(now: number): number {
    this.trim(now);
    let at = Math.max(now + this.interval, this.notBefore);
    if (this.runs.length >= this.policy.maxPerHour) at = Math.max(at, this.runs[0]! + 60 * 60_000);
    return at;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  private trim(now: number): void {
    while (this.runs.length && this.runs[0]! <= now - 60 * 60_000) this.runs.shift();
  }
}

/** The KQL the tracker runs: every troubleshooting-mode event in the window, with its properties. */
export function troubleshootingQuery(windowMinutes: number): string {
  const m = Math.max(1, Math.ceil(windowMinutes));
  return [
    'DeviceEvents',
    `| where Timestamp > ago(${m}m)`,
    '| where ActionType == "AntivirusTroubleshootModeEvent"',
    '| extend _tsmodeproperties = parse_json(AdditionalFields)',
    '| project Timestamp, DeviceId, DeviceName, ActionType, _tsmodeproperties',
  ].join('\n');
}

/** The Graph Timespan for the same window (a duration back from the service's now). */
export function troubleshootingTimespan(windowMinutes: number): string {
  return `PT${Math.max(1, Math.ceil(windowMinutes))}M`;
}

/**
 * Offset of the service's clock from ours, from a response's Date header; 0 unless it differs by more than the
 * threshold (the header has one-second resolution and arrives after network latency).
 */
export function serviceClockOffset(dateHeader: string | null | undefined, localNow: number, thresholdMs = 30_000): number | undefined {
  if (!dateHeader) return undefined;
  const t = Date.parse(dateHeader);
  if (Number.isNaN(t)) return undefined;
  const offset = t - localNow;
  return Math.abs(offset) > thresholdMs ? offset : 0;
}
