#!/usr/bin/env node
// `npm test`: installs what the tests need (npm ci, Debian packages, code-server in a cache folder), builds,
// then runs the three lanes in order (unit, integration, e2e) and ends with one line `N passed, N failed`.
// `--lane unit|integration|e2e` runs one lane. Exit code is non-zero if a test failed or a lane could not start.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { lane: { type: 'string', multiple: true } } });
const lanes = values.lane?.length ? values.lane : ['unit', 'integration', 'e2e'];
for (const l of lanes) {
  if (!['unit', 'integration', 'e2e'].includes(l)) {
    console.error(`unknown lane "${l}" (unit, integration, e2e)`);
    process.exit(2);
  }
}

const started = Date.now();
const { ensureNodeModules, ensurePwsh, ensureTestEnvironment } = await import('./lib/setup.mjs');
const { repoRoot, testResultsDir } = await import('./lib/paths.mjs');
const { run } = await import('./lib/proc.mjs');
const { summarize } = await import('./lib/summary.mjs');

/** Each lane's reported counts; a lane missing here at the end counts as 1 failed (lib/summary.mjs). */
const results = {};
const problems = [];

/** Runs a child that prints `@@RESULT {...}` (the counting reporter) and adds its counts. */
function runCounted(label, cmd, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let result;
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^@@RESULT (\{.*\})\s*$/.exec(line);
        if (m) result = JSON.parse(m[1]);
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on('error', (err) => {
      problems.push(`${label}: could not start (${err.message})`);
      resolvePromise(undefined);
    });
    child.on('exit', (code) => {
      if (buffer) process.stdout.write(buffer);
      addResult(label, result, code);
      resolvePromise(result);
    });
  });
}

function addResult(label, result, exitCode) {
  if (!result) {
    problems.push(`${label}: the lane did not report a result (exit code ${exitCode})`);
    return;
  }
  results[label] = result;
  console.log(`[${label}] ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ''}`);
  if (result.failed === 0 && exitCode !== 0) problems.push(`${label}: exited with ${exitCode}`);
}

const npx = (args, opts) => run('npx', args, { cwd: repoRoot, ...opts });

try {
  mkdirSync(testResultsDir, { recursive: true });
  if (lanes.includes('integration') || lanes.includes('e2e')) await ensureTestEnvironment();
  else await ensureNodeModules();
  // Every lane runs real PowerShell (the unit lane too); DTM_PWSH reaches mocha, code-server and the launcher.
  console.log(`[setup] PowerShell: ${await ensurePwsh()}`);

  console.log('\n== build ==');
  if ((await run('node', ['esbuild.mjs'], { cwd: repoRoot })) !== 0) throw new Error('the extension build failed');
  if ((await npx(['tsc', '-p', 'test/tsconfig.json'])) !== 0) throw new Error('compiling the tests failed (tsc -p test/tsconfig.json)');

  if (lanes.includes('unit')) {
    console.log('\n== unit (plain mocha, no VS Code) ==');
    // A private temp folder, counted afterwards: every test removes what it made (test/support/tempDirs.ts).
    const unitTmp = mkdtempSync(join(tmpdir(), 'dtm-unit-'));
    await runCounted('unit', 'npx', ['mocha', '--reporter', join('test', 'support', 'countingReporter.cjs')], {
      env: { ...process.env, TMPDIR: unitTmp },
    });
    const left = readdirSync(unitTmp).filter((name) => name.startsWith('dtm-'));
    if (left.length) problems.push(`unit: the tests left ${left.length} temp folder(s): ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}`);
    else console.log('[unit] no temp folders left behind');
    rmSync(unitTmp, { recursive: true, force: true, maxRetries: 3 });
  }

  if (lanes.includes('integration')) {
    console.log('\n== integration (mocha inside the VS Code extension host, code-server) ==');
    const { runIntegrationLane } = await import('./lib/lanes.mjs');
    const r = await runIntegrationLane();
    addResult('integration', r.result, r.exitCode === 0 ? 0 : 1);
  }

  if (lanes.includes('e2e')) {
    console.log('\n== e2e (chromium clicking through code-server, packaged VSIX) ==');
    const { prepareE2e } = await import('./lib/lanes.mjs');
    const env = await prepareE2e();
    // DTM_E2E_GREP narrows the lane while working on one test (as DTM_INTEGRATION_GREP does for integration).
    const grep = process.env.DTM_E2E_GREP ? ['--grep', process.env.DTM_E2E_GREP] : [];
    await runCounted('e2e', 'npx', ['mocha', '--config', join('test', 'e2e', '.mocharc.json'), '--reporter', join('test', 'support', 'countingReporter.cjs'), ...grep], {
      env: { ...process.env, ...env },
    });
  }
} catch (err) {
  problems.push(err instanceof Error ? err.message : String(err));
}

const summary = summarize(lanes, results, problems);
for (const p of summary.problems) console.error(`ERROR: ${p}`);
console.log(`\n(${lanes.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s)`);
console.log(summary.line);
process.exit(summary.exitCode);
