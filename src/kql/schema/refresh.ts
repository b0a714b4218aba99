/**
 * "Refresh schema": asks advanced hunting for the columns of every table with `getschema` and merges the
 * answer into the schema. One fuzzy union query first; if the service refuses it (a query error, not sign-in
 * or throttling), one query per table, so one bad table cannot block the rest.
 */
import { applyGetSchemaRows, buildGetSchemaQuery, buildSingleTableSchemaQuery, type KqlSchema, type SchemaRefreshResult } from './schema';

export type SchemaQueryRunner = (query: string) => Promise<{ readonly results: readonly Record<string, unknown>[] }>;

export interface SchemaRefreshOptions {
  /** True for errors about the query itself, after which asking table by table can still work. */
  readonly canRetryPerTable: (err: unknown) => boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly isCancelled?: () => boolean;
  readonly now?: Date;
}

export interface SchemaRefreshOutcome extends SchemaRefreshResult {
  /** Queries sent to the service. */
  readonly queries: number;
  /** The union was refused and tables were asked for one by one. */
  readonly perTable: boolean;
}

export class SchemaRefreshCancelled extends Error {
  constructor() {
    super('Schema refresh cancelled.');
    this.name = 'Canceled';
  }
}

export async function refreshSchema(base: KqlSchema, run: SchemaQueryRunner, options: SchemaRefreshOptions): Promise<SchemaRefreshOutcome> {
  const tables = base.tables.map((t) => t.name);
  try {
    const answer = await run(buildGetSchemaQuery(tables));
    options.onProgress?.(tables.length, tables.length);
    return { ...applyGetSchemaRows(base, answer.results, tables, options.now), queries: 1, perTable: false };
  } catch (err) {
    if (!options.canRetryPerTable(err)) throw err;
  }
  const rows: Record<string, unknown>[] = [];
  let queries = 1;
  for (const [i, table] of tables.entries()) {
    if (options.isCancelled?.()) throw new SchemaRefreshCancelled();
    queries++;
    try {
      rows.push(...(await run(buildSingleTableSchemaQuery(table))).results);
    } catch (err) {
      // A table this tenant does not have fails on its own; anything else (sign-in, quota) stops the refresh.
      if (!options.canRetryPerTable(err)) throw err;
    }
    options.onProgress?.(i + 1, tables.length);
  }
  return { ...applyGetSchemaRows(base, rows, tables, options.now), queries, perTable: true };
}
