// Installs what the tests and the dev launcher need on a fresh Debian machine:
// node_modules (npm ci), Debian packages (chromium, ripgrep, libkrb5-dev), code-server and PowerShell 7 in a cache folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, run, runOrThrow } from './proc.mjs';
import { CODE_SERVER_VERSION, codeServerBin, codeServerDir, pwshDir, PWSH_VERSION, repoRoot } from './paths.mjs';
import { compilePwshReadyToRun, entryFor, R2R_MARKER, r2rState, readR2rMarker, writeR2rMarker } from './pwshReadyToRun.mjs';

const log = (m) => console.log(`[setup] ${m}`);

/**
 * Runs `npm ci` when node_modules does not match package-lock.json. Compared by content (a hash written after the
 * install), not by file times: a fresh clone, a `git worktree` or a checkout touches the lock file without
 * changing it, and a needless `npm ci` deletes node_modules under whoever else is using it.
 */
export async function ensureNodeModules() {
  const npmMarker = join(repoRoot, 'node_modules', '.package-lock.json');
  const hashMarker = join(repoRoot, 'node_modules', '.dtm-lock-sha256');
  const lock = join(repoRoot, 'package-lock.json');
  const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(npmMarker) && existsSync(hashMarker) && readFileSync(hashMarker, 'utf8').trim() === lockHash) return;
  if (existsSync(npmMarker) && !existsSync(hashMarker) && statSync(npmMarker).mtimeMs >= statSync(lock).mtimeMs - 1000) {
    writeFileSync(hashMarker, lockHash);
    return;
  }
  log('installing npm dependencies (npm ci)');
  await runOrThrow('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot });
  writeFileSync(hashMarker, lockHash);
}

const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev'];

async function isInstalled(pkg) {
  const { code, stdout } = await capture('dpkg-query', ['-W', '-f=${Status}', pkg]);
  return code === 0 && stdout.includes('install ok installed');
}

