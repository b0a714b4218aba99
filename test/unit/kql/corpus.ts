/**
 * The corpus report: how many of the shared real-world hunting queries (../shared/kql-corpus, MIT, from
 * microsoft/Microsoft-365-Defender-Hunting-Queries) get no error at all from the KQL service, and which errors
 * remain. Used by the unit test (clean-rate target) and by bench/kql-language.bench.ts (the printed report).
 */
import { DEFENDER_FUNCTIONS } from '../../../src/kql/schema/defenderFunctions';
import type { KqlSchema } from '../../../src/kql/schema/schema';
import type { KqlLanguageService } from '../../../src/kql/service/kqlService';
import { CORPUS_DIR, readCorpus } from '../grammar/tokenize';

// One corpus reader for the grammar and KQL tests.
export { CORPUS_DIR, readCorpus };

/** Share of the Defender queries that must come out clean (issue #4). */
export const CLEAN_TARGET = 0.95;

export interface CorpusQuery {
  readonly name: string;
  readonly text: string;
}


/**
 * A query is "Defender" when it reads an advanced hunting table or calls a Defender function (outside
 * comments); the others are Sentinel-only queries or fragments about KQL itself.
 */
export function isDefenderQuery(text: string, schema: KqlSchema): boolean {
  const code = text.replace(/\/\/.*$/gm, '');
  const names = [...schema.tables.map((t) => t.name), ...DEFENDER_FUNCTIONS.map((f) => f.name)];
  return names.some((n) => new RegExp(`\\b${n}\\b`).test(code));
}

export interface CorpusFailure {
  readonly name: string;
  readonly defender: boolean;
  readonly errors: readonly string[];
}

export interface CorpusReport {
  readonly total: number;
  readonly clean: number;
  readonly defender: number;
  readonly defenderClean: number;
  readonly failures: readonly CorpusFailure[];
  /** Remaining error messages with names replaced by X, most frequent first: [message, queries]. */
  readonly byMessage: readonly [string, string[]][];
  readonly elapsedMs: number;
}

export function corpusReport(service: KqlLanguageService, queries: readonly CorpusQuery[]): CorpusReport {
  const started = performance.now();
  const failures: CorpusFailure[] = [];
  let clean = 0;
  let defender = 0;
  let defenderClean = 0;
  const byMessage = new Map<string, Set<string>>();
  for (const q of queries) {
    const isDefender = isDefenderQuery(q.text, service.currentSchema);
    if (isDefender) defender++;
    const errors = service
      .diagnostics(q.text)
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.code} ${d.message} ("${q.text.slice(d.start, d.start + d.length).slice(0, 40).replace(/\s+/g, ' ')}")`);
    if (errors.length === 0) {
      clean++;
      if (isDefender) defenderClean++;
      continue;
    }
    failures.push({ name: q.name, defender: isDefender, errors });
    for (const e of new Set(errors.map((x) => x.replace(/ \(".*"\)$/, '').replace(/'[^']*'/g, "'X'")))) {
      const set = byMessage.get(e) ?? new Set<string>();
      set.add(q.name);
      byMessage.set(e, set);
    }
  }
  return {
    total: queries.length,
    clean,
    defender,
    defenderClean,
    failures,
    byMessage: [...byMessage].map(([m, s]): [string, string[]] => [m, [...s]]).sort((a, b) => b[1].length - a[1].length),
    elapsedMs: performance.now() - started,
  };
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : 'n/a');

export function formatCorpusReport(r: CorpusReport): string {
  const lines = [
    `queries: ${r.total}, clean (no error at all): ${r.clean} (${pct(r.clean, r.total)})`,
    `Defender queries: ${r.defender}, clean: ${r.defenderClean} (${pct(r.defenderClean, r.defender)}; target ${CLEAN_TARGET * 100} %: ${
      r.defender && r.defenderClean / r.defender >= CLEAN_TARGET ? 'met' : 'NOT met'
    })`,
    `analysed in ${r.elapsedMs.toFixed(0)} ms`,
    '',
    'errors left, by message (queries):',
    ...r.byMessage.map(([m, names]) => `  ${String(names.length).padStart(3)}  ${m}  [${names.join(', ')}]`),
    '',
    'queries with errors:',
    ...r.failures.map((f) => `  ${f.name}${f.defender ? '' : ' (not Defender)'}: ${f.errors.join(' | ')}`),
  ];
  return lines.join('\n');
}
