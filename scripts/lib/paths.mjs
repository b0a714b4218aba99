// Where things live. Shared by the test, dev, bench and package scripts.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
/** Outside node_modules so `npm ci` never wipes it; shared by every clone on the machine. */
export const cacheRoot = process.env.DEFENDER_TS_CACHE
  ? resolve(process.env.DEFENDER_TS_CACHE)
  : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'defender-troubleshooting-dev');
export const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
export const PWSH_VERSION = '7.6.9';
/**
 * `dotnet tool install PowerShell --version <v> --tool-path <pwshDir>`, then ReadyToRun-compiled in place
 * (pwshReadyToRun.mjs). A new name (was `pwsh-<v>`) so that copies installed before stay as they are for whoever
 * still uses them; the executable to run is entryFor(pwshDir), not always `<pwshDir>/pwsh`.
 */
export const pwshDir = join(cacheRoot, `pwsh-${PWSH_VERSION}-r2r`);
/** The tool's own launcher (a shim that starts `dotnet <store>/…/pwsh.dll` as a second process). */
export const pwshCacheBin = join(pwshDir, 'pwsh');
/** The folder earlier versions of setup.mjs installed into (IL-only): only the bench still measures it. */
export const pwshIlDir = join(cacheRoot, `pwsh-${PWSH_VERSION}`);
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const testResultsDir = join(repoRoot, 'test-results');
export const workspaceFixture = join(repoRoot, 'test', 'fixtures', 'workspace');
