import { systemClock, type Clock } from './http';

/** At most `limit` calls in any `windowMs`. */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
}

/** List Machines / MachineActions: 100 calls a minute and 1,500 an hour (defender.md §0 fact 7, §1.3). */
export const MACHINES_RATE: readonly RateWindow[] = [
  { limit: 100, windowMs: 60_000 },
  { limit: 1500, windowMs: 3_600_000 },
];

/** GetPackageUri: 2 calls a minute and 120 an hour (defender.md §1.3). */
export const PACKAGE_URI_RATE: readonly RateWindow[] = [
  { limit: 2, windowMs: 60_000 },
  { limit: 120, windowMs: 3_600_000 },
];

/**
 * A client-side sliding-window limiter: `acquire` waits until a call fits every window, then records it. The
 * service's own 429 + Retry-After stays the authority (the client honours it); this keeps us from asking for
 * 429s in the first place. `pauseUntil` lets a 429 hold every caller sharing the limiter.
 */
export class RateLimiter {
  private readonly calls: number[] = [];
  private pausedUntil = 0;

  constructor(
    readonly windows: readonly RateWindow[],
    private readonly clock: Clock = systemClock,
  ) {}

  /** Milliseconds until the next call is allowed (0 = now). */
  delay(): number {
    const now = this.clock.now();
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    while (this.calls.length && this.calls[0]! <= now - longest) this.calls.shift();
    let wait = Math.max(0, this.pausedUntil - now);
    for (const w of this.windows) {
      const inWindow = this.calls.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) {
        // The oldest call that must leave the window before one more fits.
        const oldest = inWindow[inWindow.length - w.limit]!;
        wait = Math.max(wait, oldest + w.windowMs - now);
      }
    }
    return wait;
  }

  /** Waits (abortable) until a call is allowed, then counts it. `onWait` hears of each wait before it starts. */
  async acquire(signal?: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    for (;;) {
      const wait = this.delay();
      if (wait <= 0) {
        this.calls.push(this.clock.now());
        return;
      }
      onWait?.(wait);
      await this.clock.sleep(wait, signal);
    }
  }

  /** Holds every caller until `ms` from now (a 429's Retry-After). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** Calls counted in the last `windowMs`. */
  used(windowMs: number): number {
    const now = this.clock.now();
    return this.calls.filter((t) => t > now - windowMs).length;
  }
}
