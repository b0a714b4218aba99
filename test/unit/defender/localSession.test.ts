import * as assert from 'node:assert/strict';
import { localObservationEvents, localObservationSignature, type LocalObservation } from '../../../src/defender/localSession';
import { evaluateLifecycle } from '../../../src/defender/sessionLifecycle';
import type { TroubleshootEvent } from '../../../src/defender/sessions';

const MIN = 60_000;
const T0 = Date.parse('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const DEV = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
const clockAt = (ms: number) => ({ now: () => at(ms) });

describe("This device's own report feeds its session (unit)", () => {
  const on: LocalObservation = { computerName: 'WS-FIN-01', active: true, startTime: at(0), endTime: at(240 * MIN), readAt: at(5 * MIN) };

  it('an active report is a start with the device\'s end time as the expiry; the lifecycle shows it active, then ending soon', () => {
    const events = localObservationEvents(on, []);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.deviceId, 'local:ws-fin-01');
    assert.deepEqual(events[0]!.startTime, at(0));
    assert.deepEqual(events[0]!.expiry, at(240 * MIN));
    const [s] = evaluateLifecycle(events, [], clockAt(10 * MIN), { endingSoonMs: 30 * MIN });
    assert.equal(s?.stage, 'active');
    assert.deepEqual(s?.endsAt, at(240 * MIN));
    assert.equal(evaluateLifecycle(events, [], clockAt(220 * MIN), { endingSoonMs: 30 * MIN })[0]?.stage, 'endingSoon');
  });

  it('files the report under the tenant device of the same short host name when hunting events know it', () => {
    const hunted: TroubleshootEvent = { timestamp: at(-60 * MIN), deviceId: DEV, deviceName: 'ws-fin-01.contoso.local', changeReason: 'Troubleshooting mode ended' };
    const [e] = localObservationEvents({ ...on, computerName: 'ws-fin-01.contoso.local' }, [hunted]);
    assert.equal(e?.deviceId, DEV);
    assert.equal(e?.deviceName, 'ws-fin-01.contoso.local');
  });

  it('a report that turns off ends an open session; off without one, or an unknown state, adds nothing', () => {
    const started = localObservationEvents(on, []);
    const off: LocalObservation = { computerName: 'WS-FIN-01', active: false, readAt: at(60 * MIN) };
    const ended = localObservationEvents(off, started);
    assert.equal(ended.length, 1);
    assert.match(ended[0]!.changeReason ?? '', /^ended/);
    const all = [...started, ...ended];
    assert.equal(evaluateLifecycle(all, [], clockAt(61 * MIN))[0]?.stage, 'ended');
    // Already ended, or never started, or expired before the report: nothing to end.
    assert.deepEqual(localObservationEvents({ ...off, readAt: at(70 * MIN) }, all), []);
    assert.deepEqual(localObservationEvents(off, []), []);
    assert.deepEqual(localObservationEvents({ ...off, readAt: at(300 * MIN) }, started), []);
    assert.deepEqual(localObservationEvents({ ...on, active: undefined }, []), []);
    assert.deepEqual(localObservationEvents(undefined, []), []);
  });

  it('the same report has the same signature, a changed one another', () => {
    assert.equal(localObservationSignature(on), localObservationSignature({ ...on, readAt: at(9 * MIN) }));
    assert.notEqual(localObservationSignature(on), localObservationSignature({ ...on, active: false }));
  });
});
