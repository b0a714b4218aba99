import * as assert from 'node:assert/strict';
import {
  addHistory,
  clearHistory,
  describeEntry,
  firstLine,
  historyFor,
  MAX_ENTRIES_PER_FILE,
  MAX_FILES,
  MAX_TOTAL_CHARS,
  readHistoryMap,
  type HistoryEntry,
  type HistoryMap,
} from '../../../src/hunting/model/history';
import { labelFor, timespanChoices } from '../../../src/hunting/model/timespans';

const entry = (id: string, at: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  at,
  query: '// comment\nDeviceEvents | take 1',
  timespan: 'P7D',
  line: 4,
  status: 'ok',
  rowCount: 1234,
  durationMs: 1500,
  ...extra,
});

describe('(unit) run history per file', () => {
  it('keeps entries per file, newest first, capped', () => {
    let map: HistoryMap = {};
    for (let i = 0; i < MAX_ENTRIES_PER_FILE + 5; i++) map = addHistory(map, 'file:///a.kql', entry(`e${i}`, i));
    map = addHistory(map, 'file:///b.kql', entry('b1', 1));
    const a = historyFor(map, 'file:///a.kql');
    assert.equal(a.length, MAX_ENTRIES_PER_FILE);
    assert.equal(a[0]!.id, `e${MAX_ENTRIES_PER_FILE + 4}`);
    assert.equal(historyFor(map, 'file:///b.kql').length, 1);
    assert.deepEqual(historyFor(clearHistory(map, 'file:///a.kql'), 'file:///a.kql'), []);
  });

  it('forgets the least recently run files beyond the file cap, and caps query text', () => {
    let map: HistoryMap = {};
    for (let i = 0; i < MAX_FILES + 3; i++) map = addHistory(map, `file:///f${i}.kql`, entry(`e${i}`, 1000 + i));
    assert.equal(Object.keys(map).length, MAX_FILES);
    assert.equal(historyFor(map, 'file:///f0.kql').length, 0);
    const long = addHistory({}, 'u', entry('x', 1, { query: 'x'.repeat(50_000) }));
    assert.equal(historyFor(long, 'u')[0]!.query.length, 20_000);
  });

  it('keeps the whole history under a size budget, dropping the oldest runs first', () => {
    let map: HistoryMap = {};
    for (let i = 0; i < 150; i++) map = addHistory(map, `file:///f${i % 3}.kql`, entry(`e${i}`, i, { query: 'q'.repeat(19_000) }));
    const all = Object.values(map).flat();
    const total = all.reduce((n, e) => n + e.query.length, 0);
    assert.ok(total <= MAX_TOTAL_CHARS, String(total));
    assert.equal(Math.min(...all.map((e) => e.at)), 150 - all.length);
  });

  it('reads stored state defensively', () => {
    assert.deepEqual(readHistoryMap(undefined), {});
    assert.deepEqual(readHistoryMap({ u: 'nope', v: [{ id: 1 }], w: [entry('ok', 1)] }), { w: [entry('ok', 1)] });
  });

  it('describes entries for the quick pick', () => {
    const d = describeEntry(entry('a', 0), 5 * 60_000);
    assert.equal(d.label, '$(pass) DeviceEvents | take 1');
    assert.equal(d.description, '5 min ago · P7D · line 5');
    assert.equal(d.detail, '1,234 rows in 1.5 s');
    assert.equal(describeEntry(entry('b', 0, { status: 'error', error: 'Syntax error' }), 0).detail, 'Syntax error');
    assert.equal(firstLine('  \n// c\n  T | where x == 1  '), 'T | where x == 1');
  });
});

describe('(unit) timespan choices', () => {
  it('preselects the last used timespan, else the default setting', () => {
    assert.equal(timespanChoices('P30D').active, 'P30D');
    assert.equal(timespanChoices('P30D', 'PT4H15M').active, 'PT4H15M');
    const custom = timespanChoices('P30D', 'P3D');
    assert.equal(custom.active, 'P3D');
    assert.equal(custom.choices[0]!.value, 'P3D');
    assert.equal(custom.choices[0]!.label, 'Last 3 days');
    assert.equal(timespanChoices('garbage').active, 'P30D');
    assert.equal(labelFor('PT4H15M'), 'Last 4 h 15 min');
    assert.equal(labelFor('2024-01-01T00:00:00Z/P1D'), '2024-01-01T00:00:00Z/P1D');
  });
});
