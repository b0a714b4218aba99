#!/usr/bin/env node
// `npm run screenshots`: refreshes the pictures of README.md and the walkthrough (media/screenshots/) from the
// end-to-end test that takes them on the sample tenant (test/e2e/readmeScreenshot.test.ts). Runs only that test
// (DTM_E2E_GREP), then copies test-results/readme/<name>.png to media/screenshots/<name>.png. A picture the run did
// not produce afresh is reported and left as it was, so a failing test never ships a stale picture silently.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, testResultsDir } from './lib/paths.mjs';

/** The pictures, as README_PICTURES in test/e2e/readmeScreenshot.test.ts names them (a unit test keeps both equal). */
export const PICTURES = [
  'defender-view',
  'tenant-devices',
  'device-playbook-confirm',
  'device-playbook-result',
  'snapshot-diff',
  'event-list',
  'performance-report',
  'hunting-results',
  'session-report',
];

/** The e2e test's title, for DTM_E2E_GREP. */
export const TEST_TITLE = 'README screenshots';

async function main() {
  const { run } = await import('./lib/proc.mjs');
  const started = Date.now();
  const code = await run('node', [join('scripts', 'test.mjs'), '--lane', 'e2e'], { cwd: repoRoot, env: { ...process.env, DTM_E2E_GREP: TEST_TITLE } });
  const target = join(repoRoot, 'media', 'screenshots');
  mkdirSync(target, { recursive: true });
  const stale = [];
  for (const name of PICTURES) {
    const file = join(testResultsDir, 'readme', `${name}.png`);
    if (existsSync(file) && statSync(file).mtimeMs >= started) {
      copyFileSync(file, join(target, `${name}.png`));
      console.log(`updated media/screenshots/${name}.png (${Math.round(statSync(file).size / 1024)} KB)`);
    } else stale.push(name);
  }
  if (stale.length) console.error(`not refreshed, the test did not take them this run: ${stale.join(', ')}`);
  return code !== 0 || stale.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
