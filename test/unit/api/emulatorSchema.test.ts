import * as assert from 'node:assert/strict';
import { Dataset } from '../../doubles/api-emulator/dataset';
import { KqlError, runQuery, type EvalContext } from '../../doubles/api-emulator/kql';
import { EXTRA_TENANT_COLUMN, TABLE_COLUMNS } from '../../doubles/api-emulator/schema';
import { startApiEmulator } from '../../doubles/api-emulator/server';
import { loadBundledSchema } from '../../../src/kql/schema/bundled';
import { refreshSchema } from '../../../src/kql/schema/refresh';
import { applyGetSchemaRows, buildGetSchemaQuery, buildSingleTableSchemaQuery, findTable } from '../../../src/kql/schema/schema';

/** getschema and the fuzzy union "Refresh KQL Schema" sends: answered from schema.ts, refused clearly otherwise. */
describe('(unit) api emulator: getschema', () => {
  const dataset = new Dataset({ anchor: Date.parse('2025-05-01T12:00:00Z'), processEvents: 10 });
  const ctx: EvalContext = { now: dataset.anchor, table: (name) => dataset.table(name) };
  const run = (q: string) => runQuery(q, ctx);
  const err = (q: string): KqlError => {
    try {
      run(q);
    } catch (e) {
      assert.ok(e instanceof KqlError, String(e));
      return e;
    }
    throw new Error(`no error for ${q}`);
  };
  const bundledTables = loadBundledSchema().tables.map((t) => t.name);

  it('answers `T | getschema` with Kusto\'s four columns, from the column list', () => {
    const t = run('DeviceInfo | getschema');
    assert.deepEqual(t.columns, [
      { name: 'ColumnName', type: 'string' },
      { name: 'ColumnOrdinal', type: 'int' },
      { name: 'DataType', type: 'string' },
      { name: 'ColumnType', type: 'string' },
    ]);
    assert.equal(t.rows.length, TABLE_COLUMNS.DeviceInfo!.length);
    assert.deepEqual(t.rows[0], { ColumnName: 'Timestamp', ColumnOrdinal: 0, DataType: 'System.DateTime', ColumnType: 'datetime' });
    const byName = new Map(t.rows.map((r) => [r.ColumnName, r]));
    assert.deepEqual(byName.get('OSBuild'), { ColumnName: 'OSBuild', ColumnOrdinal: 7, DataType: 'System.Int64', ColumnType: 'long' });
    assert.equal(byName.get('IsAzureADJoined')!.DataType, 'System.SByte');
    assert.equal(byName.get('IsAzureADJoined')!.ColumnType, 'bool');
  });

  it('has one DeviceEvents column the shipped schema lacks, so a refresh has something to add', () => {
    const shipped = findTable(loadBundledSchema(), EXTRA_TENANT_COLUMN.table)!.columns!.map((c) => c.name);
    assert.ok(!shipped.includes(EXTRA_TENANT_COLUMN.column), 'the shipped schema already has the extra column');
    const emulated = run(`${EXTRA_TENANT_COLUMN.table} | getschema`).rows.map((r) => r.ColumnName);
    assert.deepEqual(emulated.filter((c) => !shipped.includes(c as string)), [EXTRA_TENANT_COLUMN.column]);
    // Rows carry the column (null), so queries that use it run.
    assert.equal(run(`DeviceEvents | where isnull(${EXTRA_TENANT_COLUMN.column}) | count`).rows[0]!.Count, dataset.table('DeviceEvents')!.rows.length);
  });

  it('evaluates the product\'s single-table query and its fuzzy union over every bundled table', () => {
    const single = run(buildSingleTableSchemaQuery('DeviceProcessEvents'));
    assert.deepEqual(single.columns.map((c) => c.name), ['TableName', 'ColumnName', 'ColumnType', 'DataType']);
    assert.ok(single.rows.every((r) => r.TableName === 'DeviceProcessEvents'));
    assert.equal(single.rows.length, TABLE_COLUMNS.DeviceProcessEvents!.length);

    const union = run(buildGetSchemaQuery(bundledTables));
    assert.deepEqual(union.columns.map((c) => c.name), ['TableName', 'ColumnName', 'ColumnType', 'DataType']);
    // Legs the emulator has no column list for drop out, as tables a tenant lacks do.
    assert.deepEqual([...new Set(union.rows.map((r) => r.TableName))].sort(), Object.keys(TABLE_COLUMNS).sort());
    const merged = applyGetSchemaRows(loadBundledSchema(), union.rows, bundledTables);
    assert.deepEqual([...merged.updated], Object.keys(TABLE_COLUMNS).sort());
    assert.equal(merged.missing.length, bundledTables.length - Object.keys(TABLE_COLUMNS).length);
    const extra = findTable(merged.schema, EXTRA_TENANT_COLUMN.table)!.columns!.find((c) => c.name === EXTRA_TENANT_COLUMN.column);
    assert.deepEqual(extra, { name: EXTRA_TENANT_COLUMN.column, type: 'long' });
  });

  it('fails unknown tables as it does elsewhere, and refuses what it cannot answer', () => {
    assert.equal(err('DeviceEvnts | getschema').message, "Failed to resolve table or column expression named 'DeviceEvnts'");
    assert.equal(err('DeviceEvnts | getschema').kind, 'semantic');
    // Fuzzy: the bad leg drops out; with no leg left, the resolution error stands. Not fuzzy: it fails.
    assert.equal(run('union isfuzzy=true (DeviceEvnts | getschema), (DeviceInfo | getschema)').rows.length, TABLE_COLUMNS.DeviceInfo!.length);
    assert.equal(err('union isfuzzy=true (DeviceEvnts | getschema), (Nope | getschema)').message, "Failed to resolve table or column expression named 'DeviceEvnts'");
    assert.equal(err('union (DeviceEvnts | getschema), (DeviceInfo | getschema)').kind, 'semantic');
    assert.equal(err('union isfuzzy=false (DeviceEvnts | getschema), (DeviceInfo | getschema)').kind, 'semantic');
    // A known table without a column list: a clear 400 alone, left out of a fuzzy union.
    const alertInfo = err('AlertInfo | getschema');
    assert.equal(alertInfo.kind, 'unsupported');
    assert.match(alertInfo.message, /does not know the columns of 'AlertInfo'; getschema works for DeviceEvents, DeviceInfo, DeviceProcessEvents/);
    assert.equal(err('union (AlertInfo | getschema), (DeviceInfo | getschema)').kind, 'unsupported');
    // Only the shapes the product sends.
    assert.match(err('DeviceEvents | take 1 | getschema').message, /getschema only directly after a table name/);
    assert.match(err('union DeviceEvents, DeviceInfo').message, /union only over parenthesized queries/);
    assert.match(err('union kind=inner (DeviceInfo | getschema)').message, /does not implement union's 'kind' parameter/);
    assert.match(err('union isfuzzy=maybe (DeviceInfo | getschema)').message, /could not be parsed at 'maybe'/);
    assert.match(err('union (DeviceInfo | take 1) (DeviceEvents | take 1)').message, /could not be parsed at '\('/);
    assert.match(err('union (DeviceInfo | project OSBuild), (DeviceProcessEvents | project OSBuild = "x")').message, /column 'OSBuild' differs in type/);
  });

  it('serves the union over HTTP in runHuntingQuery\'s shape, and the product\'s refresh takes it in one query', async () => {
    const emu = await startApiEmulator({ dataset: { processEvents: 10 } });
    try {
      const sent: string[] = [];
      const hunt = async (query: string) => {
        sent.push(query);
        const res = await fetch(`${emu.url}/v1.0/security/runHuntingQuery`, {
          method: 'POST',
          headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' },
          body: JSON.stringify({ Query: query }),
        });
        const body = (await res.json()) as { schema: { name: string; type: string }[]; results: Record<string, unknown>[]; error?: { message: string } };
        if (res.status !== 200) throw new Error(`${res.status}: ${body.error?.message}`);
        return body;
      };
      const direct = await hunt('DeviceEvents | getschema');
      assert.deepEqual(direct.schema, [
        { name: 'ColumnName', type: 'String' },
        { name: 'ColumnOrdinal', type: 'Int32' },
        { name: 'DataType', type: 'String' },
        { name: 'ColumnType', type: 'String' },
      ]);
      assert.deepEqual(direct.results.at(-1), {
        ColumnName: EXTRA_TENANT_COLUMN.column,
        ColumnOrdinal: TABLE_COLUMNS.DeviceEvents!.length - 1,
        DataType: 'System.Int64',
        ColumnType: 'long',
      });
      await assert.rejects(hunt('AlertInfo | getschema'), /^Error: 400: The API emulator does not know the columns of 'AlertInfo'/);

      sent.length = 0;
      const outcome = await refreshSchema(loadBundledSchema(), hunt, { canRetryPerTable: () => true });
      assert.equal(outcome.queries, 1);
      assert.equal(outcome.perTable, false);
      assert.match(sent[0]!, /^union isfuzzy=true\n/);
      assert.ok(findTable(outcome.schema, 'DeviceEvents')!.columns!.some((c) => c.name === EXTRA_TENANT_COLUMN.column));
    } finally {
      await emu.close();
    }
  });
});
