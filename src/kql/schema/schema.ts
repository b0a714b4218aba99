/**
 * The advanced hunting schema the KQL service analyses against: the bundled copy of
 * shared/reference/ah-schema.json (62 tables, columns for the 25 most used; see bundled.ts), optionally replaced
 * table by table with what `getschema` returned from the tenant ("Refresh schema"). No JSON is imported here, so
 * the extension host can use these helpers without carrying the schema in its bundle.
 */

/** Kusto scalar type names, as `getschema`'s ColumnType and Kusto.Language spell them. */
export type KqlScalarType = 'string' | 'long' | 'int' | 'real' | 'decimal' | 'bool' | 'datetime' | 'timespan' | 'guid' | 'dynamic';

export interface KqlColumn {
  readonly name: string;
  readonly type: KqlScalarType;
  readonly description?: string;
}

export interface KqlTable {
  readonly name: string;
  readonly description?: string;
  /** Undefined when the columns are not known: the table is then open (any column name is accepted). */
  readonly columns?: readonly KqlColumn[];
}

export interface KqlSchema {
  /** Where the columns came from: the copy shipped with the extension, or the tenant's `getschema`. */
  readonly source: 'bundled' | 'tenant';
  /** ISO time of the refresh, for a tenant schema. */
  readonly refreshedAt?: string;
  readonly tables: readonly KqlTable[];
}

/**
 * Tables Microsoft replaced. defender.md §7 lists EntraIdSignInEvents/EntraIdSpnSignInEvents and "the old
 * AADSignInEventsBeta/AADSpnSignInEventsBeta"; ah-schema.json gives each pair the same description.
 */
export const DEPRECATED_TABLES: Readonly<Record<string, string>> = {
  AADSignInEventsBeta: 'EntraIdSignInEvents',
  AADSpnSignInEventsBeta: 'EntraIdSpnSignInEvents',
};

const SCALAR_TYPES: ReadonlySet<string> = new Set<KqlScalarType>([
  'string', 'long', 'int', 'real', 'decimal', 'bool', 'datetime', 'timespan', 'guid', 'dynamic',
]);

/** Other spellings: Kusto aliases, .NET types (getschema's DataType) and the Graph API's column types. */
const TYPE_ALIASES: Readonly<Record<string, KqlScalarType>> = {
  boolean: 'bool',
  double: 'real',
  float: 'real',
  date: 'datetime',
  time: 'timespan',
  uniqueid: 'guid',
  int32: 'int',
  int64: 'long',
  sbyte: 'bool',
  object: 'dynamic',
  'system.string': 'string',
  'system.int64': 'long',
  'system.int32': 'int',
  'system.double': 'real',
  'system.single': 'real',
  'system.boolean': 'bool',
  'system.sbyte': 'bool',
  'system.datetime': 'datetime',
  'system.timespan': 'timespan',
  'system.guid': 'guid',
  'system.object': 'dynamic',
  'system.data.sqltypes.sqldecimal': 'decimal',
  'system.decimal': 'decimal',
};

/** Maps any of the type spellings above to a Kusto scalar type; undefined when unknown. */
export function normalizeKqlType(raw: unknown): KqlScalarType | undefined {
  if (typeof raw !== 'string') return undefined;
  const t = raw.trim().toLowerCase();
  if (SCALAR_TYPES.has(t)) return t as KqlScalarType;
  return TYPE_ALIASES[t];
}

function fail(why: string): never {
  throw new Error(`Invalid KQL schema: ${why}`);
}

/**
 * Reads a schema document: ah-schema.json's shape (`{ tables: { Name: { description, columns } } }`) or our
 * own cached shape (`{ source, tables: [ { name, description, columns } ] }`). Unknown column types become
 * `dynamic`, which accepts any use, rather than failing the whole schema.
 */
export function parseSchema(json: unknown, source: KqlSchema['source'] = 'bundled'): KqlSchema {
  if (!json || typeof json !== 'object') fail('not an object');
  const doc = json as Record<string, unknown>;
  const rawTables = doc.tables;
  let entries: [string, Record<string, unknown>][];
  if (Array.isArray(rawTables)) {
    entries = rawTables.map((t, i) => {
      if (!t || typeof t !== 'object') fail(`table #${i} is not an object`);
      const name = (t as Record<string, unknown>).name;
      if (typeof name !== 'string' || !name) fail(`table #${i} has no name`);
      return [name, t as Record<string, unknown>];
    });
  } else if (rawTables && typeof rawTables === 'object') {
    entries = Object.entries(rawTables as Record<string, Record<string, unknown>>);
  } else {
    fail('no tables');
  }
  const tables: KqlTable[] = entries.map(([name, t]) => {
    if (!/^[A-Za-z_][\w]*$/.test(name)) fail(`bad table name ${JSON.stringify(name)}`);
    const description = typeof t.description === 'string' ? t.description : undefined;
    if (t.columns === undefined) return { name, description };
    if (!Array.isArray(t.columns)) fail(`${name}.columns is not a list`);
    const columns = t.columns.map((c: unknown, i: number): KqlColumn => {
      const col = (c ?? {}) as Record<string, unknown>;
      if (typeof col.name !== 'string' || !col.name) fail(`${name} column #${i} has no name`);
      return {
        name: col.name,
        type: normalizeKqlType(col.type) ?? 'dynamic',
        ...(typeof col.description === 'string' ? { description: col.description } : {}),
      };
    });
    return { name, description, columns };
  });
  const src = doc.source === 'tenant' || doc.source === 'bundled' ? doc.source : source;
  const refreshedAt = typeof doc.refreshedAt === 'string' ? doc.refreshedAt : undefined;
  return { source: src, ...(refreshedAt ? { refreshedAt } : {}), tables };
}

