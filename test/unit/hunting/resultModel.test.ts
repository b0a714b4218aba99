import * as assert from 'node:assert/strict';
import {
  cellText,
  columnKind,
  columnsFromSchema,
  computeView,
  defuseFormula,
  displayText,
  parseFilter,
  rowsFromResults,
  scrollIntoView,
  timespanMs,
  toCsv,
  toJson,
  toTsv,
  virtualWindow,
  type GridColumn,
} from '../../../src/webview-ui/results/model';

const schema = [
  { name: 'Timestamp', type: 'DateTime' },
  { name: 'DeviceName', type: 'String' },
  { name: 'ReportId', type: 'Int64' },
  { name: 'Props', type: 'Object' },
  { name: 'Ok', type: 'Boolean' },
  { name: 'Took', type: 'TimeSpan' },
];
const results = [
  { Timestamp: '2024-03-26T09:39:50.7688641Z', DeviceName: 'ws-fin-01', ReportId: 10, Props: { State: 'Enabled' }, Ok: true, Took: '00:01:00' },
  { Timestamp: '2024-03-25T09:00:00.0000000Z', DeviceName: 'ws-hr-07', ReportId: 2, Props: null, Ok: false, Took: '1.00:00:00' },
  { Timestamp: '2024-03-27T00:00:00Z', DeviceName: 'WS-DEV-11', ReportId: 33, Props: { State: 'Disabled' }, Ok: true, Took: '00:00:05' },
  { DeviceName: 'srv-sql-02', ReportId: -4, Ok: null },
];

