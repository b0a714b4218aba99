#!/usr/bin/env node
// `npm run bench`: numbers, not pass/fail. Prints the main bundle's size, the extension's activation time in a
// real VS Code (median of 5 fresh code-server starts, measured by the integration harness), then runs every
// bench/*.bench.ts (grammar and KQL language-service benchmarks) and shows what they print.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/paths.mjs';
import { run } from './lib/proc.mjs';
import { parseArgs } from 'node:util';

// `--only activation|bundles|benches` runs one part (e.g. to re-measure on a quiet machine); `--only kql` or
// `--only grammar` runs the one bench/*.bench.ts whose name starts so.
const { values } = parseArgs({ options: { only: { type: 'string' } } });
const wants = (part) => !values.only || values.only === part;

const { ensureTestEnvironment } = await import('./lib/setup.mjs');
await ensureTestEnvironment();
if ((await run('node', ['esbuild.mjs', '--production'], { cwd: repoRoot })) !== 0) process.exit(1);
if ((await run('npx', ['tsc', '-p', 'test/tsconfig.json'], { cwd: repoRoot })) !== 0) process.exit(1);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (wants('bundles')) {
console.log('\n== bundles (production) ==');
const bundles = [];
const walk = (dir) => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.js')) bundles.push({ file: p.slice(repoRoot.length + 1), size: statSync(p).size });
  }
};
walk(join(repoRoot, 'dist'));
for (const b of bundles) console.log(`${b.file.padEnd(32)} ${kb(b.size).padStart(10)}`);
const main = bundles.find((b) => b.file === join('dist', 'extension.js'));
console.log(`main bundle: ${kb(main.size)} (target < 500 KB: ${main.size < 500 * 1024 ? 'met' : 'NOT met'})`);
}

if (wants('activation')) {
console.log('\n== activation in VS Code (code-server), 5 fresh starts; ext.activate() timed after the host settles for 3 s ==');
const { launchBrowser, runExtensionTests, startCodeServer } = await import('./lib/codeServer.mjs');
const samples = [];
for (let i = 1; i <= 5; i++) {
  const server = await startCodeServer();
  const browser = await launchBrowser();
  try {
    const r = await runExtensionTests({ server, browser, testsPath: join(repoRoot, 'out', 'bench', 'activation', 'index.js'), timeoutMs: 180_000 });
    const m = /@@BENCH (\{.*\})/.exec(r.log);
    if (!m) throw new Error(`start ${i}: no measurement (exit ${r.exitCode})`);
    const s = JSON.parse(m[1]);
    samples.push(s);
    const features = Object.entries(s.features ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    console.log(`start ${i}: activate() ${s.activateCallMs.toFixed(1)} ms (inside activate: ${s.insideActivateMs.toFixed(1)} ms; ${features})`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
const med = median(samples.map((s) => s.activateCallMs));
console.log(`activation median: ${med.toFixed(1)} ms (target < 50 ms: ${med < 50 ? 'met' : 'NOT met'})`);
}

const benchFiles = readdirSync(join(repoRoot, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort();
const benches = wants('benches') ? benchFiles : benchFiles.filter((f) => f.startsWith(values.only));
for (const b of benches) {
  console.log(`\n== bench/${b} ==`);
  const code = await run('npx', ['tsx', join('bench', b)], { cwd: repoRoot });
  if (code !== 0) console.log(`bench/${b} exited with ${code}`);
}
