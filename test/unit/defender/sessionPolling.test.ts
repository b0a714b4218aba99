import * as assert from 'node:assert/strict';
import { END_OF_SESSION_FACTS, formatCountdown, lifecycleRows, stageMessage, statusBarSession, statusBarText } from '../../../src/defender/lifecycleNodes';
import type { LifecycleSession } from '../../../src/defender/sessionLifecycle';
import { PollPlanner, serviceClockOffset, troubleshootingQuery, troubleshootingTimespan } from '../../../src/defender/sessionPolling';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-12-02T10:00:00Z');

describe('session polling (unit)', () => {
  it('runs every interval, never more than the hourly cap', () => {
    const p = new PollPlanner({ intervalMs: 5 * MIN, maxPerHour: 3, maxBackoffMs: HOUR });
    let t = T0;
    for (let k = 0; k < 3; k++) {
      assert.ok(p.mayRun(t));
      p.started(t);
      const next = p.finished({ kind: 'ok' }, t);
      if (k < 2) assert.equal(next, t + 5 * MIN);
      else assert.equal(next, T0 + HOUR, 'the fourth run waits for the hour to free a slot');
      t += 5 * MIN;
    }
    assert.equal(p.mayRun(t), false);
    assert.equal(p.mayRun(T0 + HOUR + 1), true);
  });

  it('backs off on 429: honours Retry-After and doubles the interval per failure, up to an hour', () => {
    const p = new PollPlanner({ intervalMs: 5 * MIN, maxPerHour: 100, maxBackoffMs: HOUR });
    p.started(T0);
    assert.equal(p.finished({ kind: 'throttled', retryAfterSec: 30 }, T0), T0 + 10 * MIN);
    assert.equal(p.mayRun(T0 + 29_000), false, 'not even a manual refresh inside Retry-After');
    assert.equal(p.mayRun(T0 + 31_000), true);
    p.started(T0);
    assert.equal(p.finished({ kind: 'throttled', retryAfterSec: 3600 * 2 }, T0), T0 + 2 * HOUR, 'a long Retry-After wins');
    p.started(T0);
    p.finished({ kind: 'error' }, T0);
    p.started(T0);
    assert.equal(p.finished({ kind: 'error' }, T0), T0 + HOUR, 'capped');
    assert.equal(p.consecutiveFailures, 4);
    p.started(T0);
    assert.equal(p.finished({ kind: 'ok' }, T0), T0 + 5 * MIN);
    assert.equal(p.consecutiveFailures, 0);
  });

  it('never polls more often than once a minute, whatever the setting', () => {
    const p = new PollPlanner();
    p.setPolicy({ intervalMs: 1000, maxPerHour: 20, maxBackoffMs: HOUR });
    assert.equal(p.interval, MIN);
  });

  it('queries the whole window relative to the service clock, and reads its clock offset', () => {
    assert.match(troubleshootingQuery(264.2), /ago\(265m\)/);
    assert.match(troubleshootingQuery(265), /ActionType == "AntivirusTroubleshootModeEvent"/);
    assert.equal(troubleshootingTimespan(265), 'PT265M');
    assert.equal(serviceClockOffset(new Date(T0 + 11 * MIN).toUTCString(), T0), 11 * MIN);
    assert.equal(serviceClockOffset(new Date(T0 + 2000).toUTCString(), T0), 0, 'small differences are latency');
    assert.equal(serviceClockOffset('garbage', T0), undefined);
    assert.equal(serviceClockOffset(undefined, T0), undefined);
  });
});

const session = (over: Partial<LifecycleSession>): LifecycleSession => ({ key: `${over.deviceName ?? 'x'}@k`, stage: 'active', ...over });

describe('session rows, messages and the status bar (unit)', () => {
  const now = new Date(T0);
  it('counts down the device VS Code runs on first, else the soonest-ending session', () => {
    const other = session({ deviceName: 'ws-fin-01.contoso.local', timeLeftMs: 20 * MIN, endsAt: new Date(T0 + 20 * MIN), stage: 'endingSoon' });
    const mine = session({ deviceName: 'DESKTOP-1.contoso.local', timeLeftMs: 2 * HOUR, endsAt: new Date(T0 + 2 * HOUR) });
    const req = session({ deviceName: 'pc-9', stage: 'requested', requestedAt: new Date(T0 - MIN) });
    assert.equal(statusBarSession([other, mine, req], 'desktop-1'), mine);
    assert.equal(statusBarSession([other, mine, req], 'elsewhere'), other);
    assert.equal(statusBarSession([req], 'elsewhere'), req);
    assert.equal(statusBarSession([session({ stage: 'ended' })], 'x'), undefined);
    const text = statusBarText(mine, now, 'DESKTOP-1');
    assert.equal(text.text, '$(debug-alt) TS 2:00:00');
    assert.match(text.tooltip, /this device/);
    assert.equal(statusBarText(other, now, 'x').warning, true);
    assert.equal(statusBarText(other, now, 'x').text, '$(debug-alt) TS 0:20:00 ws-fin-01');
    assert.equal(formatCountdown(59_999), '0:00:59');
  });

  it('the end message quotes what the docs say happens', () => {
    const text = stageMessage(session({ deviceName: 'ws-fin-01', stage: 'ended' }), 'ended', now).text;
    assert.match(text, /policy-managed configurations become read-only again and revert/);
    assert.match(text, /do not take effect until troubleshooting mode expires/);
    assert.match(text, /Platform updates are applied when troubleshooting mode ends/);
    assert.equal(END_OF_SESSION_FACTS.length, 4);
    assert.match(stageMessage(session({ deviceName: 'a', timeLeftMs: 25 * MIN }), 'endingSoon', now).text, /ends in 25 min/);
  });

  it('rows: live first, what to check under a request that did not activate', () => {
    const rows = lifecycleRows(
      [
        session({ deviceName: 'old', stage: 'ended', endedAt: new Date(T0 - HOUR) }),
        session({ deviceName: 'late', stage: 'notActivated', requestedAt: new Date(T0 - 30 * MIN) }),
        session({ deviceName: 'live', timeLeftMs: HOUR, endsAt: new Date(T0 + HOUR), endsAtSource: 'expiry-field' }),
      ],
      now,
      () => ['Is the device online?'],
    );
    assert.deepEqual(rows.map((r) => r.label), ['live', 'late', 'old']);
    assert.equal(rows[0]!.description, 'Active · 1 h 0 min left');
    assert.match(rows[0]!.tooltip!, /TroubleshootingStateExpiry/);
    assert.equal(rows[1]!.description, 'Not activated · requested 30 min ago, not seen active');
    assert.deepEqual((rows[1]!.children!() as readonly { label: string }[]).map((c) => c.label), ['Is the device online?']);
    assert.equal(rows[2]!.children, undefined);
  });
});