describe('(unit) results model', () => {
  let columns: GridColumn[];
  let rows: ReturnType<typeof rowsFromResults>;
  beforeEach(() => {
    columns = columnsFromSchema(schema);
    rows = rowsFromResults(columns, results);
  });

  it('types columns from Graph and Kusto type names', () => {
    assert.deepEqual(
      columns.map((c) => c.kind),
      ['datetime', 'string', 'number', 'dynamic', 'bool', 'timespan'],
    );
    assert.equal(columnKind('datetime'), 'datetime');
    assert.equal(columnKind('long'), 'number');
    assert.equal(columnKind('Int32'), 'number');
    assert.equal(columnKind('real'), 'number');
    assert.equal(columnKind('dynamic'), 'dynamic');
    assert.equal(columnKind('bool'), 'bool');
    assert.equal(columnKind('Guid'), 'guid');
    assert.equal(columnKind('Something'), 'string');
  });

  it('keeps values as the service sent them, in schema order, with missing cells as null', () => {
    assert.deepEqual(rows[3], [null, 'srv-sql-02', -4, null, null, null]);
    assert.deepEqual(rows[0]![3], { State: 'Enabled' });
    assert.equal(cellText(rows[0]![3]!), '{"State":"Enabled"}');
    assert.equal(displayText(rows[0]![0]!, 'datetime'), '2024-03-26 09:39:50.768');
    assert.equal(displayText('a\r\nb\tc', 'string'), 'a b c');
    assert.equal(cellText(null), '');
  });

  it('sorts by type: dates by time, numbers numerically, text case-insensitively, nulls last both ways', () => {
    const names = (idx: number[]) => idx.map((i) => rows[i]![1]);
    assert.deepEqual(names(computeView(columns, rows, { sort: { column: 0, direction: 'asc' } })), ['ws-hr-07', 'ws-fin-01', 'WS-DEV-11', 'srv-sql-02']);
    assert.deepEqual(names(computeView(columns, rows, { sort: { column: 0, direction: 'desc' } })), ['WS-DEV-11', 'ws-fin-01', 'ws-hr-07', 'srv-sql-02']);
    assert.deepEqual(names(computeView(columns, rows, { sort: { column: 2, direction: 'asc' } })), ['srv-sql-02', 'ws-hr-07', 'ws-fin-01', 'WS-DEV-11']);
    assert.deepEqual(names(computeView(columns, rows, { sort: { column: 1, direction: 'asc' } })), ['srv-sql-02', 'WS-DEV-11', 'ws-fin-01', 'ws-hr-07']);
    assert.deepEqual(names(computeView(columns, rows, { sort: { column: 5, direction: 'desc' } })), ['ws-hr-07', 'ws-fin-01', 'WS-DEV-11', 'srv-sql-02']);
    assert.equal(timespanMs('1.02:03:04.5'), ((26 * 60 + 3) * 60 + 4) * 1000 + 500);
  });

  it('sort is stable and leaves the row array alone', () => {
    const before = JSON.stringify(rows);
    const idx = computeView(columns, rows, { sort: { column: 4, direction: 'desc' } });
    assert.deepEqual(idx, [0, 2, 1, 3]);
    assert.equal(JSON.stringify(rows), before);
  });

  it('filters by free text, by column, and by typed comparisons', () => {
    const names = (filter: string) => computeView(columns, rows, { filter }).map((i) => rows[i]![1]);
    assert.deepEqual(names('ws-'), ['ws-fin-01', 'ws-hr-07', 'WS-DEV-11']);
    assert.deepEqual(names('disabled'), ['WS-DEV-11']);
    assert.deepEqual(names('devicename:sql'), ['srv-sql-02']);
    assert.deepEqual(names('DeviceName=ws-hr-07'), ['ws-hr-07']);
    assert.deepEqual(names('DeviceName!=ws-hr-07 ReportId>0'), ['ws-fin-01', 'WS-DEV-11']);
    assert.deepEqual(names('ReportId>=10'), ['ws-fin-01', 'WS-DEV-11']);
    assert.deepEqual(names('ReportId=2'), ['ws-hr-07']);
    assert.deepEqual(names('Timestamp>2024-03-26'), ['ws-fin-01', 'WS-DEV-11']);
    assert.deepEqual(names('Timestamp<2024-03-26'), ['ws-hr-07']);
    assert.deepEqual(names('Took>00:00:30'), ['ws-fin-01', 'ws-hr-07']);
    assert.deepEqual(names('"ws-fin"'), ['ws-fin-01']);
    assert.deepEqual(names('http://unknown:thing'), []);
    assert.deepEqual(names(''), ['ws-fin-01', 'ws-hr-07', 'WS-DEV-11', 'srv-sql-02']);
    assert.deepEqual(parseFilter('Timestamp>yesterday', columns).problems, ['"yesterday" is not a date for Timestamp.']);
    assert.deepEqual(parseFilter('nocolumn:x', columns).terms, [{ op: 'contains', value: 'nocolumn:x' }]);
  });

  it('filters then sorts', () => {
    const idx = computeView(columns, rows, { filter: 'ws', sort: { column: 2, direction: 'desc' } });
    assert.deepEqual(idx.map((i) => rows[i]![2]), [33, 10, 2]);
  });

  describe('virtual window', () => {
    it('renders only the viewport plus overscan', () => {
      const w = virtualWindow({ scrollTop: 0, viewportHeight: 440, rowHeight: 22, rowCount: 100_000, overscan: 5 });
      assert.deepEqual(w, { first: 0, last: 25, offsetTop: 0, totalHeight: 2_200_000 });
      const mid = virtualWindow({ scrollTop: 22 * 50_000 + 11, viewportHeight: 440, rowHeight: 22, rowCount: 100_000, overscan: 5 });
      assert.equal(mid.first, 49_995);
      assert.equal(mid.last, 50_026);
      assert.equal(mid.offsetTop, 49_995 * 22);
    });

    it('clamps at the end and for tiny or empty lists', () => {
      const end = virtualWindow({ scrollTop: 10_000_000, viewportHeight: 440, rowHeight: 22, rowCount: 100_000, overscan: 5 });
      assert.equal(end.last, 100_000);
      assert.equal(end.first, 100_000 - 20 - 5);
      assert.deepEqual(virtualWindow({ scrollTop: 0, viewportHeight: 440, rowHeight: 22, rowCount: 3 }), { first: 0, last: 3, offsetTop: 0, totalHeight: 66 });
      assert.deepEqual(virtualWindow({ scrollTop: 50, viewportHeight: 440, rowHeight: 22, rowCount: 0 }), { first: 0, last: 0, offsetTop: 0, totalHeight: 0 });
    });

    it('the rendered count does not grow with the row count', () => {
      for (const rowCount of [1_000, 100_000, 1_000_000]) {
        const w = virtualWindow({ scrollTop: 12_345, viewportHeight: 600, rowHeight: 22, rowCount, overscan: 8 });
        assert.ok(w.last - w.first <= Math.ceil(600 / 22) + 1 + 16);
      }
    });

    it('scrolls a row into view only when needed', () => {
      assert.equal(scrollIntoView(10, 0, 440, 22), 0);
      assert.equal(scrollIntoView(30, 0, 440, 22), 31 * 22 - 440);
      assert.equal(scrollIntoView(2, 200, 440, 22), 44);
    });
  });

  describe('export', () => {
    it('quotes CSV per RFC 4180 and ends lines with CRLF', () => {
      const cols = columnsFromSchema([
        { name: 'A', type: 'String' },
        { name: 'B', type: 'String' },
      ]);
      const r = rowsFromResults(cols, [
        { A: 'plain', B: 'has,comma' },
        { A: 'has "quotes"', B: 'line\nbreak' },
        { A: ' edge ', B: null },
      ]);
      assert.equal(
        toCsv(cols, r, [0, 1, 2], false),
        'A,B\r\nplain,"has,comma"\r\n"has ""quotes""","line\nbreak"\r\n" edge ",\r\n',
      );
      assert.ok(toCsv(cols, r, [0]).startsWith('\uFEFFA,B\r\n'));
    });

    it('defuses formulas: = + - @ tab and CR get a leading quote, real numbers do not', () => {
      const cols = columnsFromSchema([
        { name: 'Text', type: 'String' },
        { name: 'Count', type: 'Int64' },
      ]);
      const r = rowsFromResults(cols, [
        { Text: '=HYPERLINK("http://x")', Count: -5 },
        { Text: '+1', Count: 3 },
        { Text: '-cmd', Count: '-2' },
        { Text: '@SUM(A1)', Count: 0 },
        { Text: '\tx', Count: 1 },
        { Text: 'safe=1', Count: 1 },
      ]);
      const lines = toCsv(cols, r, [0, 1, 2, 3, 4, 5], false).trimEnd().split('\r\n');
      assert.deepEqual(lines.slice(1), [
        `"'=HYPERLINK(""http://x"")",-5`,
        `'+1,3`,
        `'-cmd,'-2`,
        `'@SUM(A1),0`,
        `'\tx,1`,
        `safe=1,1`,
      ]);
      assert.equal(defuseFormula('=1', '=1', 'string'), "'=1");
      assert.equal(defuseFormula('-1', -1, 'number'), '-1');
      const header = columnsFromSchema([{ name: '=evil', type: 'String' }]);
      assert.equal(toCsv(header, [], [], false), "'=evil\r\n");
    });

    it('exports the view (filtered and sorted rows), and JSON keeps raw typed values', () => {
      const idx = computeView(columns, rows, { filter: 'ws', sort: { column: 2, direction: 'asc' } });
      const csv = toCsv(columns, rows, idx, false).split('\r\n');
      assert.equal(csv[0], 'Timestamp,DeviceName,ReportId,Props,Ok,Took');
      assert.equal(csv[1], '2024-03-25T09:00:00.0000000Z,ws-hr-07,2,,false,1.00:00:00');
      assert.equal(csv[2], '2024-03-26T09:39:50.7688641Z,ws-fin-01,10,"{""State"":""Enabled""}",true,00:01:00');
      const json = JSON.parse(toJson(columns, rows, idx)) as Record<string, unknown>[];
      assert.equal(json.length, 3);
      assert.deepEqual(json[1], {
        Timestamp: '2024-03-26T09:39:50.7688641Z',
        DeviceName: 'ws-fin-01',
        ReportId: 10,
        Props: { State: 'Enabled' },
        Ok: true,
        Took: '00:01:00',
      });
    });

    it('copies as TSV with tabs inside cells quoted', () => {
      const cols = columnsFromSchema([
        { name: 'A', type: 'String' },
        { name: 'B', type: 'Int32' },
      ]);
      const r = rowsFromResults(cols, [{ A: 'x\ty', B: 1 }]);
      assert.equal(toTsv(cols, r, [0]), 'A\tB\n"x\ty"\t1\n');
      assert.equal(toTsv(cols, r, [0], false), '"x\ty"\t1\n');
    });
  });

  it('handles 100,000 rows: view, sort and CSV in reasonable time', function () {
    this.timeout(20_000);
    const cols = columnsFromSchema([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceName', type: 'String' },
      { name: 'ProcessId', type: 'Int64' },
    ]);
    const big = Array.from({ length: 100_000 }, (_, i) => ({
      Timestamp: new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % 100_000) * 1000).toISOString(),
      DeviceName: `wks-${i % 500}`,
      ProcessId: (i * 31) % 65_536,
    }));
    const started = Date.now();
    const r = rowsFromResults(cols, big);
    const idx = computeView(cols, r, { filter: 'wks-1', sort: { column: 0, direction: 'desc' } });
    assert.ok(idx.length > 10_000);
    for (let k = 1; k < idx.length; k++) {
      assert.ok(String(r[idx[k - 1]!]![0]) >= String(r[idx[k]!]![0]));
    }
    const csv = toCsv(cols, r, computeView(cols, r), false);
    assert.equal(csv.split('\r\n').length, 100_002);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