export async function ensureDebianPackages() {
  const missing = [];
  for (const pkg of APT_PACKAGES) if (!(await isInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}. Run: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOrThrow('apt-get', ['update', '-qq'], { env });
  await runOrThrow('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

export async function ensureCodeServer() {
  const marker = join(codeServerDir, '.installed');
  if (existsSync(marker) && existsSync(codeServerBin)) return;
  log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (about a minute)`);
  rmSync(codeServerDir, { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(join(codeServerDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  // @vscode/ripgrep's postinstall downloads from GitHub; pre-seed its cache with Debian's rg.
  const tmp = mkdtempSync(join(tmpdir(), 'dtm-cs-install-'));
  const rgCache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  await runOrThrow('tar', ['czf', join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', '/usr/bin', 'rg']);
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // as root, older npm refuses install scripts without it
    npm_config_yes: 'true', // node-gyp is fetched with npx
    npm_config_dangerously_allow_all_scripts: 'true', // npm 11's allowScripts gate: code-server builds native modules
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  const code = await run('npm', ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: codeServerDir, env });
  rmSync(tmp, { recursive: true, force: true });
  if (code !== 0 || !existsSync(codeServerBin)) throw new Error('code-server install failed (see npm output above)');
  writeFileSync(marker, new Date().toISOString());
}

/** The major.minor.patch a pwsh executable reports, or undefined when it does not run. */
async function pwshVersion(exe) {
  try {
    const { code, stdout } = await capture(exe, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()']);
    return code === 0 ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function hasCommand(cmd, args = ['--version']) {
  try {
    return (await capture(cmd, args)).code === 0;
  } catch {
    return false;
  }
}

export const PWSH_INSTALL_HELP =
  'The tests run real PowerShell 7 and need either `pwsh` (7.x) on the PATH or the .NET SDK (`dotnet`) to install it. ' +
  'On Debian: add Microsoft\'s package repository (https://learn.microsoft.com/dotnet/core/install/linux-debian) and ' +
  '`sudo apt-get install -y dotnet-sdk-8.0` (any SDK >= 8), or install PowerShell itself ' +
  '(https://learn.microsoft.com/powershell/scripting/install/install-debian). Then run the command again.';

let resolvedPwsh;

/**
 * Real PowerShell 7 for the tests (issue 7): `pwsh` from the PATH when it is 7.x, else the cached copy, else
 * `dotnet tool install PowerShell --version 7.6.9 --tool-path <cache>/pwsh-7.6.9-r2r` once (a marker file records a
 * complete install), then ReadyToRun-compiled once (pwshReadyToRun.mjs; an uncompiled copy is compiled on the next
 * run; when compiling fails the uncompiled tool is used, with a warning). Sets and returns process.env.DTM_PWSH,
 * which every child (mocha, code-server, the extension host, the stand-in launcher) inherits. Throws with what to
 * install when neither pwsh nor dotnet exists.
 */
export async function ensurePwsh() {
  if (resolvedPwsh) return resolvedPwsh;
  const fromEnv = process.env.DTM_PWSH;
  if (fromEnv && (await pwshVersion(fromEnv))?.startsWith('7.')) return (resolvedPwsh = fromEnv);
  const onPath = await pwshVersion('pwsh');
  let exe;
  if (onPath?.startsWith('7.')) {
    exe = 'pwsh';
    const { stdout } = await capture('sh', ['-c', 'command -v pwsh']);
    exe = stdout.trim() || 'pwsh';
  } else {
    exe = await ensureCachedPwsh(pwshDir);
  }
  process.env.DTM_PWSH = exe;
  // No telemetry or update check from the many short-lived test processes.
  process.env.POWERSHELL_TELEMETRY_OPTOUT ??= '1';
  process.env.POWERSHELL_UPDATECHECK ??= 'Off';
  return (resolvedPwsh = exe);
}

/**
 * The PowerShell tool in `dir` (installed there first when it does not run), ReadyToRun-compiled; returns the
 * executable to use. Exported for the bench and for tests with a scratch cache (DEFENDER_TS_CACHE).
 */
export async function ensureCachedPwsh(dir) {
  const shim = join(dir, 'pwsh');
  const marker = join(dir, '.installed');
  let entry = entryFor(dir);
  // A copy that runs counts as installed (the marker only records that our own install finished).
  let cached = existsSync(entry) ? await pwshVersion(entry) : undefined;
  if (!cached?.startsWith('7.') && entry !== shim) {
    warn(`${entry} (pwsh.dll's own launcher) does not run here; using the tool's launcher ${shim}`);
    entry = shim;
    cached = existsSync(shim) ? await pwshVersion(shim) : undefined;
  }
  if (!cached?.startsWith('7.')) {
    if (!(await hasCommand('dotnet', ['--list-sdks']))) throw new Error(`PowerShell 7 not found. ${PWSH_INSTALL_HELP}`);
    log(`installing PowerShell ${PWSH_VERSION} into ${dir} (dotnet tool install, about a minute)`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };
    const code = await run('dotnet', ['tool', 'install', 'PowerShell', '--version', PWSH_VERSION, '--tool-path', dir], { env });
    if (code !== 0 || !existsSync(shim)) throw new Error(`installing PowerShell with dotnet failed (see above). ${PWSH_INSTALL_HELP}`);
    writeFileSync(marker, new Date().toISOString());
    entry = shim;
  } else if (!existsSync(marker)) {
    writeFileSync(marker, `found ${cached} ${new Date().toISOString()}`);
  }
  const state = r2rState(dir);
  if (state === 'compile') {
    await compileOnce(dir);
    entry = entryFor(dir);
  } else if (state === 'failed') {
    const m = readR2rMarker(dir);
    warn(
      `PowerShell runs without ReadyToRun code (compiling it failed on ${m?.date}: ${m?.error}); every start costs about ` +
        `1 s more CPU. Delete ${join(dir, R2R_MARKER)} to try again.`,
    );
  }
  return entry;
}

const warn = (m) => console.warn(`[setup] WARNING: ${m}`);

/** ReadyToRun-compiles the tool in `dir` unless another run is doing it; never throws (the IL-only tool works). */
async function compileOnce(dir) {
  const lock = join(dir, '.readytorun.lock');
  try {
    mkdirSync(lock);
  } catch {
    // A lock older than 30 minutes belongs to a run that died.
    if (Date.now() - statSync(lock).mtimeMs < 30 * 60_000) {
      warn(`another run is ReadyToRun-compiling PowerShell in ${dir} (${lock}); this run uses it uncompiled`);
      return;
    }
    rmSync(lock, { recursive: true, force: true });
    mkdirSync(lock);
  }
  try {
    const r = await compilePwshReadyToRun(dir, { log, pwshVersion });
    const partly = r.failed.length ? `; ${r.failed.length} left IL-only: ${r.failed.map((f) => f.split(':')[0]).join(', ')}` : '';
    log(`PowerShell ReadyToRun-compiled: ${r.compiled} assemblies in ${r.seconds} s (crossgen2 ${r.crossgen2}, runtime ${r.runtime})${partly}`);
    if (!r.apphost) warn(`pwsh.dll's own launcher does not run here; pwsh starts through the tool's launcher (one more .NET process per start)`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    warn(`ReadyToRun compilation of PowerShell failed, the tests run it uncompiled (slower, same results): ${message}`);
    if (!err?.retry) writeR2rMarker(dir, { state: 'failed', error: message });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function ensureTestEnvironment() {
  await ensureNodeModules();
  await ensureDebianPackages();
  await ensureCodeServer();
  await ensurePwsh();
}

export function readJson(path, fallback) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return fallback;
  }
}
