/**
 * Advanced hunting's known traps, as pure rules over what the parser found. The Kusto service reports a
 * Sentinel habit or a renamed table as "unknown name" or not at all; these rules turn that into a precise
 * message with a fix. Input offsets are whatever the caller uses (block-relative in the service).
 */
import { findDefenderFunction } from './schema/defenderFunctions';
import { DEPRECATED_TABLES, type KqlSchema } from './schema/schema';
import type { KqlDiagnostic, KqlFix } from './types';
import { l10n } from '../core/l10n';

/** A name in the query, as the binder saw it. */
export interface NameOccurrence {
  readonly name: string;
  readonly start: number;
  readonly length: number;
  readonly role: 'reference' | 'declaration';
  /** What the binder resolved a reference to; undefined when it resolved to nothing. */
  readonly resolvedTo?: 'table' | 'column' | 'function' | 'variable' | 'other';
  /** Set when the name is an argument of `invoke F(...)`. */
  readonly invokeArgument?: { readonly functionName: string; readonly index: number };
}

/** Kusto's analyzer hint "Avoid using joins without specifying the join kind", reported on the `join` keyword. */
const JOIN_WITHOUT_KIND = 'KS508';

/**
 * Fixes for a join without kind: make today's behaviour explicit (innerunique, which drops duplicate left
 * keys) or ask for what most people mean (inner).
 */
function joinKindFixes(afterJoinKeyword: number): KqlFix[] {
  return [
    { title: l10n.t('Add kind=innerunique (the default, keeps one row per left key)'), edits: [{ start: afterJoinKeyword, length: 0, newText: ' kind=innerunique' }], preferred: true },
    { title: l10n.t('Add kind=inner (every matching pair of rows)'), edits: [{ start: afterJoinKeyword, length: 0, newText: ' kind=inner' }] },
  ];
}

/** Kusto's "does not refer to any known …" codes (column/table/variable/function, and table-only). */
const UNKNOWN_NAME_CODES = new Set(['KS142', 'KS204']);

export const SENTINEL_TIME_COLUMN = 'TimeGenerated';
export const DEFENDER_TIME_COLUMN = 'Timestamp';

export const RuleCodes = {
  deprecatedTable: 'DT001',
  sentinelTimeColumn: 'DT002',
} as const;

function replaceFix(title: string, start: number, length: number, newText: string): KqlFix {
  return { title, edits: [{ start, length, newText }], preferred: true };
}

function timeGeneratedMessage(): string {
  return `'${SENTINEL_TIME_COLUMN}' is the time column of Microsoft Sentinel and Log Analytics; advanced hunting tables use '${DEFENDER_TIME_COLUMN}'.`;
}

function deprecatedMessage(name: string, successor: string): string {
  return `'${name}' is deprecated in advanced hunting; use '${successor}', which has the same sign-in data.`;
}

function occurrenceAt(names: readonly NameOccurrence[], d: KqlDiagnostic): NameOccurrence | undefined {
  return names.find((n) => n.start === d.start && n.length === d.length && n.role === 'reference');
}

/**
 * Rewrites or drops Kusto diagnostics that advanced hunting explains better:
 * - a join without kind gets fixes that name the kind;
 * - an unknown `TimeGenerated` gets the Sentinel explanation and a fix to `Timestamp`;
 * - an unknown deprecated table gets its successor;
 * - the unquoted column argument of `invoke FileProfile(SHA256)` (valid in advanced hunting, unknown to the
 *   stock binder) is dropped when it is a column the function documents, and explained otherwise.
 */
