/**
 * Grammar benchmark: tokenizes the shared KQL corpus with our grammar (syntaxes/kql.tmLanguage.json) and with
 * the most used KQL grammar (rosshamish/kuskus, as shipped by the npm package tm-grammars in grammars/kusto.json)
 * in the same run, with vscode-textmate + vscode-oniguruma (the engine VS Code uses).
 *
 *   npx tsx bench/grammar.bench.ts [--passes N]
 *
 * Two ways of tokenizing are measured for both grammars:
 *   - tokenizeLine2 with a theme loaded (Dark+), which is what VS Code calls for editor highlighting;
 *   - tokenizeLine (token objects with scope-name arrays), which is what tools and our tests use.
 * Warm passes alternate between the grammars so machine noise hits both alike; lines/s is the median warm pass,
 * by wall clock and by the process's CPU time (less sensitive to other processes on a busy machine).
 * "Cold" is the first pass of a freshly loaded grammar (regex compilation included; median of 3 fresh
 * instances), measured after the JavaScript engine was warmed on throwaway instances of both grammars, so
 * neither grammar pays for JIT warm-up.
 * Per-line latency is measured in separate passes (per-line timers would distort throughput); "slowest line"
 * is the largest per-line median over those passes (a one-off GC pause is not a slow line), and the single
 * worst observation is printed too.
 */
import * as vsctm from 'vscode-textmate';
import { DARK_PLUS } from '../test/unit/grammar/theme';
import {
  CORPUS_DIR,
  KUSKUS_GRAMMAR_PATH,
  OUR_GRAMMAR_PATH,
  loadGrammar,
  qualityStats,
  readCorpus,
  splitLines,
} from '../test/unit/grammar/tokenize';

const TARGET_SPEEDUP = 1.5;
const TARGET_MAX_LINE_MS = 10;
const TARGET_UNSCOPED = 0.05;

const args = process.argv.slice(2);
const passesArg = args.indexOf('--passes');
const PASSES = passesArg >= 0 ? Math.max(3, Number(args[passesArg + 1]) || 11) : 11;
const LATENCY_PASSES = 5;
const COLD_RUNS = 3;

type Mode = 'tokenizeLine2' | 'tokenizeLine';
const MODES: { mode: Mode; label: string }[] = [
  { mode: 'tokenizeLine2', label: 'tokenizeLine2 + theme (VS Code editor)' },
  { mode: 'tokenizeLine', label: 'tokenizeLine (scope names)' },
];
const GRAMMARS = [
  { key: 'ours', label: 'ours (syntaxes/kql.tmLanguage.json)', path: OUR_GRAMMAR_PATH },
  { key: 'kuskus', label: 'kuskus (tm-grammars kusto.json)', path: KUSKUS_GRAMMAR_PATH },
] as const;

interface Run {
  grammarLabel: string;
  grammar: vsctm.IGrammar;
  mode: Mode;
  coldMs: number;
  passMs: number[];
  passCpuMs: number[];
  lineMs: number[][]; // [line][pass]
}

const docs = readCorpus();
const docLines = docs.map((d) => splitLines(d.text));
const totalLines = docLines.reduce((n, l) => n + l.length, 0);
const flatLines: { name: string; line: number; text: string }[] = [];
docs.forEach((d, i) => docLines[i].forEach((text, j) => flatLines.push({ name: d.name, line: j + 1, text })));

function tokenizeCorpus(grammar: vsctm.IGrammar, mode: Mode): number {
  let tokens = 0;
  for (const lines of docLines) {
    let stack = vsctm.INITIAL;
    for (const line of lines) {
      const r = mode === 'tokenizeLine2' ? grammar.tokenizeLine2(line, stack) : grammar.tokenizeLine(line, stack);
      tokens += r.tokens.length;
      stack = r.ruleStack;
    }
  }
  return tokens;
}

