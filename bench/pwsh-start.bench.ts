/**
 * PowerShell start cost (issue 7 item 1): CPU (user + sys, children included) and wall time of one pwsh start, for
 * each PowerShell copy found in the cache, in the same run, rounds interleaved so machine noise hits all alike:
 *   - the IL-only tool as `dotnet tool install` leaves it (<cache>/pwsh-7.6.9, installed by earlier setup.mjs),
 *   - the ReadyToRun-compiled tool (<cache>/pwsh-7.6.9-r2r) through the tool's own launcher (a shim that starts a
 *     second .NET process) and through pwsh.dll's own apphost (what ensurePwsh() hands the tests).
 * Two workloads: a bare start (`exit 0`) and what a unit test's run costs (the stand-in module imported, one
 * Defender cmdlet, its JSON), the second also through the stand-in launcher (test/doubles/powershell/pwsh: node
 * launch.cjs in front of pwsh).
 *
 *   npx tsx bench/pwsh-start.bench.ts [--runs N]
 *
 * CPU comes from the shell's `times` (children's user and system time), so it does not need GNU time.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type PathsLib = typeof import('../scripts/lib/paths.mjs', { with: { 'resolution-mode': 'import' } });
type R2rLib = typeof import('../scripts/lib/pwshReadyToRun.mjs', { with: { 'resolution-mode': 'import' } });

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) > 0 ? Number(args[args.indexOf('--runs') + 1]) : 5;
const root = path.resolve(__dirname, '..');
const standIn = path.join(root, 'test', 'doubles', 'powershell');

interface Sample {
  cpu: number;
  wall: number;
}

/** One run of `exe args` under sh; CPU of sh's children from `times`, wall from here. */
function measure(exe: string, argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('sh', ['-c', '"$0" "$@" </dev/null >/dev/null 2>&1; s=$?; times; exit $s', exe, ...argv], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const lines = out.trim().split('\n');
      const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
      if (code !== 0 || !m) return reject(new Error(`${exe} ${argv.join(' ')} failed (exit ${code}): ${out}`));
      resolve({ cpu: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]), wall });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const paths: PathsLib = await import('../scripts/lib/paths.mjs');
  const r2r: R2rLib = await import('../scripts/lib/pwshReadyToRun.mjs');
  const copies: { label: string; exe: string }[] = [];
  const ilShim = path.join(paths.pwshIlDir, 'pwsh');
  if (fs.existsSync(ilShim) && r2r.r2rState(paths.pwshIlDir) !== 'compiled') copies.push({ label: 'IL-only tool (tool launcher)', exe: ilShim });
  if (fs.existsSync(paths.pwshCacheBin)) {
    const compiled = r2r.r2rState(paths.pwshDir) === 'compiled';
    copies.push({ label: `${compiled ? 'ReadyToRun' : 'uncompiled'} tool (tool launcher)`, exe: paths.pwshCacheBin });
    const entry = r2r.entryFor(paths.pwshDir);
    if (entry !== paths.pwshCacheBin) copies.push({ label: 'ReadyToRun tool (pwsh.dll apphost)', exe: entry });
  }
  if (copies.length === 0 && process.env.DTM_PWSH) copies.push({ label: `DTM_PWSH`, exe: process.env.DTM_PWSH });
  if (copies.length === 0) throw new Error(`no PowerShell in ${paths.cacheRoot}: run \`npm run test:unit\` once (it installs it)`);

  const state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dtm-pwsh-bench-')), 'state.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PSModulePath: path.join(standIn, 'Modules'),
    DTM_STANDIN_DIR: standIn,
    DEFENDER_STANDIN_STATE: state,
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    POWERSHELL_UPDATECHECK: 'Off',
    DOTNET_TieredPGO: '0',
  };
  const bare = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', 'exit 0'];
  const script = 'Import-Module DtmStandIn; Get-MpComputerStatus | ConvertTo-Json -Depth 5 -Compress';
  const withStandIn = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', script];
  const cases: { label: string; exe: string; argv: string[]; env: NodeJS.ProcessEnv }[] = [];
  for (const c of copies) cases.push({ label: `${c.label}: bare start`, exe: c.exe, argv: bare, env });
  for (const c of copies) cases.push({ label: `${c.label}: stand-in + Get-MpComputerStatus`, exe: c.exe, argv: withStandIn, env });
  const best = copies[copies.length - 1]!;
  // The launcher the product reaches (no script after -Command: it prepends the import itself).
  cases.push({
    label: `${best.label}: the same through the stand-in launcher`,
    exe: path.join(standIn, 'pwsh'),
    argv: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', 'Get-MpComputerStatus | ConvertTo-Json -Depth 5 -Compress'],
    env: { ...env, DTM_PWSH: best.exe },
  });

  console.log(`pwsh start, ${RUNS} interleaved rounds (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.cpus().length} CPUs)`);
  for (const c of cases) await measure(c.exe, c.argv, c.env); // warm the file cache
  const samples = cases.map(() => [] as Sample[]);
  for (let r = 0; r < RUNS; r++) for (let i = 0; i < cases.length; i++) samples[i]!.push(await measure(cases[i]!.exe, cases[i]!.argv, cases[i]!.env));
  const width = Math.max(...cases.map((c) => c.label.length));
  for (let i = 0; i < cases.length; i++) {
    const s = samples[i]!;
    const cpu = s.map((x) => x.cpu);
    console.log(
      `${cases[i]!.label.padEnd(width)}  CPU median ${median(cpu).toFixed(2)} s (min ${Math.min(...cpu).toFixed(2)})  wall median ${median(s.map((x) => x.wall)).toFixed(2)} s`,
    );
  }
  fs.rmSync(path.dirname(state), { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
