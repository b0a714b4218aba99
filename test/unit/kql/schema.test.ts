import * as assert from 'node:assert';
import {
  applyGetSchemaRows,
  buildGetSchemaQuery,
  buildSingleTableSchemaQuery,
  DEPRECATED_TABLES,
  findTable,
  normalizeKqlType,
  parseSchema,
} from '../../../src/kql/schema/schema';
import { loadBundledSchema } from '../../../src/kql/schema/bundled';
import { DEFENDER_FUNCTIONS } from '../../../src/kql/schema/defenderFunctions';
import { refreshSchema } from '../../../src/kql/schema/refresh';

describe('kql/schema', () => {
  it('loads the bundled advanced hunting schema: 62 tables, each with its documented columns', () => {
    const schema = loadBundledSchema();
    assert.strictEqual(schema.source, 'bundled');
    assert.strictEqual(schema.tables.length, 62);
    assert.deepStrictEqual(schema.tables.filter((t) => !t.columns?.length).map((t) => t.name), [], 'no table is left open');
    const events = findTable(schema, 'DeviceEvents');
    assert.ok(events?.description?.includes('troubleshooting'));
    const col = (n: string) => events?.columns?.find((c) => c.name === n)?.type;
    // defender.md §7 typing quirks: AdditionalFields is a string in Device* tables, ReportId a long.
    assert.strictEqual(col('AdditionalFields'), 'string');
    assert.strictEqual(col('ReportId'), 'long');
    assert.strictEqual(col('Timestamp'), 'datetime');
    assert.deepStrictEqual(findTable(schema, 'DeviceTvmBrowserExtensions')?.columns?.find((c) => c.name === 'InstallationTime'), { name: 'InstallationTime', type: 'datetime' });
  });

  it('names successors that exist and describe the same data', () => {
    const schema = loadBundledSchema();
    for (const [old, successor] of Object.entries(DEPRECATED_TABLES)) {
      const a = findTable(schema, old);
      const b = findTable(schema, successor);
      assert.ok(a && b, `${old} and ${successor} are both in the schema`);
      assert.strictEqual(a.description, b.description);
    }
  });

  it('normalises Kusto, .NET and Graph type spellings', () => {
    const cases: [string, string | undefined][] = [
      ['string', 'string'], ['String', 'string'], ['System.String', 'string'], ['Int64', 'long'], ['System.Int32', 'int'],
      ['boolean', 'bool'], ['Boolean', 'bool'], ['System.SByte', 'bool'], ['DateTime', 'datetime'], ['Double', 'real'],
      ['Object', 'dynamic'], ['System.Object', 'dynamic'], ['guid', 'guid'], ['System.TimeSpan', 'timespan'],
      ['System.Data.SqlTypes.SqlDecimal', 'decimal'], ['nonsense', undefined],
    ];
    for (const [raw, expected] of cases) assert.strictEqual(normalizeKqlType(raw), expected, raw);
    assert.strictEqual(normalizeKqlType(42), undefined);
  });

  it('parses both the reference shape and the cached shape, and rejects broken documents', () => {
    const ref = parseSchema({ tables: { T: { description: 'd', columns: [{ name: 'A', type: 'System.Int64' }, { name: 'B', type: '??' }] } } });
    assert.deepStrictEqual(ref.tables, [{ name: 'T', description: 'd', columns: [{ name: 'A', type: 'long' }, { name: 'B', type: 'dynamic' }] }]);
    const cached = parseSchema({ source: 'tenant', refreshedAt: '2026-01-01T00:00:00.000Z', tables: [{ name: 'U' }] });
    assert.strictEqual(cached.source, 'tenant');
    assert.strictEqual(cached.refreshedAt, '2026-01-01T00:00:00.000Z');
    assert.deepStrictEqual(cached.tables, [{ name: 'U', description: undefined }]);
    assert.throws(() => parseSchema(null), /not an object/);
    assert.throws(() => parseSchema({}), /no tables/);
    assert.throws(() => parseSchema({ tables: { 'bad name': {} } }), /bad table name/);
    assert.throws(() => parseSchema({ tables: { T: { columns: 'x' } } }), /not a list/);
    assert.throws(() => parseSchema({ tables: [{ name: 'T', columns: [{ type: 'string' }] }] }), /has no name/);
  });

  it('round-trips its own serialisation', () => {
    const schema = loadBundledSchema();
    assert.deepStrictEqual(parseSchema(JSON.parse(JSON.stringify(schema))), schema);
  });

  it('builds one fuzzy getschema union over every table', () => {
    const q = buildGetSchemaQuery(['DeviceEvents', 'DeviceInfo']);
    assert.match(q, /^union isfuzzy=true\n/);
    assert.match(q, /\(DeviceEvents \| getschema \| extend TableName = "DeviceEvents"\),\n/);
    assert.match(q, /\| project TableName, ColumnName, ColumnType, DataType$/);
    assert.throws(() => buildGetSchemaQuery(['Bad"Name']), /bad table name/);
    assert.throws(() => buildGetSchemaQuery([]), /no tables/);
    assert.strictEqual(buildSingleTableSchemaQuery('DeviceInfo'), 'DeviceInfo | getschema | project TableName = "DeviceInfo", ColumnName, ColumnType, DataType');
    assert.throws(() => buildSingleTableSchemaQuery('x y'), /bad table name/);
  });

  it('applies getschema rows: replaces the tables that came back, keeps the rest, adds new ones', () => {
    const base = loadBundledSchema();
    const rows = [
      { TableName: 'DeviceEvents', ColumnName: 'Timestamp', ColumnType: 'datetime', DataType: 'System.DateTime' },
      { TableName: 'DeviceEvents', ColumnName: 'NewColumn', ColumnType: '', DataType: 'System.Int64' },
      { tablename: 'DeviceTvmBrowserExtensions', columnname: 'ExtensionId', columntype: 'string' },
      { TableName: 'BrandNewTable', ColumnName: 'X', ColumnType: 'bool' },
      { TableName: 'DeviceEvents', ColumnName: 'NewColumn', ColumnType: 'long' },
      { TableName: 42, ColumnName: 'ignored' },
    ];
    const now = new Date('2026-02-03T04:05:06Z');
    const r = applyGetSchemaRows(base, rows, ['DeviceEvents', 'DeviceTvmBrowserExtensions', 'DeviceInfo'], now);
    assert.strictEqual(r.schema.source, 'tenant');
    assert.strictEqual(r.schema.refreshedAt, '2026-02-03T04:05:06.000Z');
    assert.deepStrictEqual(findTable(r.schema, 'DeviceEvents')?.columns, [
      { name: 'Timestamp', type: 'datetime' },
      { name: 'NewColumn', type: 'long' },
    ]);
    assert.deepStrictEqual(findTable(r.schema, 'DeviceTvmBrowserExtensions')?.columns, [{ name: 'ExtensionId', type: 'string' }]);
    assert.deepStrictEqual(findTable(r.schema, 'DeviceInfo'), findTable(base, 'DeviceInfo'));
    assert.deepStrictEqual(r.updated, ['DeviceEvents', 'DeviceTvmBrowserExtensions']);
    assert.deepStrictEqual(r.missing, ['DeviceInfo']);
    assert.deepStrictEqual(r.added, ['BrandNewTable']);
    assert.strictEqual(r.schema.tables.length, base.tables.length + 1);
    assert.strictEqual(findTable(base, 'DeviceEvents')?.columns?.length, 64, 'the base schema is not modified');
  });

  it('declares the Defender functions with documented columns', () => {
    assert.deepStrictEqual(DEFENDER_FUNCTIONS.map((f) => f.name), ['FileProfile', 'DeviceFromIP', 'AssignedIPAddresses']);
    for (const f of DEFENDER_FUNCTIONS) {
      assert.ok(f.columns.length > 0 && f.description.length > 20 && f.docsUrl.startsWith('https://learn.microsoft.com/'));
    }
  });
});

