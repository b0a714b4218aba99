import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildEventList,
  DEFAULT_EVENT_IDS,
  describeEvent,
  eventMeaning,
  eventsPageScript,
  isBookkeeping,
  nextPageToken,
  normalizeEventIds,
  parseBlockedChange,
  parseConfigChange,
  parseEventRecords,
  settingName,
  type EventRecord,
} from '../../../src/defender/events';
import catalog from '../../../src/defender/eventCatalog.json';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RTP = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring';

describe('events: 5007 and 5013 (unit)', () => {
  it('parseConfigChange: path and both values of a setting change', () => {
    assert.deepStrictEqual(parseConfigChange(`${RTP} = 0x0`, `${RTP} = 0x1`), { path: RTP, oldValue: '0x0', newValue: '0x1' });
  });

  it('parseConfigChange: an added exclusion has an empty Old Value → undefined; a removed one an empty New Value', () => {
    const p = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\temp';
    assert.deepStrictEqual(parseConfigChange('', `${p} = 0x0`), { path: p, oldValue: undefined, newValue: '0x0' });
    assert.deepStrictEqual(parseConfigChange(`${p} = 0x0`, ''), { path: p, oldValue: '0x0', newValue: undefined });
    assert.deepStrictEqual(parseConfigChange(undefined, null), { path: '', oldValue: undefined, newValue: undefined });
    assert.deepStrictEqual(parseConfigChange('   ', `${p} = 0x0`).oldValue, undefined);
  });

  it('parseConfigChange: the value follows the LAST " = " (a path may contain " = ")', () => {
    const p = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\a = b';
    assert.deepStrictEqual(parseConfigChange(`${p} = 0x0`, `${p} = 0x1`), { path: p, oldValue: '0x0', newValue: '0x1' });
    // "=" without spaces is part of the path, not a separator.
    assert.deepStrictEqual(parseConfigChange('', 'HKLM\\X\\a=b = 5'), { path: 'HKLM\\X\\a=b', oldValue: undefined, newValue: '5' });
  });

  it('parseBlockedChange reads 5013 Value; settingName names RTP, exclusions and ASR rules', () => {
    assert.deepStrictEqual(parseBlockedChange(`${RTP} = (Current)`), { path: RTP, value: '(Current)' });
    assert.equal(parseBlockedChange(''), undefined);
    assert.equal(settingName(RTP).label, 'Real-Time Protection\\DisableRealtimeMonitoring');
    const ex = settingName('HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\temp\\x');
    assert.deepEqual([ex.group, ex.name], ['Exclusions\\Paths', 'C:\\temp\\x']);
    const asr = settingName('HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules\\d4f940ab-401b-4efc-aadc-ad5f3c50688a');
    assert.equal(asr.name, 'd4f940ab-401b-4efc-aadc-ad5f3c50688a');
  });

  it('bookkeeping 5007s (WdConfigHash, IsServiceRunning) fold away unless asked for', () => {
    assert.ok(isBookkeeping('HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\WdConfigHash'));
    assert.ok(isBookkeeping('HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\IsServiceRunning'));
    assert.ok(!isBookkeeping(RTP));
    const t = new Date('2026-12-02T10:00:00Z');
    const recs: EventRecord[] = [
      { id: 5007, time: t, data: { 'Old Value': `${RTP} = 0x0`, 'New Value': `${RTP} = 0x1` }, recordId: 2 },
      { id: 5007, time: new Date(t.getTime() + 1000), data: { 'Old Value': 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\WdConfigHash = 1', 'New Value': 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\WdConfigHash = 2' }, recordId: 3 },
      { id: 5013, time: new Date(t.getTime() - 1000), data: { Value: `${RTP} = (Current)` }, recordId: 1 },
    ];
    const folded = buildEventList(recs);
    assert.deepEqual(folded.rows.map((r) => r.id), [5007, 5013]);
    assert.equal(folded.folded, 1);
    assert.equal(folded.rows[0].summary, 'Real-Time Protection\\DisableRealtimeMonitoring: 0x0 → 0x1');
    assert.match(folded.rows[1].summary, /Tamper protection blocked a change to Real-Time Protection\\DisableRealtimeMonitoring/);
    const all = buildEventList(recs, { includeBookkeeping: true });
    assert.equal(all.rows.length, 3);
    assert.equal(all.folded, 0);
    assert.equal(all.rows[0].id, 5007);
    assert.ok(all.rows[0].bookkeeping);
  });

  it('describeEvent uses the documented meaning from the catalog, and says so when an id is not documented', () => {
    const row = describeEvent({ id: 5001, time: new Date(), data: {} });
    assert.equal(row.meaning, 'Real-time protection is disabled.');
    assert.match(describeEvent({ id: 1016, time: new Date(), data: {} }).meaning, /Not in Microsoft/);
    const det = describeEvent({ id: 1116, time: new Date(), data: { 'Threat Name': 'Virus:DOS/EICAR_Test_File', Path: 'file:_C:\\t\\eicar.com' } });
    assert.match(det.summary, /EICAR/);
  });
});

