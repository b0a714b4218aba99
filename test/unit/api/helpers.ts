import { AbortError } from '../../../src/api/errors';
import type { Clock } from '../../../src/api/http';

/**
 * A clock shared by the client and an in-process emulator: `sleep` moves time forward at once, so a
 * 60-second Retry-After costs nothing and both sides agree on what time it is.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public current = Date.now()) {}
  now(): number {
    return this.current;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    this.sleeps.push(ms);
    this.current += ms;
  }
}

export const TEST_TOKEN = 'test-token-eyJhbGciOiJub25lIn0.never-logged';

/** A token provider that counts its calls. */
export function tokenSource(tokens: (string | undefined)[] = [TEST_TOKEN]) {
  const calls: { refresh: boolean }[] = [];
  return {
    calls,
    getToken: async ({ refresh }: { refresh: boolean }) => {
      calls.push({ refresh });
      return tokens[Math.min(calls.length - 1, tokens.length - 1)];
    },
  };
}