describe('kql/schema refresh', () => {
  const base = parseSchema({ tables: { A: { columns: [{ name: 'x', type: 'string' }] }, B: {}, C: {} } });
  const rowsFor = (t: string) => [{ TableName: t, ColumnName: `${t}1`, ColumnType: 'long' }];
  class QueryError extends Error {}

  it('asks once with a union and merges the answer', async () => {
    const sent: string[] = [];
    const r = await refreshSchema(base, async (q) => (sent.push(q), { results: [...rowsFor('A'), ...rowsFor('B')] }), { canRetryPerTable: () => true });
    assert.strictEqual(sent.length, 1);
    assert.match(sent[0]!, /^union isfuzzy=true/);
    assert.deepStrictEqual([r.queries, r.perTable, r.updated, r.missing], [1, false, ['A', 'B'], ['C']]);
    assert.deepStrictEqual(r.schema.tables.find((t) => t.name === 'A')?.columns, [{ name: 'A1', type: 'long' }]);
  });

  it('falls back to one query per table when the union is refused, skipping tables that fail', async () => {
    const progress: number[] = [];
    const r = await refreshSchema(
      base,
      async (q) => {
        if (q.startsWith('union')) throw new QueryError('semantic error');
        if (q.startsWith('C |')) throw new QueryError('no such table');
        return { results: rowsFor(/^(\w) \|/.exec(q)![1]!) };
      },
      { canRetryPerTable: (e) => e instanceof QueryError, onProgress: (done) => progress.push(done) },
    );
    assert.deepStrictEqual([r.queries, r.perTable, r.updated, r.missing], [4, true, ['A', 'B'], ['C']]);
    assert.deepStrictEqual(progress, [1, 2, 3]);
  });

  it('stops on errors that are not about the query, and on cancellation', async () => {
    await assert.rejects(refreshSchema(base, async () => { throw new Error('401'); }, { canRetryPerTable: () => false }), /401/);
    let calls = 0;
    await assert.rejects(
      refreshSchema(base, async () => { calls++; throw new QueryError('x'); }, { canRetryPerTable: () => true, isCancelled: () => calls >= 2 }),
      (e: Error) => e.name === 'Canceled',
    );
  });
});
