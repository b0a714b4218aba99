#!/usr/bin/env node
// `npm run dev`: installs dependencies if needed, builds the extension (and keeps rebuilding on change),
// and opens it in a real VS Code: desktop `code --extensionDevelopmentPath` where installed, otherwise
// code-server on 127.0.0.1 with this folder as the development extension (prints the URL to open).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, workspaceFixture } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';

const { ensureCodeServer, ensureDebianPackages, ensureNodeModules, ensurePwsh } = await import('./lib/setup.mjs');
await ensureNodeModules();
// The "Defender PowerShell" terminal and the device commands run real pwsh through the stand-in launcher.
await ensurePwsh();
if ((await run('node', ['esbuild.mjs'], { cwd: repoRoot })) !== 0) process.exit(1);
const watcher = spawn('node', ['esbuild.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });

const hasDesktopCode = !process.env.DTM_FORCE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasDesktopCode) {
  console.log('Opening desktop VS Code with the extension under development (Reload Window picks up rebuilds).');
  const code = await run('code', ['--extensionDevelopmentPath', repoRoot, '--new-window', '--wait', workspaceFixture]);
  watcher.kill();
  process.exit(code);
}

await ensureDebianPackages();
await ensureCodeServer();
const { startCodeServer } = await import('./lib/codeServer.mjs');
const port = Number(process.env.PORT || 8080);
const server = await startCodeServer({ port, useTestSettings: false, workspace: workspaceFixture });
const url = server.workbenchUrl([['extensionDevelopmentPath', server.remoteUri(repoRoot)]]);
console.log(`\nVS Code (code-server ${join('', '4.100.3')}) is running with this extension under development.\nOpen: ${url}\n(127.0.0.1 only; forward the port over SSH to reach it from another machine. Ctrl+C stops it.)\n`);
const stop = async () => {
  watcher.kill();
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
