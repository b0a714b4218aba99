/**
 * Keeps what the sample tenant records (its tracked sessions, the troubleshooting events its hunting runs fed, the
 * notifications it announced) apart from a real tenant's, in the same persisted store (VS Code's globalState).
 * While the sample is in use every key gets a suffix; leaving the sample shows the real tenant's data again and
 * forgets the sample's. Pure: `PersistedState` is the shape of vscode.Memento, so globalState fits as it is.
 */

/** The part of vscode.Memento this needs. */
export interface PersistedState {
  keys(): readonly string[];
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** Appended to every key while the sample tenant is in use. */
export const SAMPLE_KEY_SUFFIX = '@sample';

export class TenantScopedState implements PersistedState {
  constructor(
    private readonly inner: PersistedState,
    private readonly sampleActive: () => boolean,
  ) {}

  private scoped(key: string): string {
    return this.sampleActive() ? `${key}${SAMPLE_KEY_SUFFIX}` : key;
  }

  /** The keys of the scope in use, without the suffix. */
  keys(): readonly string[] {
    const sample = this.sampleActive();
    return this.inner
      .keys()
      .filter((k) => k.endsWith(SAMPLE_KEY_SUFFIX) === sample)
      .map((k) => (sample ? k.slice(0, -SAMPLE_KEY_SUFFIX.length) : k));
  }

  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    const v = this.inner.get<T>(this.scoped(key));
    return v === undefined ? defaultValue : v;
  }

  update(key: string, value: unknown): Thenable<void> {
    return this.inner.update(this.scoped(key), value);
  }

  /** Removes everything the sample recorded; returns the keys removed. A real tenant's keys are never touched. */
  async forgetSample(): Promise<string[]> {
    const removed = this.inner.keys().filter((k) => k.endsWith(SAMPLE_KEY_SUFFIX));
    for (const k of removed) await this.inner.update(k, undefined);
    return [...removed];
  }
}