describe('events: catalog, ids, records, paging script (unit)', () => {
  it('the shipped catalog is scripts/gen-events.mjs output of shared/reference/events.json', async () => {
    const candidates = [path.resolve(ROOT, '..', 'shared', 'reference', 'events.json'), path.resolve(ROOT, '..', '..', 'shared', 'reference', 'events.json')];
    const ref = candidates.find((p) => fs.existsSync(p));
    const gen = (await import(path.join(ROOT, 'scripts', 'gen-events.mjs'))) as { buildCatalog: (r: unknown) => unknown };
    if (ref) assert.deepStrictEqual(catalog, gen.buildCatalog(JSON.parse(fs.readFileSync(ref, 'utf8'))));
    // Every default id has a documented meaning.
    for (const id of DEFAULT_EVENT_IDS) assert.ok(eventMeaning(id), `no meaning for ${id}`);
    assert.equal(eventMeaning(1016), undefined);
  });

  it('normalizeEventIds keeps valid ids in order, drops junk and duplicates, falls back to the defaults', () => {
    assert.deepEqual(normalizeEventIds([5007, '5013', 5007, -1, 70000, 1.5, 'x']), [5007, 5013]);
    assert.deepEqual(normalizeEventIds([]), [...DEFAULT_EVENT_IDS]);
    assert.deepEqual(normalizeEventIds('5007'), [...DEFAULT_EVENT_IDS]);
    assert.deepEqual(DEFAULT_EVENT_IDS, [5000, 5001, 5004, 5007, 5013, 1116, 1117, 1121, 1122, 1125, 1126, 1160]);
  });

  it('parseEventRecords reads the script output (ISO and /Date()/ times), drops entries without id or time', () => {
    const recs = parseEventRecords([
      { id: 5007, recordId: 9, time: '2026-12-02T10:00:00.0000000Z', data: { 'Old Value': '', 'New Value': 'X = 1' } },
      { id: 5001, time: '/Date(1764669600000)/', data: null },
      { id: 'x', time: '2026-12-02T10:00:00Z' },
      { id: 5000 },
    ]);
    assert.equal(recs.length, 2);
    assert.equal(recs[0].recordId, 9);
    assert.equal(recs[1].time.getTime(), 1764669600000);
    assert.deepEqual(recs[1].data, {});
    assert.deepEqual(parseEventRecords(null), []);
  });

  it('the page script filters by LogName, Id, StartTime, EndTime with -MaxEvents, quotes values, uses 5.1 syntax only', () => {
    const script = eventsPageScript({ ids: [5007, 5013], start: new Date('2026-12-02T08:00:00Z'), end: new Date('2026-12-02T12:00:00Z'), pageSize: 200 });
    assert.match(script, /LogName = 'Microsoft-Windows-Windows Defender\/Operational'/);
    assert.match(script, /Id = @\(5007, 5013\)/);
    assert.match(script, /StartTime = \[datetime\]::Parse\('2026-12-02T08:00:00.000Z'/);
    assert.match(script, /\$filter\['EndTime'\]/);
    assert.match(script, /-MaxEvents 200 /);
    assert.match(script, /\$e\.ToXml\(\)/);
    for (const bad of [/\?\?/, /\?\./, /&&/, /\|\|/, / \? [^:]+ : /]) assert.doesNotMatch(script, bad);
    // A page token continues at the oldest time seen and skips the records already returned at that time.
    const t = new Date('2026-12-02T09:00:00Z');
    const page: EventRecord[] = [
      { id: 5007, time: new Date('2026-12-02T09:30:00Z'), data: {}, recordId: 12 },
      { id: 5007, time: t, data: {}, recordId: 11 },
      { id: 5007, time: t, data: {}, recordId: 10 },
    ];
    const token = nextPageToken(page, 3)!;
    assert.deepEqual(token, { end: t, seenRecordIds: [11, 10] });
    assert.equal(nextPageToken(page, 4), undefined);
    const next = eventsPageScript({ ids: [5007], start: new Date('2026-12-02T08:00:00Z'), pageSize: 3, after: token });
    assert.match(next, /\$seen = @\(11, 10\)/);
    assert.match(next, /-MaxEvents 5 /);
    assert.match(next, /EndTime'\] = \[datetime\]::Parse\('2026-12-02T09:00:00.000Z'/);
  });
});
