import * as assert from 'node:assert/strict';
import { Dataset, FIXTURE_DEVICES } from '../../doubles/api-emulator/dataset';
import { KqlError, runQuery, type EvalContext } from '../../doubles/api-emulator/kql';
import { startApiEmulator, timespanWindow } from '../../doubles/api-emulator/server';

/** The emulator's own honesty: what it evaluates, and what it refuses clearly. */
describe('(unit) api emulator', () => {
  const dataset = new Dataset({ anchor: Date.parse('2025-05-01T12:00:00Z'), processEvents: 1000 });
  const ctx: EvalContext = { now: dataset.anchor, table: (name) => dataset.table(name) };
  const run = (q: string) => runQuery(q, ctx);
  const names = (t: { rows: Record<string, unknown>[] }, col = 'DeviceName') => t.rows.map((r) => r[col]);

  it('evaluates the docs snippet for one device, by DeviceId or by DeviceName', () => {
    const dev = dataset.device(FIXTURE_DEVICES.expired);
    const byId = run(`let deviceId = "${dev.id}"; // update with device id
DeviceEvents
| where DeviceId == deviceId
//| where DeviceName == deviceName
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| project Timestamp,DeviceId, DeviceName, _tsmodeproperties,
_tsmodeproperties.TroubleshootingState, _tsmodeproperties.TroubleshootingStateChangeReason`);
    assert.equal(byId.rows.length, 4);
    assert.deepEqual(byId.columns.map((c) => c.name), [
      'Timestamp', 'DeviceId', 'DeviceName', '_tsmodeproperties', '_tsmodeproperties_TroubleshootingState', '_tsmodeproperties_TroubleshootingStateChangeReason',
    ]);
    assert.ok(byId.rows.every((r) => r.DeviceId === dev.id));
    const byName = run(`let deviceName = "${FIXTURE_DEVICES.active}";
DeviceEvents | where DeviceName == deviceName | where ActionType == "AntivirusTroubleshootModeEvent"`);
    assert.equal(byName.rows.length, 1);
  });

  it('evaluates "devices currently in troubleshooting mode" with ago() and arg_max', () => {
    const t = run(`DeviceEvents
| where Timestamp > ago(3h)
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"
|summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count() by DeviceId
| order by Timestamp desc`);
    const ids = t.rows.map((r) => r.DeviceId);
    assert.deepEqual(ids, [dataset.device(FIXTURE_DEVICES.activeNoExpiry).id, dataset.device(FIXTURE_DEVICES.active).id]);
    assert.deepEqual(t.columns.map((c) => c.name), ['DeviceId', 'Timestamp', 'ReportId', 'count_']);
    const wider = run(`DeviceEvents | where Timestamp > ago(255m) | where ActionType == "AntivirusTroubleshootModeEvent"
| extend p = parse_json(AdditionalFields) | where p.TroubleshootingStateChangeReason contains "started" | summarize count() by DeviceName`);
    assert.equal(wider.rows.length, 3);
  });

  it('evaluates the count and total-count snippets (two ago() bounds, count_ filter)', () => {
    const perDevice = run(`DeviceEvents
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| where Timestamp > ago(30d)
| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"
| summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count() by DeviceId
| sort by count_`);
    assert.equal(perDevice.rows[0]!.count_, 2);
    const total = run(`DeviceEvents
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| where Timestamp > ago(2d)
| where Timestamp < ago(1d)
| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"
| summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count()
| where count_ > 0`);
    assert.equal(total.rows.length, 1);
    assert.equal(total.rows[0]!.count_, 1);
  });

  it('supports take, top, distinct, count, in, has and typed comparisons', () => {
    assert.equal(run('DeviceProcessEvents | take 7').rows.length, 7);
    assert.equal(run('DeviceProcessEvents | count').rows[0]!.Count, 1000);
    const top = run('DeviceProcessEvents | top 3 by ProcessId desc | project ProcessId');
    assert.deepEqual(top.rows.map((r) => r.ProcessId), [1999, 1998, 1997]);
    assert.ok(run('DeviceInfo | distinct OSPlatform').rows.length >= 3);
    assert.equal(run(`DeviceInfo | where DeviceName in ("${FIXTURE_DEVICES.active}", "${FIXTURE_DEVICES.mac}")`).rows.length, 2);
    assert.equal(names(run(`DeviceInfo | where DeviceName has "fin"`)).length, 1);
    assert.equal(run('DeviceInfo | where OSBuild > 22000 and OSPlatform =~ "windows11"').rows.length > 0, true);
  });

  it('answers malformed KQL with Kusto-style syntax errors at the right place', () => {
    const err = (q: string) => {
      try {
        run(q);
      } catch (e) {
        return e as KqlError;
      }
      throw new Error(`no error for ${q}`);
    };
    const unbalanced = err('DeviceEvents\n| where (ActionType == "x"');
    assert.equal(unbalanced.kind, 'syntax');
    assert.equal(unbalanced.message, "Query could not be parsed at '(' on line [2,8]");
    assert.equal(err('DeviceEvents | project a)').message, "Query could not be parsed at ')' on line [1,24]");
    assert.equal(err('| take 1').message, "Query could not be parsed at '|' on line [1,0]");
    assert.match(err('DeviceEvents | where x == "open').message, /could not be parsed at '"open' on line \[1,26\]/);
    assert.match(err('DeviceEvents | wher x == 1').message, /could not be parsed at 'wher'/);
    assert.equal(err('DeviceEvnts | take 1').message, "Failed to resolve table or column expression named 'DeviceEvnts'");
    assert.equal(err('DeviceEvents | where Nope == 1').message, "'where' operator: Failed to resolve scalar expression named 'Nope'");
    const unsupported = err('DeviceEvents | join (DeviceInfo) on DeviceId');
    assert.equal(unsupported.kind, 'unsupported');
    assert.match(unsupported.message, /emulator does not implement the 'join' operator/);
  });

  it('reads Graph timespans the way the service documents them', () => {
    const now = Date.parse('2025-05-01T12:00:00Z');
    assert.deepEqual(timespanWindow(undefined, now), { start: now - 30 * 86_400_000, end: now });
    assert.deepEqual(timespanWindow('PT4H15M', now), { start: now - 255 * 60_000, end: now });
    assert.deepEqual(timespanWindow('2025-04-01T00:00:00Z/2025-04-02T00:00:00Z', now), { start: Date.parse('2025-04-01T00:00:00Z'), end: Date.parse('2025-04-02T00:00:00Z') });
    assert.deepEqual(timespanWindow('P1D/2025-04-02T00:00:00Z', now), { start: Date.parse('2025-04-01T00:00:00Z'), end: Date.parse('2025-04-02T00:00:00Z') });
    assert.equal(timespanWindow('nonsense', now), undefined);
  });

  it('narrows tables by the request Timespan, takes faults and config from the admin endpoints', async () => {
    const emu = await startApiEmulator({ dataset: { processEvents: 10 } });
    try {
      const hunt = (body: unknown) =>
        fetch(`${emu.url}/v1.0/security/runHuntingQuery`, { method: 'POST', headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const all = (await (await hunt({ Query: 'DeviceEvents | where ActionType == "AntivirusTroubleshootModeEvent"' })).json()) as { results: unknown[] };
      const recent = (await (await hunt({ Query: 'DeviceEvents | where ActionType == "AntivirusTroubleshootModeEvent"', Timespan: 'PT2H' })).json()) as { results: unknown[] };
      assert.ok(recent.results.length < all.results.length && recent.results.length > 0);
      assert.equal((await hunt({ Query: 'x', Timespan: 'soon' })).status, 400);
      assert.equal((await hunt({})).status, 400);

      const admin = (p: string, body?: unknown, method = 'POST') => fetch(`${emu.url}${p}`, { method, body: body ? JSON.stringify(body) : undefined });
      await admin('/__admin/faults', { faults: [{ kind: '503', count: 1, retryAfter: 3 }] });
      const faulted = await hunt({ Query: 'DeviceInfo | take 1' });
      assert.equal(faulted.status, 503);
      assert.equal(faulted.headers.get('retry-after'), '3');
      assert.equal((await hunt({ Query: 'DeviceInfo | take 1' })).status, 200);
      await admin('/__admin/config', { huntingPerMinute: 1 });
      await admin('/__admin/reset');
      assert.equal((await hunt({ Query: 'DeviceInfo | take 1' })).status, 200);
      const throttled = await hunt({ Query: 'DeviceInfo | take 1' });
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers.get('retry-after')) > 0);
      const noToken = await fetch(`${emu.url}/api/machines`);
      assert.equal(noToken.status, 401);
      const log = (await (await fetch(`${emu.url}/__admin/requests`)).json()) as { requests: { bearer: boolean; status: number }[] };
      assert.deepEqual(log.requests.map((r) => r.status), [200, 429, 401]);
      assert.equal(log.requests.at(-1)!.bearer, false);
    } finally {
      await emu.close();
    }
  });
});