export function refineKustoDiagnostics(diagnostics: readonly KqlDiagnostic[], names: readonly NameOccurrence[]): KqlDiagnostic[] {
  const out: KqlDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.code === JOIN_WITHOUT_KIND && d.length > 0) {
      out.push({ ...d, fixes: joinKindFixes(d.start + d.length) });
      continue;
    }
    if (!UNKNOWN_NAME_CODES.has(d.code)) {
      out.push(d);
      continue;
    }
    const occ = occurrenceAt(names, d);
    const name = occ?.name;
    if (occ?.invokeArgument && occ.invokeArgument.index === 0) {
      const fn = findDefenderFunction(occ.invokeArgument.functionName);
      if (fn?.columnArgument === 'any') continue;
      if (fn?.columnArgument) {
        if (fn.columnArgument.includes(occ.name)) continue;
        out.push({ ...d, message: l10n.t('{0}\'s first argument is the file ID column: {1}.', fn.name, fn.columnArgument.join(', ')) });
        continue;
      }
    }
    if (name === SENTINEL_TIME_COLUMN) {
      out.push({
        ...d,
        message: timeGeneratedMessage(),
        fixes: [replaceFix(l10n.t('Change to \'{0}\'', DEFENDER_TIME_COLUMN), d.start, d.length, DEFENDER_TIME_COLUMN)],
      });
      continue;
    }
    const successor = name ? DEPRECATED_TABLES[name] : undefined;
    if (name && successor) {
      out.push({
        ...d,
        message: deprecatedMessage(name, successor),
        tags: ['deprecated'],
        fixes: [replaceFix(l10n.t('Change to \'{0}\'', successor), d.start, d.length, successor)],
      });
      continue;
    }
    out.push(d);
  }
  return out;
}

/**
 * Traps the binder does not report at all: a deprecated table that still resolves (it is in the schema), and
 * `TimeGenerated` on a table whose columns are unknown (open tables accept any name). `existing` are the
 * diagnostics already made, so a name is never reported twice.
 */
export function findDefenderTraps(names: readonly NameOccurrence[], schema: KqlSchema, existing: readonly KqlDiagnostic[] = []): KqlDiagnostic[] {
  const taken = new Set(existing.map((d) => `${d.start}:${d.length}`));
  const declaresTimeGenerated = names.some((n) => n.role === 'declaration' && n.name === SENTINEL_TIME_COLUMN);
  const schemaHasTimeGenerated = schema.tables.some((t) => t.columns?.some((c) => c.name === SENTINEL_TIME_COLUMN));
  const out: KqlDiagnostic[] = [];
  for (const n of names) {
    if (n.role !== 'reference' || taken.has(`${n.start}:${n.length}`)) continue;
    const successor = DEPRECATED_TABLES[n.name];
    if (successor && n.resolvedTo === 'table') {
      out.push({
        start: n.start,
        length: n.length,
        severity: 'warning',
        code: RuleCodes.deprecatedTable,
        message: deprecatedMessage(n.name, successor),
        source: 'defender',
        tags: ['deprecated'],
        fixes: [replaceFix(l10n.t('Change to \'{0}\'', successor), n.start, n.length, successor)],
      });
    } else if (n.name === SENTINEL_TIME_COLUMN && n.resolvedTo === 'column' && !declaresTimeGenerated && !schemaHasTimeGenerated) {
      out.push({
        start: n.start,
        length: n.length,
        severity: 'warning',
        code: RuleCodes.sentinelTimeColumn,
        message: timeGeneratedMessage(),
        source: 'defender',
        fixes: [replaceFix(l10n.t('Change to \'{0}\'', DEFENDER_TIME_COLUMN), n.start, n.length, DEFENDER_TIME_COLUMN)],
      });
    }
  }
  return out;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/**
 * Names close to `name` among `candidates` (the names in scope): a case-only difference first, then the
 * closest by edit distance, allowing one edit per four characters (at least one, at most three).
 */
export function suggestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const unique = [...new Set(candidates)].filter((c) => c !== name);
  const caseOnly = unique.filter((c) => c.toLowerCase() === name.toLowerCase());
  if (caseOnly.length) return caseOnly.slice(0, max);
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 4)));
  const scored = unique
    .map((c) => ({ c, d: Math.abs(c.length - name.length) > limit ? Infinity : editDistance(name, c) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  if (!scored.length) return [];
  const best = scored[0]!.d;
  return scored.filter((x) => x.d === best).slice(0, max).map((x) => x.c);
}

/** "Change to 'X'" fixes for an unknown name. */
export function renameFixes(start: number, length: number, suggestions: readonly string[]): KqlFix[] {
  return suggestions.map((s, i) => ({
    title: l10n.t('Change to \'{0}\'', s),
    edits: [{ start, length, newText: s }],
    preferred: suggestions.length === 1 && i === 0,
  }));
}

/** True for Kusto's "unknown name" diagnostics, the ones a rename can fix. */
export function isUnknownNameDiagnostic(d: Pick<KqlDiagnostic, 'code'>): boolean {
  return UNKNOWN_NAME_CODES.has(d.code);
}
