import * as assert from 'node:assert/strict';
import { NotificationLedger, notificationKey, type ClaimRecord, type ClaimStore } from '../../../src/defender/notifications';
import {
  diffStages,
  evaluateLifecycle,
  needsPolling,
  nextStageChangeAt,
  notActivatedChecks,
  notificationsFor,
  pruneRequests,
  queryWindowStart,
  SessionIndex,
  type Clock,
  type LiveStage,
} from '../../../src/defender/sessionLifecycle';
import type { SessionRequest, TroubleshootEvent } from '../../../src/defender/sessions';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const DEV = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

/** A clock the test moves. */
class FakeClock implements Clock {
  constructor(public t = T0) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

const request: SessionRequest = { deviceId: DEV, deviceName: 'ws-fin-01.contoso.local', requestedAt: at(0) };
const startEvent = (startMs: number, extra: Partial<TroubleshootEvent> = {}): TroubleshootEvent => ({
  timestamp: at(startMs + MIN),
  deviceId: DEV,
  deviceName: 'ws-fin-01.contoso.local',
  startTime: at(startMs),
  changeReason: 'Troubleshooting mode started',
  ...extra,
});

/** Runs the lifecycle like the tracker does: evaluate, diff, collect notified transitions. */
function tracker(clock: FakeClock, endingSoonMs = 30 * MIN) {
  let stages = new Map<string, LiveStage>();
  const told: string[] = [];
  return {
    told,
    tick(events: TroubleshootEvent[], requests: SessionRequest[] = [request]) {
      const sessions = evaluateLifecycle(events, requests, clock, { endingSoonMs });
      const d = diffStages(stages, sessions);
      stages = d.stages;
      for (const t of d.transitions) {
        const n = notificationsFor(t);
        if (n) told.push(n);
      }
      return sessions;
    },
  };
}

describe('session lifecycle (unit, injected clock)', () => {
  it('requested → active → endingSoon → ended, the expiry from the event', () => {
    const clock = new FakeClock();
    const tr = tracker(clock);
    let [s] = tr.tick([]);
    assert.equal(s!.stage, 'requested');
    assert.equal(s!.activationDeadline!.getTime(), T0 + 25 * MIN, '15 min + 10 min margin');

    clock.advance(12 * MIN);
    const events = [startEvent(8 * MIN, { expiry: at(8 * MIN + 4 * HOUR) })];
    [s] = tr.tick(events);
    assert.equal(s!.stage, 'active');
    assert.equal(s!.key, `${DEV}@${at(0).toISOString()}`, 'the key stays the request\'s');
    assert.equal(s!.endsAtSource, 'expiry-field');
    assert.equal(s!.timeLeftMs, 4 * HOUR - 4 * MIN);

    clock.t = T0 + 8 * MIN + 4 * HOUR - 30 * MIN;
    [s] = tr.tick(events);
    assert.equal(s!.stage, 'endingSoon');

    clock.t = T0 + 8 * MIN + 4 * HOUR;
    [s] = tr.tick(events);
    assert.equal(s!.stage, 'ended');
    assert.equal(s!.endedAt!.getTime(), T0 + 8 * MIN + 4 * HOUR);
    assert.deepEqual(tr.told, ['active', 'endingSoon', 'ended']);
    assert.equal(needsPolling([s!]), false);
  });

  it('a request that never activates becomes notActivated after 15 min + margin, not before', () => {
    const clock = new FakeClock();
    const tr = tracker(clock);
    clock.advance(25 * MIN);
    assert.equal(tr.tick([])[0]!.stage, 'requested');
    clock.advance(1);
    const [s] = tr.tick([]);
    assert.equal(s!.stage, 'notActivated');
    assert.deepEqual(tr.told, ['notActivated']);
    assert.equal(needsPolling([s!]), true, 'keeps looking: a late activation still counts');
    // Seen late after all: notActivated → active.
    clock.advance(20 * MIN);
    assert.equal(tr.tick([startEvent(40 * MIN)])[0]!.stage, 'active');
    assert.deepEqual(tr.told, ['notActivated', 'active']);
  });

  it('expiry from the data: an expiry field shorter than 4 h wins; without one, start + 4 h', () => {
    const clock = new FakeClock(T0 + HOUR);
    const [short] = evaluateLifecycle([startEvent(0, { expiry: at(3 * HOUR) })], [request], clock);
    assert.equal(short!.endsAt!.getTime(), T0 + 3 * HOUR);
    const [assumed] = evaluateLifecycle([startEvent(0)], [request], clock);
    assert.equal(assumed!.endsAt!.getTime(), T0 + 4 * HOUR);
    assert.equal(assumed!.endsAtSource, 'assumed-4h');
    const [fromRemaining] = evaluateLifecycle([startEvent(0), { timestamp: at(HOUR), deviceId: DEV, startTime: at(0), remainingMinutes: 100, changeReason: 'update' }], [request], clock);
    assert.equal(fromRemaining!.endsAt!.getTime(), T0 + HOUR + 100 * MIN);
  });

  it('an end event ends the session before its expiry', () => {
    const clock = new FakeClock(T0 + 2 * HOUR);
    const [s] = evaluateLifecycle(
      [startEvent(0, { expiry: at(4 * HOUR) }), { timestamp: at(90 * MIN), deviceId: DEV, changeReason: 'Troubleshooting mode ended' }],
      [request],
      clock,
    );
    assert.equal(s!.stage, 'ended');
    assert.equal(s!.endedAt!.getTime(), T0 + 90 * MIN);
  });

  it('the endingSoon threshold follows the setting', () => {
    const clock = new FakeClock(T0 + 3 * HOUR);
    const ev = [startEvent(0, { expiry: at(4 * HOUR) })];
    assert.equal(evaluateLifecycle(ev, [request], clock, { endingSoonMs: 30 * MIN })[0]!.stage, 'active');
    assert.equal(evaluateLifecycle(ev, [request], clock, { endingSoonMs: 60 * MIN })[0]!.stage, 'endingSoon');
  });

  it('ignores moves backwards (a stale read) and tells nobody about old history', () => {
    const prev = new Map<string, LiveStage>([['k', 'ended']]);
    const d = diffStages(prev, [{ key: 'k', stage: 'active' }]);
    assert.equal(d.transitions.length, 0);
    assert.equal(d.stages.get('k'), 'ended');
    // A session first seen long after it ended, that nobody here requested.
    const clock = new FakeClock(T0 + 10 * HOUR);
    const sessions = evaluateLifecycle([startEvent(0)], [], clock);
    const t = diffStages(new Map(), sessions).transitions;
    assert.equal(t.length, 1);
    assert.equal(notificationsFor(t[0]!), undefined);
  });

  it('the requested → ended jump (session finished between two looks) still says it ended', () => {
    const clock = new FakeClock();
    const tr = tracker(clock);
    tr.tick([]);
    clock.advance(5 * HOUR);
    assert.equal(tr.tick([startEvent(10 * MIN)])[0]!.stage, 'ended');
    assert.deepEqual(tr.told, ['ended']);
  });

  it('next change times drive the timer', () => {
    const clock = new FakeClock();
    const [req] = evaluateLifecycle([], [request], clock);
    assert.equal(nextStageChangeAt(req!)!.getTime(), T0 + 25 * MIN);
    clock.advance(HOUR);
    const [act] = evaluateLifecycle([startEvent(0, { expiry: at(4 * HOUR) })], [request], clock);
    assert.equal(nextStageChangeAt(act!, { endingSoonMs: 30 * MIN })!.getTime(), T0 + 4 * HOUR - 30 * MIN);
  });

  it('the query window covers 4 h + 15 min + margin back, or the oldest request', () => {
    const now = at(10 * HOUR);
    assert.equal(queryWindowStart([], now).getTime(), now.getTime() - (4 * HOUR + 25 * MIN));
    assert.ok(queryWindowStart([], now).getTime() <= now.getTime() - (4 * HOUR + 15 * MIN));
    const old = { ...request, requestedAt: at(HOUR) };
    assert.equal(queryWindowStart([old], now).getTime(), T0 + HOUR - MIN);
  });

  it('old requests are pruned, recent ones kept', () => {
    const now = at(40 * HOUR);
    const kept = pruneRequests([request, { ...request, requestedAt: at(30 * HOUR) }], now);
    assert.deepEqual(kept.map((r) => r.requestedAt.getTime()), [T0 + 30 * HOUR]);
  });

  it('says what to check when a request did not activate', () => {
    const clock = new FakeClock(T0 + 30 * MIN);
    const [s] = evaluateLifecycle([], [request], clock);
    const checks = notActivatedChecks(s!, { prerequisites: { verdict: 'fail', problems: ['Windows 10 build 19044.1000'] }, healthStatus: 'Inactive', lastQueryAt: at(28 * MIN), pollEveryMs: 5 * MIN }, clock.now());
    assert.match(checks[0]!, /30 min after the request.*15 minutes/);
    assert.ok(checks.some((c) => /Prerequisites not met: Windows 10 build 19044\.1000/.test(c)));
    assert.ok(checks.some((c) => /health is "Inactive"/.test(c)));
    assert.ok(checks.some((c) => /portal/.test(c)));
    assert.ok(checks.some((c) => /last ran 2 min ago and runs every 5 min/.test(c)));
  });
});

/** globalState shared by windows: each window reads what the others wrote (after `sync`). */
class SharedStore {
  value: Record<string, ClaimRecord> = {};
}
class WindowStore implements ClaimStore {
  private cache: Record<string, ClaimRecord>;
  constructor(private readonly shared: SharedStore) {
    this.cache = { ...shared.value };
  }
  read() {
    return this.cache;
  }
  async write(v: Record<string, ClaimRecord>) {
    this.cache = { ...v };
    this.shared.value = { ...this.shared.value, ...v };
  }
  sync() {
    this.cache = { ...this.shared.value };
  }
}

describe('notification de-duplication (unit)', () => {
  const key = notificationKey(`${DEV}@2026-12-02T10:00:00.000Z`, 'active');

  it('announces a key once, also after a reload with the same persisted state', async () => {
    const shared = new SharedStore();
    const a = new NotificationLedger(new WindowStore(shared), 'window-a');
    assert.equal(await a.tryAnnounce(key), true);
    assert.equal(await a.tryAnnounce(key), false);
    const reloaded = new NotificationLedger(new WindowStore(shared), 'window-a2');
    assert.equal(reloaded.has(key), true);
    assert.equal(await reloaded.tryAnnounce(key), false);
    assert.equal(await reloaded.tryAnnounce(notificationKey(`${DEV}@2026-12-02T10:00:00.000Z`, 'ended')), true, 'another transition is news');
  });

  it('two windows racing: the last claim wins and only that window notifies', async () => {
    const shared = new SharedStore();
    const sa = new WindowStore(shared);
    const sb = new WindowStore(shared);
    const a = new NotificationLedger(sa, 'A');
    const b = new NotificationLedger(sb, 'B');
    // Both claim before seeing each other's write.
    assert.equal(await a.claim(key), true);
    assert.equal(await b.claim(key), true);
    sa.sync();
    sb.sync();
    assert.deepEqual([a.confirm(key), b.confirm(key)], [false, true]);
    // A third window started later sees the claim.
    assert.equal(await new NotificationLedger(new WindowStore(shared), 'C').tryAnnounce(key), false);
  });

  it('prunes records older than a week and ignores malformed ones', async () => {
    let t = T0;
    const shared = new SharedStore();
    shared.value = { junk: { nope: 1 } as unknown as ClaimRecord };
    const store = new WindowStore(shared);
    const l = new NotificationLedger(store, 'A', () => t);
    await l.claim('old');
    t += 8 * 24 * HOUR;
    await l.claim('new');
    assert.deepEqual(Object.keys(store.read()).sort(), ['new']);
  });
});

describe('DeviceTroubleshootingLookup (unit)', () => {
  it('answers by machine id, else by short host name, live sessions first, and tells listeners', () => {
    const clock = new FakeClock(T0 + HOUR);
    const index = new SessionIndex(clock);
    let changes = 0;
    const sub = index.onDidChange(() => changes++);
    index.update(evaluateLifecycle([startEvent(0, { expiry: at(4 * HOUR) })], [request, { deviceName: 'pc-2', requestedAt: at(50 * MIN) }], clock));
    assert.equal(changes, 1);
    const info = index.forDevice(DEV, undefined);
    assert.equal(info!.stage, 'active');
    assert.equal(info!.label, 'troubleshooting · 3 h 0 min left');
    assert.equal(info!.endsAt!.getTime(), T0 + 4 * HOUR);
    assert.equal(index.forDevice(undefined, 'WS-FIN-01')!.stage, 'active', 'This device knows only its NetBIOS name');
    assert.equal(index.forDevice(undefined, 'pc-2.contoso.local')!.stage, 'requested');
    assert.equal(index.forDevice('ffff', 'nobody'), undefined);
    sub.dispose();
    index.update([]);
    assert.equal(changes, 1);
    assert.equal(index.forDevice(DEV, undefined), undefined);
  });

  it('an ended session shows for a day, then the device is back to none', () => {
    const clock = new FakeClock(T0 + 5 * HOUR);
    const index = new SessionIndex(clock);
    index.update(evaluateLifecycle([startEvent(0)], [request], clock));
    assert.equal(index.forDevice(DEV, undefined)!.stage, 'ended');
    clock.advance(25 * HOUR);
    index.update(evaluateLifecycle([startEvent(0)], [request], clock));
    assert.equal(index.forDevice(DEV, undefined), undefined);
  });
});
