/**
 * Grammar benchmark: tokenizes the shared KQL corpus with our grammar (syntaxes/kql.tmLanguage.json) and with
 * the most used KQL grammar (rosshamish/kuskus, as shipped by the npm package tm-grammars in grammars/kusto.json)
 * in the same run, with vscode-textmate + vscode-oniguruma (the engine VS Code uses).
 *
 *   npx tsx bench/grammar.bench.ts [--passes N]
 *
 * Throughput passes time whole-corpus tokenization (no per-line timers) and alternate between the grammars so
 * machine noise hits both alike; the reported lines/s is the median warm pass. Per-line latency is measured in
 * separate passes; "slowest line" is the largest per-line median over those passes (one-off GC pauses do not
 * count), and the single worst observation is printed too.
 */
import * as vsctm from 'vscode-textmate';
import {
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
const PASSES = passesArg >= 0 ? Math.max(3, Number(args[passesArg + 1]) || 9) : 9;
const LATENCY_PASSES = 5;

interface Bench {
  label: string;
  grammar: vsctm.IGrammar;
  coldMs: number;
  passMs: number[];
  lineMs: number[][]; // [line][pass]
}

const docs = readCorpus();
const docLines = docs.map((d) => splitLines(d.text));
const totalLines = docLines.reduce((n, l) => n + l.length, 0);
const flatLines: { name: string; line: number; text: string }[] = [];
docs.forEach((d, i) => docLines[i].forEach((text, j) => flatLines.push({ name: d.name, line: j + 1, text })));

function tokenizeCorpus(grammar: vsctm.IGrammar): number {
  let tokens = 0;
  for (const lines of docLines) {
    let stack = vsctm.INITIAL;
    for (const line of lines) {
      const r = grammar.tokenizeLine(line, stack);
      tokens += r.tokens.length;
      stack = r.ruleStack;
    }
  }
  return tokens;
}

function timeLines(b: Bench): void {
  let k = 0;
  for (const lines of docLines) {
    let stack = vsctm.INITIAL;
    for (const line of lines) {
      const t0 = performance.now();
      const r = b.grammar.tokenizeLine(line, stack);
      const dt = performance.now() - t0;
      stack = r.ruleStack;
      (b.lineMs[k++] ??= []).push(dt);
    }
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const benches: Bench[] = [];
  for (const [label, p] of [
    ['ours (syntaxes/kql.tmLanguage.json)', OUR_GRAMMAR_PATH],
    ['kuskus (tm-grammars kusto.json)', KUSKUS_GRAMMAR_PATH],
  ] as const) {
    const grammar = await loadGrammar(p);
    const t0 = performance.now();
    tokenizeCorpus(grammar); // cold: includes regex compilation, as on the first file VS Code opens
    benches.push({ label, grammar, coldMs: performance.now() - t0, passMs: [], lineMs: [] });
  }
  for (let i = 0; i < PASSES; i++) {
    for (const b of i % 2 ? [...benches].reverse() : benches) {
      const t0 = performance.now();
      tokenizeCorpus(b.grammar);
      b.passMs.push(performance.now() - t0);
    }
  }
  for (let i = 0; i < LATENCY_PASSES; i++) for (const b of benches) timeLines(b);

  const rows = benches.map((b) => {
    const q = qualityStats(b.grammar, docs);
    const lineMedians = b.lineMs.map(median);
    let slowest = 0;
    lineMedians.forEach((ms, i) => {
      if (ms > lineMedians[slowest]) slowest = i;
    });
    const worstRaw = Math.max(...b.lineMs.flat());
    return {
      b,
      q,
      linesPerSec: totalLines / (median(b.passMs) / 1000),
      coldLinesPerSec: totalLines / (b.coldMs / 1000),
      slowestMs: lineMedians[slowest],
      slowestAt: flatLines[slowest],
      worstRaw,
    };
  });
  const [ours, theirs] = rows;
  const ratio = ours.linesPerSec / theirs.linesPerSec;

  const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} %`;
  const table = [
    ['grammar', 'lines/s (warm median)', 'lines/s (cold)', 'unscoped tokens', 'invalid.* tokens', 'slowest line (median)', 'worst single line'],
    ...rows.map((r) => [
      r.b.label,
      Math.round(r.linesPerSec).toLocaleString('en-US'),
      Math.round(r.coldLinesPerSec).toLocaleString('en-US'),
      `${pct(r.q.unscoped, r.q.tokens)} (${r.q.unscoped}/${r.q.tokens})`,
      String(r.q.invalid),
      `${r.slowestMs.toFixed(2)} ms (${r.slowestAt.name}:${r.slowestAt.line}, ${r.slowestAt.text.length} chars)`,
      `${r.worstRaw.toFixed(2)} ms`,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const fmt = (r: string[]): string => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |';
  console.log(`KQL grammar benchmark: ${docs.length} corpus files, ${totalLines} lines; ${PASSES} warm passes per grammar, interleaved; node ${process.version}`);
  console.log(fmt(table[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of table.slice(1)) console.log(fmt(r));
  console.log('');
  const check = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
  console.log(`speed ratio ours/kuskus: ${ratio.toFixed(2)}x (target >= ${TARGET_SPEEDUP}x: ${check(ratio >= TARGET_SPEEDUP)})`);
  console.log(`slowest line, ours: ${ours.slowestMs.toFixed(2)} ms (target <= ${TARGET_MAX_LINE_MS} ms: ${check(ours.slowestMs <= TARGET_MAX_LINE_MS)})`);
  console.log(`unscoped share, ours: ${pct(ours.q.unscoped, ours.q.tokens)} (target <= ${TARGET_UNSCOPED * 100} %: ${check(ours.q.unscoped / ours.q.tokens <= TARGET_UNSCOPED)})`);
  console.log(`invalid.* tokens, ours: ${ours.q.invalid} (target 0: ${check(ours.q.invalid === 0)}); kuskus: ${theirs.q.invalid}`);
  if (theirs.q.invalidSamples.length) console.log(`  kuskus examples: ${theirs.q.invalidSamples.slice(0, 3).join('; ')}`);
  console.log('(unscoped = non-whitespace tokens whose only scope is the grammar root; token counts differ because each grammar splits lines differently)');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
