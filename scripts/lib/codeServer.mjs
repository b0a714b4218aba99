// Starts code-server (the real VS Code server + web workbench) on 127.0.0.1 with a private profile,
// and drives it with Debian's chromium through playwright-core. Used by the integration and e2e lanes,
// the activation benchmark and the dev launcher.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromiumPath, codeServerBin, repoRoot } from './paths.mjs';

export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

/** Replaces ${name} tokens in the test settings fixture. */
function substitute(value, vars) {
  if (typeof value === 'string') return value.replace(/\$\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

/**
 * Writes User and Machine settings for a test or dev profile: quiet defaults, then the test fixture
 * (test/fixtures/user-settings.json with ${repo}, ${apiEmulatorUrl}… substituted), then `options.settings`.
 */
export function writeProfileSettings(userDataDir, options = {}) {
  const vars = { repo: repoRoot, ...(options.vars ?? {}) };
  let fixture = {};
  const fixturePath = join(repoRoot, 'test', 'fixtures', 'user-settings.json');
  if (options.useTestSettings !== false && existsSync(fixturePath)) {
    fixture = substitute(JSON.parse(readFileSync(fixturePath, 'utf8')), vars);
  }
  const all = { ...BASE_SETTINGS, ...fixture, ...(options.settings ?? {}) };
  const machineScoped = machineScopedSettings();
  // code-server is a remote window: machine-scoped settings are read from the Machine file, the others from User.
  // Each of our settings goes to the one file VS Code reads it from, as a user's would, so that removing it through
  // the API (Leave Sample) really removes it. Workbench defaults go to both.
  const pick = (inMachine) =>
    Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('defenderTroubleshooting.') || machineScoped.has(key) === inMachine));
  for (const [scope, values] of [['User', pick(false)], ['Machine', pick(true)]]) {
    mkdirSync(join(userDataDir, scope), { recursive: true });
    writeFileSync(join(userDataDir, scope, 'settings.json'), JSON.stringify(values, null, 2));
  }
}

/** The extension's settings whose scope is `machine` or `machine-overridable` (package.json). */
function machineScopedSettings() {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const sections = [manifest.contributes?.configuration ?? []].flat();
  const keys = new Set();
  for (const section of sections) {
    for (const [key, schema] of Object.entries(section.properties ?? {})) {
      if (schema.scope === 'machine' || schema.scope === 'machine-overridable') keys.add(key);
    }
  }
  return keys;
}

/**
 * Environment variables code-server reads that would override the command line (`PORT` beats `--bind-addr`,
 * `CODE_SERVER_HOST` beats the host, `PASSWORD` turns auth on…) or point it at another instance. The harness
 * removes them from the child's environment, so a developer's `PORT=… npm run dev` shell runs the tests too.
 */
export const CODE_SERVER_ENV_OVERRIDES = [
  'PORT',
  'CODE_SERVER_HOST',
  'CODE_SERVER_CONFIG',
  'CODE_SERVER_SESSION_SOCKET',
  'PASSWORD',
  'HASHED_PASSWORD',
  'GITHUB_TOKEN',
  'VSCODE_PROXY_URI',
  'VSCODE_IPC_HOOK_CLI',
  'CS_DISABLE_FILE_DOWNLOADS',
  'CS_DISABLE_GETTING_STARTED_OVERRIDE',
  'CS_DISABLE_PROXY',
];

/** The child environment for code-server: `base` and `extra`, private folders, and no overriding variables. */
export function codeServerEnv(base, extra, dirs) {
  const env = { ...base, ...(extra ?? {}), TMPDIR: dirs.tmp, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data };
  for (const name of CODE_SERVER_ENV_OVERRIDES) delete env[name];
  return env;
}

/**
 * Starts code-server. Options: workspace (folder), settings (extra user settings), vars (for the settings
 * fixture), extensions (folders to copy into the extensions dir), vsix (files to install), env.
 */
export async function startCodeServer(options = {}) {
  const root = mkdtempSync(join(tmpdir(), 'dtm-cs-'));
  const dirs = {
    root,
    userData: join(root, 'ud'),
    extensions: join(root, 'ext'),
    tmp: join(root, 'tmp'),
    config: join(root, 'config'),
    data: join(root, 'data'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  writeProfileSettings(dirs.userData, options);
  for (const ext of options.extensions ?? []) {
    const pkg = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
    cpSync(ext, join(dirs.extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`), { recursive: true });
  }
  const env = codeServerEnv(process.env, options.env, dirs);
  for (const vsix of options.vsix ?? []) {
    await new Promise((res, rej) => {
      const p = spawn(codeServerBin, ['--config', '/dev/null', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`installing ${vsix} failed (${code}): ${out}`))));
    });
  }
  const port = options.port ?? (await freePort());
  const workspace = options.workspace ?? join(repoRoot, 'test', 'fixtures', 'workspace');
  const args = [
    '--config', '/dev/null', '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    workspace,
  ];
  const child = spawn(codeServerBin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d) => {
    output += d;
    if (process.env.DTM_DEBUG_SERVER) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`code-server did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (/HTTP server listening/.test(output)) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`code-server exited early (${code}):\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    dirs,
    workspace,
    output: () => output,
    /** The workbench URL, optionally with a payload (extensionDevelopmentPath, extensionTestsPath…). */
    workbenchUrl(payload) {
      const q = new URLSearchParams({ folder: workspace });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `${url}/?${q.toString()}`;
    },
    remoteUri(absPath) {
      return `vscode-remote://127.0.0.1:${port}${absPath}`;
    },
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}

/** Workbench chatter that is not about our tests (the offline marketplace, socket set-up). */
const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|\[Service Worker\]|ChatSessionStore|\[lifecycle\] Long running)|ENOTFOUND|^\s+at /;

/**
 * Runs the extension-host mocha suite at `testsPath` (compiled index.js exporting run()) inside code-server,
 * the way VS Code's own browser integration tests do. Resolves with { exitCode, log, result }.
 */
export async function runExtensionTests({ server, browser, testsPath, timeoutMs = 600_000, onLog, screenshotPath, extensionPath = repoRoot }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let log = '';
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    log += `${line}\n`;
    if (!WORKBENCH_NOISE.test(line)) onLog?.(type, line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  const payload = [
    ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
    ['extensionTestsPath', server.remoteUri(testsPath)],
    ['skipWelcome', 'true'],
  ];
  await page.goto(server.workbenchUrl(payload));
  let timer;
  const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const exitCode = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (exitCode === 'timeout' || exitCode !== 0) {
    if (screenshotPath) await page.screenshot({ path: screenshotPath }).catch(() => undefined);
  }
  await page.close().catch(() => undefined);
  const m = /@@RESULT (\{.*\})/.exec(log);
  return { exitCode: exitCode === 'timeout' ? 'timeout' : exitCode, log, result: m ? JSON.parse(m[1]) : undefined };
}
