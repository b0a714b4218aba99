/** Runs PowerShell checker scripts in one real pwsh process (test helper, not a test file). */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requirePwsh } from '../../doubles/powershell/standinState';

/** Runs a PowerShell checker script with a JSON document on stdin; returns its JSON output. */
export function pwshJson<T>(script: string, input: unknown, env: NodeJS.ProcessEnv = process.env): T {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-pscheck-')), 'check.ps1');
  fs.writeFileSync(file, script);
  const r = spawnSync(requirePwsh(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', file], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 300_000,
    env,
  });
  assert.equal(r.status, 0, `pwsh failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
  return JSON.parse(r.stdout) as T;
}

