/**
 * The emulator's controllable clock (issue 8 item 8): real time plus an offset the test moves with
 * `POST /__admin/clock` (`{"set": "<ISO or epoch ms>"}` or `{"advanceMs": N}` / `{"advanceMinutes": N}`).
 * Hunting results (`ago()`, the Timespan window, scripted troubleshooting sessions) and the call budgets read it.
 * Time keeps flowing between moves, so a test that sets 10:00 sees 10:00:05 five seconds later.
 */
export interface EmulatorClockLike {
  now(): number;
}

export class ControllableClock implements EmulatorClockLike {
  private offsetMs = 0;

  constructor(private readonly base: EmulatorClockLike = { now: () => Date.now() }) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  /** Jumps to a time (epoch ms). */
  set(ms: number): void {
    this.offsetMs = ms - this.base.now();
  }

  /** Moves forward (or back, with a negative value). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Applies an admin request body; returns an error text when it is not understood. */
  apply(body: Record<string, unknown>): string | undefined {
    if (body.reset === true) {
      this.reset();
      return undefined;
    }
    if (body.set !== undefined) {
      const t = typeof body.set === 'number' ? body.set : typeof body.set === 'string' ? Date.parse(body.set) : NaN;
      if (!Number.isFinite(t)) return `"set" must be an ISO date or epoch milliseconds, got ${JSON.stringify(body.set)}`;
      this.set(t);
    }
    const advance = typeof body.advanceMs === 'number' ? body.advanceMs : typeof body.advanceMinutes === 'number' ? body.advanceMinutes * 60_000 : undefined;
    if (advance !== undefined) {
      if (!Number.isFinite(advance)) return '"advanceMs" must be a number';
      this.advance(advance);
    }
    if (body.set === undefined && advance === undefined) return 'Body must be {"set": "<ISO>"} or {"advanceMs": N} or {"advanceMinutes": N} or {"reset": true}';
    return undefined;
  }
}
