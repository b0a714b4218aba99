#!/usr/bin/env node
// `npm run screenshots`: refreshes the pictures in README.md and the walkthrough from the end-to-end tests.
// Runs the e2e lane (which saves screenshots to test-results/) and copies the ones listed below to media/screenshots/.
// A picture the run did not produce afresh is reported and left as it was, so a failing test never ships a stale
// picture silently.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, testResultsDir } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';

/** test-results/<name>.png → media/screenshots/<name>.png; each is taken by the e2e test named beside it. */
export const PICTURES = {
  'defender-view': 'foundation.test.ts: the Defender view',
  'sample-tenant': 'sample.test.ts: npm run dev on the sample tenant',
  'tenant-devices': 'fleet.test.ts: tenant devices',
  'device-playbook-confirm': 'device.test.ts: a playbook asks first and shows the exact command',
  'device-playbook-result': 'device.test.ts: a playbook\'s verified result',
  'hunting-results': 'hunting.test.ts: the results grid',
};

const started = Date.now();
const code = await run('node', [join('scripts', 'test.mjs'), '--lane', 'e2e'], { cwd: repoRoot });
const target = join(repoRoot, 'media', 'screenshots');
mkdirSync(target, { recursive: true });
const stale = [];
for (const [name, from] of Object.entries(PICTURES)) {
  const file = join(testResultsDir, `${name}.png`);
  if (existsSync(file) && statSync(file).mtimeMs >= started) {
    copyFileSync(file, join(target, `${name}.png`));
    console.log(`updated media/screenshots/${name}.png (${from})`);
  } else stale.push(`${name} (${from})`);
}
if (stale.length) console.error(`not refreshed, the test did not take them this run:\n  ${stale.join('\n  ')}`);
process.exit(code !== 0 || stale.length ? 1 : 0);
