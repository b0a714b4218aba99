/**
 * The advanced hunting tables the emulated tenant has, and the columns of the tables it serves: those of the
 * schema the extension ships (src/kql/schema/ah-schema.json, generated from Microsoft's docs pages by
 * scripts/gen-ah-schema.mjs), plus one DeviceEvents column the shipped schema lacks (EXTRA_TENANT_COLUMN), so
 * "Refresh KQL Schema" has something observable to add (e2e test test/e2e/kqlSchema.test.ts).
 */
import shipped from '../../../src/kql/schema/ah-schema.json';

export type KqlType = 'string' | 'datetime' | 'long' | 'int' | 'bool' | 'dynamic' | 'real' | 'guid' | 'timespan';
const KQL_TYPES: ReadonlySet<string> = new Set<KqlType>(['string', 'datetime', 'long', 'int', 'bool', 'dynamic', 'real', 'guid', 'timespan']);

export const KNOWN_TABLES: readonly string[] = Object.keys(shipped.tables);

/** Deliberately NOT in the shipped schema; rows carry null in it. */
export const EXTRA_TENANT_COLUMN = { table: 'DeviceEvents', column: 'InitiatingProcessUniqueId', type: 'long' } as const;

/** The tables the emulator has rows for (dataset.ts). */
const SERVED_TABLES = ['DeviceEvents', 'DeviceInfo', 'DeviceProcessEvents'] as const;

function shippedColumns(table: string): (readonly [string, KqlType])[] {
  const columns = (shipped.tables as Record<string, { columns?: { name: string; type: string }[] }>)[table]?.columns ?? [];
  return columns.map(({ name, type }) => {
    if (!KQL_TYPES.has(type)) throw new Error(`the emulator cannot serve ${table}.${name} of type ${type}`);
    return [name, type as KqlType] as const;
  });
}

export const TABLE_COLUMNS: Readonly<Record<string, readonly (readonly [string, KqlType])[]>> = Object.fromEntries(
  SERVED_TABLES.map((table) => [
    table,
    [...shippedColumns(table), ...(table === EXTRA_TENANT_COLUMN.table ? [[EXTRA_TENANT_COLUMN.column, EXTRA_TENANT_COLUMN.type] as const] : [])],
  ]),
);
