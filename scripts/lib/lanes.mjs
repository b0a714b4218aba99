// The two VS Code lanes. Integration: the mocha suite runs inside code-server's extension host with this
// folder as extensionDevelopmentPath. E2E: the packaged VSIX is installed and Playwright clicks through it
// (test/e2e/harness.ts starts the server; this module only prepares what it needs).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launchBrowser, runExtensionTests, startCodeServer } from './codeServer.mjs';
import { repoRoot, testResultsDir } from './paths.mjs';
import { run } from './proc.mjs';

/** Test-only extensions (e.g. a fake auth provider) installed next to ours in both VS Code lanes. */
export function testExtensions() {
  const root = join(repoRoot, 'test', 'fixtures');
  return ['test-auth'].map((d) => join(root, d)).filter((d) => existsSync(join(d, 'package.json')));
}

/** Environment for the test doubles (inherited by code-server and so by the extension host's children). */
export function doubleEnvironment() {
  const dir = mkdtempSync(join(tmpdir(), 'dtm-doubles-'));
  return { DEFENDER_STANDIN_STATE: join(dir, 'standin-state.json') };
}

/** Removes the folder doubleEnvironment() made. */
export function removeDoubleEnvironment(env) {
  if (env?.DEFENDER_STANDIN_STATE) rmSync(dirname(env.DEFENDER_STANDIN_STATE), { recursive: true, force: true, maxRetries: 3 });
}

/** Starts the MDE/Graph API emulator when the project has one; returns { url, stop }. */
export async function startApiEmulatorIfPresent() {
  const entry = join(repoRoot, 'test', 'doubles', 'api-emulator', 'launch.mjs');
  if (!existsSync(entry)) return { url: 'http://127.0.0.1:9', stop: async () => undefined };
  const { launchApiEmulator } = await import(entry);
  return launchApiEmulator();
}

export async function runIntegrationLane() {
  const emulator = await startApiEmulatorIfPresent();
  const env = doubleEnvironment();
  const server = await startCodeServer({
    extensions: testExtensions(),
    vars: { apiEmulatorUrl: emulator.url, standinState: env.DEFENDER_STANDIN_STATE },
    env: { ...env, DTM_API_EMULATOR_URL: emulator.url },
  });
  const browser = await launchBrowser();
  try {
    mkdirSync(testResultsDir, { recursive: true });
    const r = await runExtensionTests({
      server,
      browser,
      testsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      // Device tests start a real pwsh per operation (issue 7): allow 20 minutes on a busy machine.
      timeoutMs: Number(process.env.DTM_INTEGRATION_TIMEOUT_MS) || 1_200_000,
      screenshotPath: join(testResultsDir, 'integration-failure.png'),
      onLog: (_type, line) => {
        if (!line.startsWith('@@RESULT')) console.log(line);
      },
    });
    if (r.exitCode === 'timeout') console.error('integration: timed out; screenshot in test-results/integration-failure.png');
    return r;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    await emulator.stop();
    removeDoubleEnvironment(env);
  }
}

/** Packages the VSIX (what users get is what the e2e lane tests) and says where it is. */
export async function prepareE2e() {
  const code = await run('node', [join('scripts', 'package.mjs')], { cwd: repoRoot });
  if (code !== 0) throw new Error('packaging the VSIX failed (npm run package)');
  const vsix = readdirSync(repoRoot).filter((f) => f.endsWith('.vsix')).map((f) => join(repoRoot, f));
  if (vsix.length !== 1) throw new Error(`expected one .vsix in the repo root, found ${vsix.length}`);
  return { DTM_VSIX: vsix[0] };
}
