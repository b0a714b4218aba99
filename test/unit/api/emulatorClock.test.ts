import * as assert from 'node:assert/strict';
import { ControllableClock } from '../../doubles/api-emulator/clock';
import { FIXTURE_DEVICES } from '../../doubles/api-emulator/dataset';
import { startApiEmulator } from '../../doubles/api-emulator/server';
import { troubleshootingQuery, troubleshootingTimespan } from '../../../src/defender/sessionPolling';

const MIN = 60_000;

describe('(unit) api emulator clock and scripted troubleshooting sessions', () => {
  it('the clock follows real time plus an offset that set/advance move', () => {
    let real = 1_000_000;
    const clock = new ControllableClock({ now: () => real });
    assert.equal(clock.now(), 1_000_000);
    assert.equal(clock.apply({ advanceMinutes: 10 }), undefined);
    assert.equal(clock.now(), 1_000_000 + 10 * MIN);
    real += 5000;
    assert.equal(clock.now(), 1_005_000 + 10 * MIN, 'time keeps flowing');
    assert.equal(clock.apply({ set: '2026-12-02T10:00:00Z' }), undefined);
    assert.equal(clock.now(), Date.parse('2026-12-02T10:00:00Z'));
    assert.match(clock.apply({ set: 'soon' })!, /ISO date/);
    assert.match(clock.apply({})!, /Body must be/);
    clock.apply({ reset: true });
    assert.equal(clock.now(), real);
  });

  it('a scripted session shows up in the hunting query as the clock passes activation, ending soon and expiry', async () => {
    const emu = await startApiEmulator({ dataset: { processEvents: 10 } });
    try {
      const admin = async (p: string, body?: unknown, method = 'POST') => {
        const res = await fetch(`${emu.url}${p}`, { method, body: body ? JSON.stringify(body) : undefined });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const hunt = async () => {
        const res = await fetch(`${emu.url}/v1.0/security/runHuntingQuery`, {
          method: 'POST',
          headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' },
          body: JSON.stringify({ Query: `${troubleshootingQuery(265)}\n| where DeviceName == "${FIXTURE_DEVICES.quiet}"`, Timespan: troubleshootingTimespan(265) }),
        });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { results: { _tsmodeproperties: string | Record<string, unknown> }[] };
        return {
          date: Date.parse(res.headers.get('date') ?? ''),
          reasons: body.results.map((r) => {
            const p = typeof r._tsmodeproperties === 'string' ? (JSON.parse(r._tsmodeproperties) as Record<string, unknown>) : r._tsmodeproperties;
            return p.TroubleshootingStateChangeReason;
          }),
        };
      };
      const t0 = Date.parse('2026-12-02T10:00:00Z');
      assert.equal((await admin('/__admin/clock', { set: t0 })).status, 200);
      const script = await admin('/__admin/troubleshooting', { deviceName: 'ws-ops-03', activationDelayMinutes: 10, durationMinutes: 240 });
      assert.equal(script.status, 200, JSON.stringify(script.body));
      assert.equal((await admin('/__admin/troubleshooting', { deviceName: 'nobody' })).status, 400);

      let r = await hunt();
      assert.deepEqual(r.reasons, [], 'nothing before activation');
      assert.ok(Math.abs(r.date - t0) < 5000, 'the Date header is the emulator clock');
      await admin('/__admin/clock', { advanceMinutes: 11 });
      r = await hunt();
      assert.deepEqual(r.reasons, ['Troubleshooting mode started']);
      await admin('/__admin/clock', { advanceMinutes: 210 });
      r = await hunt();
      assert.deepEqual(r.reasons, ['Troubleshooting mode started', 'Troubleshooting mode ending soon']);
      await admin('/__admin/clock', { advanceMinutes: 30 });
      r = await hunt();
      assert.deepEqual(r.reasons, ['Troubleshooting mode started', 'Troubleshooting mode ending soon', 'Troubleshooting mode ended']);
      // The window is relative to the emulator's now: far later the session falls out of it.
      await admin('/__admin/clock', { advanceMinutes: 600 });
      assert.deepEqual((await hunt()).reasons, []);
      const cleared = await admin('/__admin/troubleshooting', undefined, 'DELETE');
      assert.deepEqual(cleared.body.scripts, []);
      const read = await (await fetch(`${emu.url}/__admin/clock`)).json() as { now: string };
      assert.ok(Math.abs(Date.parse(read.now) - (t0 + 851 * MIN)) < 5000);
    } finally {
      await emu.close();
    }
  });
});
