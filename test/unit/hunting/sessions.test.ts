import * as assert from 'node:assert/strict';
import {
  buildSessions,
  canTransition,
  classifyEvent,
  nextChangeAt,
  orderSessions,
  sessionStatus,
  type TroubleshootEvent,
} from '../../../src/defender/sessions';
import { extractTroubleshootEvents, mergeEvents, sessionRows, toStored } from '../../../src/hunting/model/sessionsFeed';
import { columnsFromSchema, rowsFromResults } from '../../../src/webview-ui/results/model';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2025-05-01T10:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

function started(deviceId: string, startMs: number, extra: Partial<TroubleshootEvent> = {}): TroubleshootEvent {
  return {
    timestamp: at(startMs),
    deviceId,
    deviceName: `${deviceId}.contoso.local`,
    state: 'Enabled',
    previousState: 'Disabled',
    startTime: at(startMs),
    changeReason: 'Troubleshooting mode started',
    ...extra,
  };
}

describe('(unit) troubleshooting sessions', () => {
  it('classifies events: "started" is documented, the rest are heuristics', () => {
    assert.equal(classifyEvent(started('a', 0)), 'start');
    assert.equal(classifyEvent({ timestamp: at(0), deviceId: 'a', changeReason: 'Troubleshooting mode ended' }), 'end');
    assert.equal(classifyEvent({ timestamp: at(0), deviceId: 'a', changeReason: 'Troubleshooting mode ending soon' }), 'update');
    assert.equal(classifyEvent({ timestamp: at(0), deviceId: 'a', state: 'Disabled' }), 'end');
    assert.equal(classifyEvent({ timestamp: at(0), deviceId: 'a', state: 'On', previousState: 'Off' }), 'start');
  });

  it('walks active → expiring (< 30 min left) → expired, with expiry from TroubleshootingStateExpiry', () => {
    const [s] = buildSessions([started('a', 0, { expiry: at(4 * HOUR + 10 * MIN) })]);
    assert.ok(s);
    assert.equal(s.expirySource, 'expiry-field');
    assert.deepEqual(sessionStatus(s, at(HOUR)), { state: 'active', timeLeftMs: 3 * HOUR + 10 * MIN });
    assert.deepEqual(sessionStatus(s, at(3 * HOUR + 41 * MIN)), { state: 'expiring', timeLeftMs: 29 * MIN });
    assert.equal(sessionStatus(s, at(3 * HOUR + 40 * MIN)).state, 'active');
    assert.equal(sessionStatus(s, at(3 * HOUR + 40 * MIN + 1)).state, 'expiring');
    assert.equal(sessionStatus(s, at(4 * HOUR + 10 * MIN)).state, 'expired');
    assert.equal(sessionStatus(s, at(5 * HOUR)).sinceMs, 50 * MIN);
  });

  it('falls back to start + 4 h without an expiry field, and to remaining minutes when given', () => {
    const [plain] = buildSessions([started('a', 0)]);
    assert.equal(plain!.expirySource, 'assumed-4h');
    assert.equal(plain!.expiry!.getTime(), T0 + 4 * HOUR);
    const [remaining] = buildSessions([
      started('b', 0),
      { timestamp: at(3 * HOUR), deviceId: 'b', startTime: at(0), remainingMinutes: 20, changeReason: 'Troubleshooting mode ending soon' },
    ]);
    assert.equal(remaining!.expirySource, 'remaining-minutes');
    assert.equal(remaining!.expiry!.getTime(), T0 + 3 * HOUR + 20 * MIN);
    assert.equal(sessionStatus(remaining!, at(3 * HOUR + 5 * MIN)).state, 'expiring');
    // A reported expiry is never replaced by a guess.
    const [kept] = buildSessions([
      started('c', 0, { expiry: at(4 * HOUR) }),
      { timestamp: at(HOUR), deviceId: 'c', startTime: at(0), changeReason: 'something' },
    ]);
    assert.equal(kept!.expirySource, 'expiry-field');
  });

  it('an end event expires the session at the reported time', () => {
    const [s] = buildSessions([
      started('a', 0),
      { timestamp: at(2 * HOUR), deviceId: 'a', startTime: at(0), state: 'Disabled', changeReason: 'Troubleshooting mode ended' },
    ]);
    assert.equal(s!.endedAt!.getTime(), T0 + 2 * HOUR);
    assert.equal(sessionStatus(s!, at(HOUR)).state, 'active');
    assert.equal(sessionStatus(s!, at(3 * HOUR)).state, 'expired');
  });

  it('requested → pending for up to 15 min, then overdue, then matched by the start event', () => {
    const request = { deviceName: 'ws-x.contoso.local', requestedAt: at(0) };
    const [p] = buildSessions([], [request]);
    assert.deepEqual(sessionStatus(p!, at(5 * MIN)), { state: 'pending', sinceMs: 5 * MIN, activationOverdue: false });
    assert.equal(sessionStatus(p!, at(16 * MIN)).activationOverdue, true);
    assert.deepEqual(sessionStatus(p!, at(5 * HOUR)), { state: 'expired', sinceMs: 45 * MIN, neverActive: true });
    const [s] = buildSessions([{ ...started('x', 12 * MIN), deviceName: 'WS-X' }], [request]);
    assert.equal(s!.requestedAt!.getTime(), T0);
    assert.equal(sessionStatus(s!, at(13 * MIN)).state, 'active');
  });

  it('collapses duplicate starts and separates later sessions on the same device', () => {
    const sessions = buildSessions([
      started('a', 0),
      started('a', 30_000),
      { timestamp: at(4 * HOUR), deviceId: 'a', startTime: at(0), changeReason: 'Troubleshooting mode ended' },
      started('a', 24 * HOUR),
      started('b', HOUR),
    ]);
    assert.equal(sessions.length, 3);
    const a = sessions.filter((s) => s.deviceId === 'a');
    assert.deepEqual(a.map((s) => s.start!.getTime()), [T0, T0 + 24 * HOUR]);
    assert.equal(a[0]!.eventCount, 3);
  });

  it('refuses impossible transitions and knows when the state changes next', () => {
    assert.equal(canTransition('active', 'expiring'), true);
    assert.equal(canTransition('expired', 'active'), false);
    assert.equal(canTransition('expiring', 'active'), false);
    assert.equal(canTransition('pending', 'active'), true);
    const [s] = buildSessions([started('a', 0)]);
    assert.equal(nextChangeAt(s!, at(HOUR))!.getTime(), T0 + 3 * HOUR + 30 * MIN);
    assert.equal(nextChangeAt(s!, at(3 * HOUR + 45 * MIN))!.getTime(), T0 + 4 * HOUR);
    assert.equal(nextChangeAt(s!, at(5 * HOUR)), undefined);
  });

  it('orders expiring first, then active by time left, pending, expired', () => {
    const sessions = buildSessions(
      [started('old', -10 * HOUR), started('fresh', 0), started('late', -3 * HOUR - 45 * MIN)],
      [{ deviceName: 'waiting', requestedAt: at(-5 * MIN) }],
    );
    const order = orderSessions(sessions, at(0)).map((s) => s.deviceId ?? s.deviceName);
    assert.deepEqual(order, ['late', 'fresh', 'waiting', 'old']);
  });
});

