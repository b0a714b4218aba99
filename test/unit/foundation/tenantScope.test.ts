import * as assert from 'node:assert';
import { SAMPLE_KEY_SUFFIX, TenantScopedState, type PersistedState } from '../../../src/core/tenantScope';

/** globalState's behaviour: a key set to undefined is removed. */
class MapState implements PersistedState {
  readonly map = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.map.keys()];
  }
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
  }
}

describe('TenantScopedState: the sample tenant\'s records apart from a real tenant\'s (issue 11)', () => {
  const REQUESTS = 'defenderTroubleshooting.sessions.requests';
  let inner: MapState;
  let sample: boolean;
  let state: TenantScopedState;

  beforeEach(() => {
    inner = new MapState();
    sample = false;
    state = new TenantScopedState(inner, () => sample);
  });

  it('writes under the plain key for a real tenant and under a suffixed key while the sample is in use', async () => {
    await state.update(REQUESTS, ['real']);
    sample = true;
    assert.strictEqual(state.get(REQUESTS), undefined, "the sample does not see the real tenant's requests");
    await state.update(REQUESTS, ['sample']);
    assert.deepStrictEqual(state.get(REQUESTS), ['sample']);
    assert.deepStrictEqual(inner.get(REQUESTS), ['real']);
    assert.deepStrictEqual(inner.get(`${REQUESTS}${SAMPLE_KEY_SUFFIX}`), ['sample']);
    sample = false;
    assert.deepStrictEqual(state.get(REQUESTS), ['real']);
  });

  it('returns the default value when the scope has none', () => {
    assert.deepStrictEqual(state.get(REQUESTS, []), []);
    sample = true;
    assert.strictEqual(state.get('x', 3), 3);
  });

  it('lists the keys of the scope in use, without the suffix', async () => {
    await state.update('a', 1);
    sample = true;
    await state.update('b', 2);
    assert.deepStrictEqual(state.keys(), ['b']);
    sample = false;
    assert.deepStrictEqual(state.keys(), ['a']);
  });

  it('forgetSample removes every sample key and never a real tenant\'s, whichever scope is in use', async () => {
    await state.update(REQUESTS, ['real']);
    await state.update('defenderTroubleshooting.sessions.notified', { k: 1 });
    sample = true;
    await state.update(REQUESTS, ['sample']);
    await state.update('defenderTroubleshooting.hunting.troubleshootEvents', [{ t: 'x' }]);
    sample = false;
    const removed = await state.forgetSample();
    assert.deepStrictEqual(removed.sort(), [`defenderTroubleshooting.hunting.troubleshootEvents${SAMPLE_KEY_SUFFIX}`, `${REQUESTS}${SAMPLE_KEY_SUFFIX}`]);
    assert.deepStrictEqual([...inner.map.keys()].sort(), ['defenderTroubleshooting.sessions.notified', REQUESTS]);
    sample = true;
    assert.strictEqual(state.get(REQUESTS), undefined, 'forgotten, not hidden');
  });
});