export function findTable(schema: KqlSchema, name: string): KqlTable | undefined {
  return schema.tables.find((t) => t.name === name);
}

/**
 * One query that returns the columns of every table: a fuzzy union of `T | getschema` legs, so tables the
 * tenant does not have (no licence, preview not enabled) drop out instead of failing the query.
 */
export function buildGetSchemaQuery(tableNames: readonly string[]): string {
  if (tableNames.length === 0) throw new Error('no tables to ask for');
  const legs = tableNames.map((t) => {
    if (!/^[A-Za-z_]\w*$/.test(t)) throw new Error(`bad table name ${JSON.stringify(t)}`);
    return `    (${t} | getschema | extend TableName = "${t}")`;
  });
  return ['union isfuzzy=true', legs.join(',\n'), '| project TableName, ColumnName, ColumnType, DataType'].join('\n');
}

/** The query for one table, used when the tenant refuses the union: plain `getschema`, no union needed. */
export function buildSingleTableSchemaQuery(table: string): string {
  if (!/^[A-Za-z_]\w*$/.test(table)) throw new Error(`bad table name ${JSON.stringify(table)}`);
  return `${table} | getschema | project TableName = "${table}", ColumnName, ColumnType, DataType`;
}

export interface SchemaRefreshResult {
  readonly schema: KqlSchema;
  /** Tables `getschema` returned columns for. */
  readonly updated: readonly string[];
  /** Tables asked for but absent from the answer (kept with their bundled columns). */
  readonly missing: readonly string[];
  /** Tables the tenant has that the base schema did not list. */
  readonly added: readonly string[];
}

/**
 * Merges `getschema` rows (TableName, ColumnName, ColumnType and/or DataType; any casing) into `base`. Tables
 * that came back get exactly the tenant's columns, in the tenant's order; the others keep what they had.
 */
export function applyGetSchemaRows(
  base: KqlSchema,
  rows: readonly Record<string, unknown>[],
  asked: readonly string[] = base.tables.map((t) => t.name),
  now: Date = new Date(),
): SchemaRefreshResult {
  const byTable = new Map<string, KqlColumn[]>();
  for (const row of rows) {
    const get = (key: string) => {
      if (key in row) return row[key];
      const k = Object.keys(row).find((x) => x.toLowerCase() === key.toLowerCase());
      return k === undefined ? undefined : row[k];
    };
    const table = get('TableName');
    const column = get('ColumnName');
    if (typeof table !== 'string' || typeof column !== 'string' || !table || !column) continue;
    const type = normalizeKqlType(get('ColumnType')) ?? normalizeKqlType(get('DataType')) ?? 'dynamic';
    const cols = byTable.get(table) ?? [];
    if (!cols.some((c) => c.name === column)) cols.push({ name: column, type });
    byTable.set(table, cols);
  }
  const known = new Set(base.tables.map((t) => t.name));
  const tables: KqlTable[] = base.tables.map((t) => {
    const cols = byTable.get(t.name);
    if (!cols) return t;
    const described = new Map((t.columns ?? []).map((c) => [c.name, c.description]));
    return {
      ...t,
      columns: cols.map((c) => (described.get(c.name) ? { ...c, description: described.get(c.name) } : c)),
    };
  });
  const added = [...byTable.keys()].filter((n) => !known.has(n)).sort();
  for (const name of added) tables.push({ name, columns: byTable.get(name) });
  return {
    schema: { source: 'tenant', refreshedAt: now.toISOString(), tables },
    updated: [...byTable.keys()].filter((n) => known.has(n)).sort(),
    missing: asked.filter((n) => !byTable.has(n)),
    added,
  };
}

/** All column names of the schema, for "did you mean" suggestions. */
export function allColumnNames(schema: KqlSchema): string[] {
  const names = new Set<string>();
  for (const t of schema.tables) for (const c of t.columns ?? []) names.add(c.name);
  return [...names];
}
