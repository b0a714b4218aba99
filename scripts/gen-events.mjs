// Writes src/defender/eventCatalog.json from ../shared/reference/events.json (the Defender Operational log's
// documented event ids and meanings). Run: node scripts/gen-events.mjs [--reference <events.json>]
// test/unit/defender/events.test.ts checks the shipped file is this script's output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.indexOf('--reference');
/** ../shared from the main checkout, ../../shared from a worktree under /work/wt/<name>. */
export const REFERENCE_CANDIDATES = [resolve(root, '..', 'shared', 'reference', 'events.json'), resolve(root, '..', '..', 'shared', 'reference', 'events.json')];
const referencePath =
  arg > 0 ? resolve(process.argv[arg + 1]) : process.env.DTM_EVENTS_REFERENCE ?? REFERENCE_CANDIDATES.find((p) => existsSync(p)) ?? REFERENCE_CANDIDATES[0];
const outPath = join(root, 'src', 'defender', 'eventCatalog.json');

/** The catalog kept from the reference: id, meaning and symbolic name, sorted by id; the log's names and sources. */
export function buildCatalog(reference) {
  const meta = reference._meta ?? {};
  return {
    generatedFrom: 'shared/reference/events.json',
    logName: meta.logName,
    providerName: meta.providerName,
    eventViewerPath: meta.eventViewerPath,
    sources: (meta.sources ?? []).map((s) => ({ repo: s.repo, path: s.path })),
    notDocumented: meta.notDocumented ?? [],
    events: [...reference.events]
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ id: e.id, meaning: e.meaning, ...(e.symbolicName ? { symbolicName: e.symbolicName } : {}) })),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const catalog = buildCatalog(JSON.parse(readFileSync(referencePath, 'utf8')));
  writeFileSync(outPath, `${JSON.stringify(catalog, null, 2)}\n`);
  console.log(`wrote ${outPath} (${catalog.events.length} events)`);
}
