#!/usr/bin/env node
// `npm run package`: production build, then a VSIX with @vscode/vsce (only what users need: see .vscodeignore).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';

for (const f of readdirSync(repoRoot)) if (f.endsWith('.vsix')) rmSync(join(repoRoot, f));
const pkg = (await import(join(repoRoot, 'package.json'), { with: { type: 'json' } })).default;
const out = join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
// vsce runs `vscode:prepublish` (the production build) itself. Relative README links stay relative: the
// README is rendered from the VSIX in VS Code, which ships the screenshot too.
const code = await run('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: repoRoot });
process.exit(code);
