/**
 * Corpus-level scoping quality of syntaxes/kql.tmLanguage.json on the shared real hunting queries
 * (../shared/kql-corpus, MIT; DTM_KQL_CORPUS overrides): at most 5 % of non-whitespace tokens with only the
 * root scope, and no valid construct scoped invalid.*. The most used grammar (kuskus) is measured alongside
 * for the record, not asserted. Timing is measured by bench/grammar.bench.ts, never asserted.
 */
import * as assert from 'node:assert';
import { CORPUS_DIR, KUSKUS_GRAMMAR_PATH, loadGrammar, ourGrammar, qualityStats, readCorpus } from './tokenize';

const MAX_UNSCOPED = 0.05;

describe(`KQL grammar on the corpus (${CORPUS_DIR})`, function () {
  this.timeout(120_000);
  const docs = readCorpus();

  it(`leaves at most ${MAX_UNSCOPED * 100} % of tokens unscoped and scopes nothing invalid`, async function () {
    if (docs.length === 0) {
      console.log(`      corpus not found at ${CORPUS_DIR} (set DTM_KQL_CORPUS); skipped`);
      this.skip();
    }
    const ours = qualityStats(await ourGrammar(), docs);
    const kuskus = qualityStats(await loadGrammar(KUSKUS_GRAMMAR_PATH), docs);
    const line = (name: string, s: typeof ours): string =>
      `      ${name}: ${s.lines} lines, ${s.tokens} non-whitespace tokens, unscoped ${((100 * s.unscoped) / s.tokens).toFixed(2)} % ` +
      `(${s.unscoped}), invalid.* ${s.invalid}`;
    console.log(line('ours  ', ours));
    console.log(line('kuskus', kuskus));
    assert.ok(docs.length >= 300, `expected the full corpus, found ${docs.length} files`);
    assert.strictEqual(ours.invalid, 0, `invalid.* tokens:\n${ours.invalidSamples.join('\n')}`);
    assert.ok(
      ours.unscoped / ours.tokens <= MAX_UNSCOPED,
      `${ours.unscoped}/${ours.tokens} tokens unscoped; most frequent: ${JSON.stringify(ours.topUnscoped)}`,
    );
  });
});
