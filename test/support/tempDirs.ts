/**
 * Temp folders for tests, removed again (issue #10, item 15): `makeTempDir('dtm-x-')` instead of fs.mkdtempSync.
 * Mocha root hooks (registered by .mocharc.json for the unit lane and by test/integration/index.ts) remove the
 * folders a test made after that test, and the ones made outside tests (suite bodies, `before` hooks) after the run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const outside = new Set<string>();
/** Every folder made in this run: removed once more at the end, in case work that outlived its test (a timed-out
 * test's child process) wrote into one again. */
const all = new Set<string>();
let current: Set<string> | undefined;

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  (current ?? outside).add(dir);
  all.add(dir);
  return dir;
}

function remove(dirs: Set<string>): void {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  dirs.clear();
}

export const mochaHooks = {
  beforeEach(): void {
    current = new Set();
  },
  afterEach(): void {
    if (current) remove(current);
    current = undefined;
  },
  afterAll(): void {
    remove(outside);
    remove(all);
  },
};
