/**
 * Shared TextMate tokenizer for grammar tests and the grammar benchmark.
 *
 * Uses vscode-textmate + vscode-oniguruma (the engine VS Code itself uses); the oniguruma wasm is loaded
 * from node_modules once per process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

/** The repository root: the nearest folder above this file with syntaxes/ (also when run compiled from out/). */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'syntaxes', 'kql.tmLanguage.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..');
  }
})();
export const OUR_GRAMMAR_PATH = path.join(REPO_ROOT, 'syntaxes', 'kql.tmLanguage.json');
export const KUSKUS_GRAMMAR_PATH = path.join(REPO_ROOT, 'node_modules', 'tm-grammars', 'grammars', 'kusto.json');
/** The shared corpus of real hunting queries (as in test/unit/kql/corpus.ts; DTM_KQL_CORPUS overrides). */
export const CORPUS_DIR = process.env.DTM_KQL_CORPUS ?? path.resolve(REPO_ROOT, '..', 'shared', 'kql-corpus');

export interface Token {
  text: string;
  scopes: string[];
}

let onigLib: Promise<vsctm.IOnigLib> | undefined;

function getOnigLib(): Promise<vsctm.IOnigLib> {
  if (!onigLib) {
    onigLib = (async () => {
      const wasmPath = require.resolve('vscode-oniguruma/release/onig.wasm');
      const wasm = fs.readFileSync(wasmPath);
      await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
      return {
        createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      };
    })();
  }
  return onigLib;
}

/** Loads a grammar file (JSON) into a fresh registry (optionally with a theme); its own scopeName is used. */
export async function loadGrammar(grammarPath: string, theme?: vsctm.IRawTheme): Promise<vsctm.IGrammar> {
  const raw = fs.readFileSync(grammarPath, 'utf8');
  const json = JSON.parse(raw) as { scopeName: string };
  const registry = new vsctm.Registry({
    onigLib: getOnigLib(),
    loadGrammar: async (scopeName) =>
      scopeName === json.scopeName ? vsctm.parseRawGrammar(raw, grammarPath) : null,
    ...(theme ? { theme } : {}),
  });
  const grammar = await registry.loadGrammar(json.scopeName);
  if (!grammar) throw new Error(`could not load grammar ${grammarPath}`);
  return grammar;
}

let ours: Promise<vsctm.IGrammar> | undefined;
/** Our grammar (syntaxes/kql.tmLanguage.json), loaded once. */
export function ourGrammar(): Promise<vsctm.IGrammar> {
  ours ??= loadGrammar(OUR_GRAMMAR_PATH);
  return ours;
}

/** Splits text into lines the way VS Code does (\r\n, \r or \n). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Tokenizes text line by line, carrying the rule stack; returns one token array per line. */
export function tokenizeLines(grammar: vsctm.IGrammar, text: string): Token[][] {
  let stack = vsctm.INITIAL;
  const out: Token[][] = [];
  for (const line of splitLines(text)) {
    const r = grammar.tokenizeLine(line, stack);
    out.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    stack = r.ruleStack;
  }
  return out;
}

/** Tokenizes text and flattens to one token list (handy for assertions). */
export function tokenize(grammar: vsctm.IGrammar, text: string): Token[] {
  return tokenizeLines(grammar, text).flat();
}

/** Reads the corpus: every *.kql file, sorted by name (none if the folder is missing). */
export function readCorpus(dir = CORPUS_DIR): { name: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.kql'))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

export interface QualityStats {
  lines: number;
  /** tokens containing at least one non-whitespace character */
  tokens: number;
  /** of those, tokens whose only scope is the grammar's root scope */
  unscoped: number;
  /** tokens with any scope starting with `invalid` */
  invalid: number;
  /** up to `sampleLimit` examples of invalid tokens (file:line text scope) */
  invalidSamples: string[];
  /** most frequent unscoped token texts */
  topUnscoped: [string, number][];
}

/** Scope-quality statistics of a grammar over a set of documents. */
export function qualityStats(
  grammar: vsctm.IGrammar,
  docs: { name: string; text: string }[],
  sampleLimit = 20,
): QualityStats {
  const s: QualityStats = { lines: 0, tokens: 0, unscoped: 0, invalid: 0, invalidSamples: [], topUnscoped: [] };
  const unscopedCounts = new Map<string, number>();
  for (const doc of docs) {
    const lines = tokenizeLines(grammar, doc.text);
    lines.forEach((toks, i) => {
      s.lines++;
      for (const t of toks) {
        if (t.text.trim() === '') continue;
        s.tokens++;
        if (t.scopes.length <= 1) {
          s.unscoped++;
          const k = t.text.trim();
          unscopedCounts.set(k, (unscopedCounts.get(k) ?? 0) + 1);
        }
        const bad = t.scopes.find((sc) => sc.startsWith('invalid'));
        if (bad) {
          s.invalid++;
          if (s.invalidSamples.length < sampleLimit) s.invalidSamples.push(`${doc.name}:${i + 1} ${JSON.stringify(t.text)} ${bad}`);
        }
      }
    });
  }
  s.topUnscoped = [...unscopedCounts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return s;
}
