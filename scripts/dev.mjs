#!/usr/bin/env node
// `npm run dev`: installs dependencies if needed, builds the extension (and keeps rebuilding on change),
// and opens it in a real VS Code on the sample tenant (scripts/lib/sample.mjs): desktop `code
// --extensionDevelopmentPath` where installed, otherwise code-server on 127.0.0.1 with this folder as the
// development extension (prints the URL to open). `--no-sample` opens the plain test workspace without the sample.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, CODE_SERVER_VERSION, repoRoot, workspaceFixture } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';

const { values } = parseArgs({ options: { 'no-sample': { type: 'boolean' } } });
const useSample = !values['no-sample'];

const { ensureCodeServer, ensureDebianPackages, ensureNodeModules } = await import('./lib/setup.mjs');
await ensureNodeModules();
if ((await run('node', ['esbuild.mjs'], { cwd: repoRoot })) !== 0) process.exit(1);
const watcher = spawn('node', ['esbuild.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });

const { sampleWorkspace, startSample, SAMPLE_DEVICES } = await import('./lib/sample.mjs');
const sample = useSample ? await startSample() : undefined;
const workspace = sample ? sampleWorkspace : workspaceFixture;
if (sample) {
  console.log(`Sample tenant: ${SAMPLE_DEVICES} devices from the API emulator at ${sample.url}; This device is the PowerShell stand-in (${sample.stateFile}).`);
}

const stopAll = async (code) => {
  watcher.kill();
  await sample?.stop();
  process.exit(code);
};

const hasDesktopCode = !process.env.DTM_FORCE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasDesktopCode) {
  // A profile of its own, so the sample's settings never reach the user's everyday VS Code.
  const { writeProfileSettings } = await import('./lib/codeServer.mjs');
  const userData = join(cacheRoot, 'dev-profile');
  writeProfileSettings(userData, { useTestSettings: false, settings: sample?.settings ?? {} });
  console.log('Opening desktop VS Code with the extension under development (Reload Window picks up rebuilds).');
  const code = await run('code', ['--user-data-dir', userData, '--extensionDevelopmentPath', repoRoot, '--new-window', '--wait', workspace], {
    env: { ...process.env, ...(sample?.env ?? {}) },
  });
  await stopAll(code);
}

await ensureDebianPackages();
await ensureCodeServer();
const { startCodeServer } = await import('./lib/codeServer.mjs');
const port = Number(process.env.PORT || 8080);
const server = await startCodeServer({ port, useTestSettings: false, workspace, settings: sample?.settings ?? {}, env: sample?.env ?? {} });
const url = server.workbenchUrl([['extensionDevelopmentPath', server.remoteUri(repoRoot)]]);
console.log(`\nVS Code (code-server ${CODE_SERVER_VERSION}) is running with this extension under development${sample ? ', on the sample tenant' : ''}.\nOpen: ${url}\n(127.0.0.1 only; forward the port over SSH to reach it from another machine. Ctrl+C stops it.)\n`);
const stop = async () => {
  await server.stop();
  await stopAll(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
