#!/usr/bin/env node
// `npm run test:desktop`: the same integration suite (out/test/integration/index.js) in desktop VS Code through
// @vscode/test-electron, for machines that can download VS Code (a laptop, a public CI). Our Debian CI cannot:
// it runs the suite in code-server instead (npm run test:integration).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, workspaceFixture } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';

const { ensureNodeModules, ensurePwsh } = await import('./lib/setup.mjs');
await ensureNodeModules();
await ensurePwsh();
if ((await run('node', ['esbuild.mjs'], { cwd: repoRoot })) !== 0) process.exit(1);
if ((await run('npx', ['tsc', '-p', 'test/tsconfig.json'], { cwd: repoRoot })) !== 0) process.exit(1);

const { runTests } = await import('@vscode/test-electron');
const { writeProfileSettings } = await import('./lib/codeServer.mjs');
const { doubleEnvironment, startApiEmulatorIfPresent, testExtensions } = await import('./lib/lanes.mjs');
const emulator = await startApiEmulatorIfPresent();
const env = doubleEnvironment();
const userDataDir = mkdtempSync(join(tmpdir(), 'dtm-desktop-'));
writeProfileSettings(userDataDir, { vars: { apiEmulatorUrl: emulator.url, standinState: env.DEFENDER_STANDIN_STATE } });
let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION || '1.100.3',
    extensionDevelopmentPath: [repoRoot, ...testExtensions()],
    extensionTestsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    extensionTestsEnv: { ...env, DTM_API_EMULATOR_URL: emulator.url },
    launchArgs: [workspaceFixture, '--disable-extensions', '--user-data-dir', userDataDir, '--disable-workspace-trust'],
  }).then(() => 0, (err) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(message);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(message)) {
      console.error('Desktop VS Code could not be downloaded from this machine. Run the same suite in code-server instead: npm run test:integration');
    }
    return 1;
  });
} finally {
  await emulator.stop();
}
process.exit(code);