function timeLines(run: Run): void {
  let k = 0;
  for (const lines of docLines) {
    let stack = vsctm.INITIAL;
    for (const line of lines) {
      const t0 = performance.now();
      const r = run.mode === 'tokenizeLine2' ? run.grammar.tokenizeLine2(line, stack) : run.grammar.tokenizeLine(line, stack);
      const dt = performance.now() - t0;
      stack = r.ruleStack;
      (run.lineMs[k++] ??= []).push(dt);
    }
  }
}

/** Adversarial long lines (5,000 characters of one repeated piece): no regex may go quadratic on them. */
const STRESS_PIECES = [
  'a', 'a ', '1.', "'", '"\\', "['", "@'", "h'", '!', '.', ': ', 'datetime(', 'dynamic(', 'let x = ', '1d', 'f(', 'abc, ',
  '$left.', '`', '/', "x == 'a' and y has \"b\" | ", '(', 'kind=', 'render ', 'é',
];

function stress(grammar: vsctm.IGrammar): { piece: string; ms: number } {
  let worst = { piece: '', ms: 0 };
  for (const piece of STRESS_PIECES) {
    const line = piece.repeat(Math.ceil(5000 / piece.length)).slice(0, 5000);
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      grammar.tokenizeLine2(line, vsctm.INITIAL);
      best = Math.min(best, performance.now() - t0);
    }
    if (best > worst.ms) worst = { piece, ms: best };
  }
  return worst;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} %`;

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r: string[]): string => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |';
  console.log(fmt(rows[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows.slice(1)) console.log(fmt(r));
}

async function main(): Promise<void> {
  if (docs.length === 0) {
    console.log(`grammar bench: corpus not found at ${CORPUS_DIR} (set DTM_KQL_CORPUS); skipped`);
    return;
  }
  // Warm the JavaScript engine on throwaway instances, so that neither measured cold pass pays for JIT warm-up.
  for (const g of GRAMMARS) {
    for (const { mode } of MODES) tokenizeCorpus(await loadGrammar(g.path, mode === 'tokenizeLine2' ? DARK_PLUS : undefined), mode);
  }

  // Cold: the first pass of a fresh grammar instance (its regexes compile on first use); median of COLD_RUNS
  // fresh instances per grammar and mode, interleaved. The last instance is kept for the warm passes.
  const runs: Run[] = [];
  const cold = new Map<string, number[]>();
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const { mode } of MODES) {
      for (const g of GRAMMARS) {
        const grammar = await loadGrammar(g.path, mode === 'tokenizeLine2' ? DARK_PLUS : undefined);
        const t0 = performance.now();
        tokenizeCorpus(grammar, mode);
        const key = `${mode} ${g.label}`;
        cold.set(key, [...(cold.get(key) ?? []), performance.now() - t0]);
        if (i === COLD_RUNS - 1) {
          runs.push({ grammarLabel: g.label, grammar, mode, coldMs: median(cold.get(key)!), passMs: [], passCpuMs: [], lineMs: [] });
        }
      }
    }
  }
  for (let i = 0; i < PASSES; i++) {
    for (const run of i % 2 ? [...runs].reverse() : runs) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      tokenizeCorpus(run.grammar, run.mode);
      const cpu = process.cpuUsage(c0);
      run.passMs.push(performance.now() - t0);
      run.passCpuMs.push((cpu.user + cpu.system) / 1000);
    }
  }
  for (let i = 0; i < LATENCY_PASSES; i++) for (const run of runs) timeLines(run);

  const quality = await Promise.all(GRAMMARS.map(async (g) => qualityStats(await loadGrammar(g.path), docs)));

  console.log(
    `KQL grammar benchmark: ${docs.length} corpus files, ${totalLines} lines; ${PASSES} warm passes per grammar and mode, ` +
      `interleaved; node ${process.version}, vscode-textmate + vscode-oniguruma`,
  );
  console.log('');
  console.log('Scoping quality (tokenizeLine, non-whitespace tokens):');
  printTable([
    ['grammar', 'unscoped tokens (root scope only)', 'invalid.* tokens'],
    ...GRAMMARS.map((g, i) => [
      g.label,
      `${pct(quality[i].unscoped, quality[i].tokens)} (${quality[i].unscoped}/${quality[i].tokens})`,
      String(quality[i].invalid),
    ]),
  ]);
  console.log('');
  console.log('Speed:');
  const stats = runs.map((run) => {
    const lineMedians = run.lineMs.map(median);
    let slowest = 0;
    lineMedians.forEach((ms, i) => {
      if (ms > lineMedians[slowest]) slowest = i;
    });
    return {
      run,
      linesPerSec: totalLines / (median(run.passMs) / 1000),
      linesPerCpuSec: totalLines / (median(run.passCpuMs) / 1000),
      coldLinesPerSec: totalLines / (run.coldMs / 1000),
      slowestMs: lineMedians[slowest],
      slowestAt: flatLines[slowest],
      worstRaw: Math.max(...run.lineMs.flat()),
    };
  });
  printTable([
    ['mode', 'grammar', 'lines/s warm (median)', 'lines per CPU-s warm', 'lines/s cold (median of 3)', 'slowest line (median of 5)', 'worst single timing'],
    ...stats.map((s) => [
      s.run.mode,
      s.run.grammarLabel,
      fmtInt(s.linesPerSec),
      fmtInt(s.linesPerCpuSec),
      fmtInt(s.coldLinesPerSec),
      `${s.slowestMs.toFixed(2)} ms (${s.slowestAt.name}:${s.slowestAt.line}, ${s.slowestAt.text.length} chars)`,
      `${s.worstRaw.toFixed(2)} ms`,
    ]),
  ]);
  console.log('');

  const stressed = runs.filter((r) => r.mode === 'tokenizeLine2').map((r) => ({ label: r.grammarLabel, ...stress(r.grammar) }));
  console.log(
    `Synthetic 5,000-character lines (${STRESS_PIECES.length} repeated pieces, best of 3 each), slowest: ` +
      stressed.map((s) => `${s.label} ${s.ms.toFixed(1)} ms (${JSON.stringify(s.piece)})`).join('; '),
  );
  console.log('');

  const check = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
  for (const { mode, label } of MODES) {
    const [ours, theirs] = GRAMMARS.map((g) => stats.find((s) => s.run.mode === mode && s.run.grammarLabel === g.label)!);
    const ratio = ours.linesPerSec / theirs.linesPerSec;
    const cpuRatio = ours.linesPerCpuSec / theirs.linesPerCpuSec;
    console.log(
      `${label}: ours/kuskus speed ${ratio.toFixed(2)}x warm wall-clock (target >= ${TARGET_SPEEDUP}x: ${check(ratio >= TARGET_SPEEDUP)}), ` +
        `${cpuRatio.toFixed(2)}x warm CPU time (${check(cpuRatio >= TARGET_SPEEDUP)}), ${(ours.coldLinesPerSec / theirs.coldLinesPerSec).toFixed(2)}x cold; ` +
        `our slowest line ${ours.slowestMs.toFixed(2)} ms (target <= ${TARGET_MAX_LINE_MS} ms: ${check(ours.slowestMs <= TARGET_MAX_LINE_MS)})`,
    );
  }
  const [q] = quality;
  console.log(
    `ours: unscoped ${pct(q.unscoped, q.tokens)} (target <= ${TARGET_UNSCOPED * 100} %: ${check(q.unscoped / q.tokens <= TARGET_UNSCOPED)}), ` +
      `invalid.* ${q.invalid} (target 0: ${check(q.invalid === 0)}); kuskus invalid.* examples: ${quality[1].invalidSamples.slice(0, 3).join('; ')}`,
  );
  console.log('(token counts differ between grammars because each splits lines differently; each counts its own tokens)');
  console.log('("worst single timing" includes GC pauses and interference from other processes; "slowest line" is the per-line median)');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