describe('(unit) sessions feed from hunting results', () => {
  const now = Date.parse('2025-05-01T12:00:00Z');
  const tsmode = (o: Record<string, unknown>) => o;

  it('reads the "events for a device" snippet: flattened properties and the dynamic bag', () => {
    const columns = columnsFromSchema([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceId', type: 'String' },
      { name: 'DeviceName', type: 'String' },
      { name: '_tsmodeproperties', type: 'Object' },
      { name: '_tsmodeproperties_TroubleshootingStateChangeReason', type: 'Object' },
    ]);
    const rows = rowsFromResults(columns, [
      {
        Timestamp: '2025-05-01T11:00:00Z',
        DeviceId: 'dev1',
        DeviceName: 'ws-fin-01',
        _tsmodeproperties: tsmode({ TroubleshootingStartTime: '2025-05-01T11:00:00Z', TroubleshootingStateExpiry: '2025-05-01T15:00:00Z' }),
        _tsmodeproperties_TroubleshootingStateChangeReason: 'Troubleshooting mode started',
      },
    ]);
    const events = extractTroubleshootEvents(columns, rows, 'DeviceEvents | where ActionType == "AntivirusTroubleshootModeEvent"');
    assert.equal(events?.length, 1);
    assert.equal(events![0]!.changeReason, 'Troubleshooting mode started');
    assert.equal(events![0]!.expiry!.toISOString(), '2025-05-01T15:00:00.000Z');
    const nodes = sessionRows(mergeEvents([], events!, new Date(now)), new Date(now));
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]!.label, 'ws-fin-01');
    assert.equal(nodes[0]!.description, 'Active · 3h 00m left');
    assert.equal(nodes[0]!.contextValue, 'session active fromHunting');
    assert.match(nodes[0]!.tooltip!, /reported by the device/);
  });

  it('reads AdditionalFields as a JSON string and skips other action types', () => {
    const columns = columnsFromSchema([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceId', type: 'String' },
      { name: 'ActionType', type: 'String' },
      { name: 'AdditionalFields', type: 'String' },
    ]);
    const rows = rowsFromResults(columns, [
      { Timestamp: '2025-05-01T11:50:00Z', DeviceId: 'd', ActionType: 'AntivirusTroubleshootModeEvent', AdditionalFields: '{"TroubleshootingStateChangeReason":"Troubleshooting mode started"}' },
      { Timestamp: '2025-05-01T11:51:00Z', DeviceId: 'd', ActionType: 'AntivirusDetection', AdditionalFields: null },
    ]);
    const events = extractTroubleshootEvents(columns, rows, 'DeviceEvents');
    assert.equal(events?.length, 1);
  });

  it('treats the summarised "currently in troubleshooting mode" snippet as starts', () => {
    const query = `DeviceEvents
| where Timestamp > ago(3h)
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"
|summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count() by DeviceId`;
    const columns = columnsFromSchema([
      { name: 'DeviceId', type: 'String' },
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'ReportId', type: 'Int64' },
      { name: 'count_', type: 'Int64' },
    ]);
    const rows = rowsFromResults(columns, [{ DeviceId: 'd', Timestamp: '2025-05-01T11:00:00Z', ReportId: 1, count_: 1 }]);
    const events = extractTroubleshootEvents(columns, rows, query);
    assert.equal(events?.length, 1);
    const nodes = sessionRows(mergeEvents([], events!, new Date(now)), new Date(now));
    assert.equal(nodes[0]!.description, 'Active · 3h 00m left');
    assert.match(nodes[0]!.tooltip!, /assumed: start \+ 4 hours/);
  });

  it('ignores results that are not about troubleshooting mode', () => {
    const columns = columnsFromSchema([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceId', type: 'String' },
      { name: 'FileName', type: 'String' },
    ]);
    const rows = rowsFromResults(columns, [{ Timestamp: '2025-05-01T11:00:00Z', DeviceId: 'd', FileName: 'x' }]);
    assert.equal(extractTroubleshootEvents(columns, rows, 'DeviceProcessEvents | take 1'), undefined);
    assert.equal(extractTroubleshootEvents(columnsFromSchema([{ name: 'X', type: 'String' }]), [], ''), undefined);
  });

  it('merges events across runs without duplicates, drops old ones, and hides sessions expired over a day ago', () => {
    const e1 = started('a', 0);
    const stored = mergeEvents([], [e1], at(HOUR));
    const again = mergeEvents(stored, [e1, started('b', HOUR)], at(HOUR));
    assert.equal(again.length, 2);
    const week = mergeEvents(again, [], at(8 * 24 * HOUR));
    assert.equal(week.length, 0);
    assert.deepEqual(toStored(e1).id, 'a');
    const rows = sessionRows(mergeEvents([], [started('a', 0), started('b', -30 * HOUR)], at(HOUR)), at(HOUR));
    assert.deepEqual(rows.map((r) => r.label), ['a.contoso.local']);
  });
});
