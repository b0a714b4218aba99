/**
 * Turns our schema into the Kusto binder's symbols: one database holding the advanced hunting tables and the
 * Defender functions. Tables whose columns are unknown are declared open, so their columns are not reported
 * as unknown (they are typed dynamic instead).
 */
import { describeColumn } from '../schema/columnDescriptions';
import { DEFENDER_FUNCTIONS, type DefenderFunction } from '../schema/defenderFunctions';
import type { KqlColumn, KqlSchema } from '../schema/schema';
import { type KustoRuntime, toArray } from './kustoRuntime';
import { l10n } from '../../core/l10n';

export const DATABASE_NAME = 'AdvancedHunting';

function columnSymbol(rt: KustoRuntime, c: KqlColumn): any {
  const S = rt.K.Symbols;
  return new S.ColumnSymbol(c.name, S.ScalarTypes.GetSymbol(c.type) ?? S.ScalarTypes.Dynamic, c.description ?? null, null, null, null);
}

function parameter(rt: KustoRuntime, name: string, type: 'tabular' | 'scalar' | 'int' | 'datetime' | 'string', optional: boolean, description: string | null): any {
  const S = rt.K.Symbols;
  const min = optional ? 0 : 1;
  const kind =
    type === 'tabular' ? S.ParameterTypeKind.Tabular : type === 'int' ? S.ParameterTypeKind.Integer : S.ParameterTypeKind.Scalar;
  if (type === 'datetime' || type === 'string') {
    const t = type === 'datetime' ? S.ScalarTypes.DateTime : S.ScalarTypes.String;
    return new S.Parameter.$ctor3(name, t, S.ArgumentKind.Expression, null, null, false, null, min, 1, null, description);
  }
  return new S.Parameter.ctor(name, kind, S.ArgumentKind.Expression, null, null, false, null, min, 1, null, description);
}

/**
 * An `invoke` enrichment: its result is the piped-in table's columns plus the function's own (the function's
 * version of a column wins, as the service fills it). The first argument is typed as any scalar because
 * advanced hunting accepts an unquoted column name there (`invoke FileProfile(SHA256)`); the quick-fix rules
 * drop the binder's "unknown name" for it.
 */
function invokeFunction(rt: KustoRuntime, fn: DefenderFunction): any {
  const S = rt.K.Symbols;
  const own = fn.columns.map((c) => columnSymbol(rt, c));
  const ownNames = new Set(fn.columns.map((c) => c.name));
  const params = [
    parameter(rt, 'T', 'tabular', false, l10n.t('The rows to enrich (the input of invoke).')),
    ...fn.parameters.map((p, i) => parameter(rt, p.name, i === 0 ? 'scalar' : p.type, p.optional, p.description)),
  ];
  const returnType = (ctx: any) => {
    const input = toArray(rt, ctx.ArgumentTypes)[0];
    const inputColumns = input && input.Columns ? toArray(rt, input.Columns).filter((c: any) => !ownNames.has(c.Name)) : [];
    return new S.TableSymbol.ctor([...inputColumns, ...own]);
  };
  return new S.FunctionSymbol.ctor(fn.name, returnType, S.Tabularity.Tabular, params).WithDescription(fn.description);
}

function tableFunction(rt: KustoRuntime, fn: DefenderFunction): any {
  const S = rt.K.Symbols;
  const result = new S.TableSymbol.ctor(fn.columns.map((c) => columnSymbol(rt, c)));
  const params = fn.parameters.map((p) => parameter(rt, p.name, p.type, p.optional, p.description));
  return new S.FunctionSymbol.$ctor5(fn.name, result, params).WithDescription(fn.description);
}

export function buildGlobals(rt: KustoRuntime, schema: KqlSchema): any {
  const K = rt.K;
  const S = K.Symbols;
  const tables = schema.tables.map((t) => {
    const columns = (t.columns ?? []).map((c) => {
      const description = describeColumn(t.name, c.name, c.description);
      return columnSymbol(rt, description ? { ...c, description } : c);
    });
    const table = new S.TableSymbol.$ctor6(t.name, columns, t.description ?? null);
    return t.columns ? table : table.WithIsOpen(true);
  });
  const functions = DEFENDER_FUNCTIONS.map((f) => (f.usage === 'invoke' ? invokeFunction(rt, f) : tableFunction(rt, f)));
  const db = new S.DatabaseSymbol.ctor(DATABASE_NAME, [...tables, ...functions]);
  const globals = K.GlobalState.Default.WithDatabase(db);
  // The editor APIs expect end tokens; KustoCode.ParseAndAnalyze sets the same option.
  return globals.WithParseOptions(globals.ParseOptions.WithAlwaysProduceEndTokens(true));
}
