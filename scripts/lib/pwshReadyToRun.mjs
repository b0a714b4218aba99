// ReadyToRun (ahead-of-time) compilation of the PowerShell .NET tool, once, at install time (issue 7 item 1).
//
// The tool `PowerShell` that `dotnet tool install` puts into the cache ships IL-only assemblies (unlike Microsoft's
// pwsh packages), so every pwsh start JIT-compiles System.Management.Automation & co.: 5,000+ methods before the
// first command. crossgen2 (the SDK's ReadyToRun compiler, NuGet package Microsoft.NETCore.App.Crossgen2.<rid>,
// restored through a throwaway project so that the SDK picks its version) compiles them once; the runtime then
// uses the precompiled code and JITs only what ReadyToRun cannot hold (generic instantiations across framework
// types, PowerShell's own dynamic methods). Still the same pwsh.dll, the same PowerShell: only the native code is
// made ahead of time.
//
// The tool's own entry point is a shim (Microsoft.PowerShell.GlobalTool.Shim.dll) that starts a second .NET
// process, `dotnet <store>/unix/pwsh.dll`. The package also holds pwsh.dll's own apphost (`unix/pwsh`), which
// starts pwsh.dll in one process: entryFor() prefers it once it has been seen to run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Runs a command with stdout and stderr captured together; resolves with { code, output } (never throws on non-zero). */
function exec(cmd, args, options = {}) {
  return new Promise((resolvePromise) => {
    let output = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    } catch (err) {
      resolvePromise({ code: 127, output: String(err) });
      return;
    }
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolvePromise({ code: 127, output: `${output}${err.message}` }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Bump when the compile recipe changes: a cache compiled by an older recipe is compiled again (once). */
export const R2R_RECIPE = 1;
/** The marker in the tool folder: JSON { recipe, state: 'compiled' | 'failed', ... }. */
export const R2R_MARKER = '.readytorun.json';

/**
 * The folder with pwsh.dll inside a `dotnet tool install --tool-path <toolDir>` folder
 * (<toolDir>/.store/powershell/<v>/powershell/<v>/tools/<tfm>/any/unix), or undefined.
 */
export function findPwshAppDir(toolDir) {
  const store = join(toolDir, '.store');
  if (!existsSync(store)) return undefined;
  const found = [];
  const walk = (dir, depth) => {
    if (depth > 9) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'pwsh.dll')) found.push(dir);
    for (const e of entries) if (e.isDirectory() && e.name !== 'Modules' && e.name !== 'ref' && e.name !== 'runtimes') walk(join(dir, e.name), depth + 1);
  };
  walk(store, 0);
  const os = process.platform === 'win32' ? 'win' : 'unix';
  return found.find((d) => d.split(/[\\/]/).pop() === os) ?? found[0];
}

/** The marker's content, or undefined when there is none (or it is unreadable). */
export function readR2rMarker(toolDir) {
  try {
    return JSON.parse(readFileSync(join(toolDir, R2R_MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

export function writeR2rMarker(toolDir, content) {
  writeFileSync(join(toolDir, R2R_MARKER), `${JSON.stringify({ recipe: R2R_RECIPE, ...content, date: new Date().toISOString() }, null, 2)}\n`);
}

/**
 * What ensurePwsh does with a tool folder: 'compiled' (done by this recipe), 'failed' (this recipe failed here
 * before: run uncompiled, do not retry on every run) or 'compile' (never compiled, or by an older recipe).
 */
export function r2rState(toolDir) {
  const marker = readR2rMarker(toolDir);
  if (!marker || marker.recipe !== R2R_RECIPE) return 'compile';
  return marker.state === 'compiled' ? 'compiled' : marker.state === 'failed' ? 'failed' : 'compile';
}

/**
 * The executable to run: pwsh.dll's own apphost (one process) when the folder is compiled and the marker says the
 * apphost ran, else the tool's shim `<toolDir>/pwsh` (two processes).
 */
export function entryFor(toolDir) {
  const shim = join(toolDir, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  const marker = readR2rMarker(toolDir);
  if (marker?.recipe === R2R_RECIPE && marker.state === 'compiled' && typeof marker.apphost === 'string') {
    const apphost = join(toolDir, marker.apphost);
    if (existsSync(apphost)) return apphost;
  }
  return shim;
}

/** True when the file is a managed assembly without native (ReadyToRun) code: a PE with a CLI header whose ManagedNativeHeader is empty. */
export function isIlOnlyAssembly(file) {
  let buf;
  try {
    buf = readFileSync(file);
  } catch {
    return false;
  }
  if (buf.length < 0x100 || buf.readUInt16LE(0) !== 0x5a4d) return false;
  const pe = buf.readUInt32LE(0x3c);
  if (pe + 24 > buf.length || buf.readUInt32LE(pe) !== 0x4550) return false;
  const sections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const magic = buf.readUInt16LE(opt);
  const dirs = opt + (magic === 0x20b ? 112 : 96);
  const cliRva = buf.readUInt32LE(dirs + 14 * 8);
  if (!cliRva) return false; // native
  const toOffset = (rva) => {
    for (let i = 0; i < sections; i++) {
      const s = opt + optSize + i * 40;
      const va = buf.readUInt32LE(s + 12);
      const size = Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16));
      if (rva >= va && rva < va + size) return rva - va + buf.readUInt32LE(s + 20);
    }
    return undefined;
  };
  const cli = toOffset(cliRva);
  if (cli === undefined || cli + 72 > buf.length) return false;
  // IMAGE_COR20_HEADER: ManagedNativeHeader directory at offset 64 (RVA, size).
  return buf.readUInt32LE(cli + 64) === 0 && buf.readUInt32LE(cli + 68) === 0;
}

/**
 * Assemblies pwsh never loads on Linux in our tests (Windows-only APIs, WCF, Add-Type's C# compiler): left IL-only,
 * which halves the compile time. Correctness does not depend on this list, only speed: an assembly left out is JITed.
 */
export const R2R_SKIP =
  /^(Microsoft\.CodeAnalysis|System\.ServiceModel|System\.Private\.Windows|System\.Speech|System\.Drawing\.Common|System\.DirectoryServices|System\.Data\.|System\.Windows\.Extensions|System\.Web\.Services|System\.Diagnostics\.PerformanceCounter|System\.ComponentModel\.Composition|System\.IO\.Ports|System\.Net\.Http\.WinHttpHandler|Microsoft\.Win32\.)/i;

/**
 * The IL-only assemblies to compile, relative to pwsh.dll's folder: the folder's own, and this OS's
 * `runtimes/<os>/lib/<tfm>/` ones (Microsoft.Management.Infrastructure, loaded at every start), minus R2R_SKIP.
 */
export function compileInputs(appDir) {
  const rel = [];
  const add = (sub) => {
    let names;
    try {
      names = readdirSync(join(appDir, sub));
    } catch {
      return;
    }
    for (const n of names) if (n.toLowerCase().endsWith('.dll') && !R2R_SKIP.test(n) && isIlOnlyAssembly(join(appDir, sub, n))) rel.push(sub ? join(sub, n) : n);
  };
  add('');
  const oses = process.platform === 'win32' ? ['win'] : process.platform === 'darwin' ? ['unix', 'osx'] : ['unix', 'linux'];
  for (const os of oses) {
    let tfms = [];
    try {
      tfms = readdirSync(join(appDir, 'runtimes', os, 'lib'));
    } catch {
      // none
    }
    for (const tfm of tfms) add(join('runtimes', os, 'lib', tfm));
  }
  return rel;
}

/** The version folders of Microsoft.NETCore.App from `dotnet --list-runtimes` output, highest first. */
export function netCoreRuntimes(listRuntimesOutput) {
  const out = [];
  for (const line of listRuntimesOutput.split('\n')) {
    const m = /^Microsoft\.NETCore\.App (\d+)\.(\d+)\.(\d+)(\S*) \[(.+)\]\s*$/.exec(line.trim());
    if (m) out.push({ version: `${m[1]}.${m[2]}.${m[3]}${m[4]}`, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4], dir: join(m[5], `${m[1]}.${m[2]}.${m[3]}${m[4]}`) });
  }
  return out.sort((a, b) => b.major - a.major || b.minor - a.minor || b.patch - a.patch || (a.pre ? 1 : 0) - (b.pre ? 1 : 0));
}

/** The runtime a framework-dependent app targeting `major.minor` runs on (roll forward to the highest patch). */
export function pickRuntime(runtimes, major, minor) {
  return runtimes.find((r) => !r.pre && r.major === major && r.minor >= minor) ?? runtimes.find((r) => r.major === major);
}

function rid() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  const os = { linux: 'linux', darwin: 'osx', win32: 'win' }[process.platform];
  return arch && os ? `${os}-${arch}` : undefined;
}

/**
 * Restores the SDK's own Crossgen2 package (the version the SDK picks for PublishReadyToRun) through a throwaway
 * project in `workDir`, and returns the crossgen2 executable.
 */
export async function restoreCrossgen2(workDir, { env, tfm }) {
  const r = rid();
  if (!r) throw new Error(`no ReadyToRun compiler for ${process.platform}-${process.arch}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    join(workDir, 'crossgen2-restore.csproj'),
    `<Project Sdk="Microsoft.NET.Sdk">
  <!-- Only restored, never built: makes the SDK download the Crossgen2 package of the version it would use. -->
  <PropertyGroup>
    <TargetFramework>${tfm}</TargetFramework>
    <RuntimeIdentifier>${r}</RuntimeIdentifier>
    <SelfContained>false</SelfContained>
    <PublishReadyToRun>true</PublishReadyToRun>
    <DisableTransitiveFrameworkReferenceDownloads>true</DisableTransitiveFrameworkReferenceDownloads>
  </PropertyGroup>
</Project>
`,
  );
  const { code, output } = await exec('dotnet', ['restore', '--nologo', join(workDir, 'crossgen2-restore.csproj')], { cwd: workDir, env });
  if (code !== 0) throw new Error(`dotnet restore of the Crossgen2 package failed: ${output.trim().split('\n').slice(-5).join(' | ')}`);
  const cache = JSON.parse(readFileSync(join(workDir, 'obj', 'project.nuget.cache'), 'utf8'));
  const sha = (cache.expectedPackageFiles ?? []).find((f) => f.includes(`microsoft.netcore.app.crossgen2.${r}`.toLowerCase()));
  if (!sha) throw new Error('the restore did not bring the Crossgen2 package (PublishReadyToRun not supported by this SDK?)');
  const exe = join(dirname(sha), 'tools', process.platform === 'win32' ? 'crossgen2.exe' : 'crossgen2');
  if (existsSync(exe)) return { exe, args: [], version: dirname(sha).split(/[\\/]/).pop() };
  const dll = join(dirname(sha), 'tools', 'crossgen2.dll');
  if (existsSync(dll)) return { exe: 'dotnet', args: [dll], version: dirname(sha).split(/[\\/]/).pop() };
  throw new Error(`no crossgen2 in ${dirname(sha)}`);
}

/**
 * Compiles every IL-only assembly next to pwsh.dll to ReadyToRun in place (originals kept in `.il-originals/`
 * until pwsh has been seen to run compiled, restored otherwise) and writes the marker. Returns a summary; throws
 * when nothing could be compiled or the compiled pwsh does not run (the folder is then as before).
 */
export async function compilePwshReadyToRun(toolDir, { log, pwshVersion }) {
  const appDir = findPwshAppDir(toolDir);
  if (!appDir) throw new Error(`no pwsh.dll under ${toolDir}/.store`);
  const runtimeConfig = JSON.parse(readFileSync(join(appDir, 'pwsh.runtimeconfig.json'), 'utf8'));
  const tfm = runtimeConfig.runtimeOptions?.tfm ?? 'net10.0';
  const fx = runtimeConfig.runtimeOptions?.framework?.version ?? runtimeConfig.runtimeOptions?.frameworks?.[0]?.version ?? '10.0.0';
  const [fxMajor, fxMinor] = fx.split('.').map(Number);
  const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' };
  const { output: list } = await exec('dotnet', ['--list-runtimes'], { env });
  const runtime = pickRuntime(netCoreRuntimes(list), fxMajor, fxMinor);
  if (!runtime) throw new Error(`no Microsoft.NETCore.App ${fxMajor}.x runtime in \`dotnet --list-runtimes\``);
  const restoreDir = join(toolDir, `.crossgen2-restore-${process.pid}`);
  let crossgen;
  try {
    crossgen = await restoreCrossgen2(restoreDir, { env, tfm });
  } catch (err) {
    rmSync(restoreDir, { recursive: true, force: true });
    // Nothing was changed and nothing expensive was done: the next run tries again.
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { retry: true });
  }
  log(`ReadyToRun-compiling PowerShell's assemblies with crossgen2 ${crossgen.version} against Microsoft.NETCore.App ${runtime.version} (once; a few minutes)`);

  const inputs = compileInputs(appDir);
  const outDir = join(toolDir, `.r2r-out-${process.pid}`);
  const backupDir = join(toolDir, `.il-originals-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const targetOs = { linux: 'linux', darwin: 'osx', win32: 'windows' }[process.platform];
  const compiled = [];
  const failed = [];
  const started = Date.now();
  for (const name of inputs) {
    mkdirSync(dirname(join(outDir, name)), { recursive: true });
    const args = [
      ...crossgen.args,
      join(appDir, name),
      '-o',
      join(outDir, name),
      '-O',
      `--targetos:${targetOs}`,
      `--targetarch:${process.arch}`,
      '-r',
      join(appDir, '*.dll'),
      '-r',
      join(runtime.dir, '*.dll'),
    ];
    const { code, output } = await exec(crossgen.exe, args, { env });
    if (code === 0 && existsSync(join(outDir, name))) compiled.push(name);
    else failed.push(`${name}: ${output.trim().split('\n').slice(-2).join(' | ') || `exit ${code}`}`);
  }
  rmSync(restoreDir, { recursive: true, force: true });
  if (compiled.length === 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`crossgen2 compiled none of ${inputs.length} assemblies (${failed.slice(0, 3).join('; ')})`);
  }
  rmSync(backupDir, { recursive: true, force: true });
  mkdirSync(backupDir, { recursive: true });
  for (const name of compiled) {
    mkdirSync(dirname(join(backupDir, name)), { recursive: true });
    renameSync(join(appDir, name), join(backupDir, name));
    renameSync(join(outDir, name), join(appDir, name));
  }
  rmSync(outDir, { recursive: true, force: true });
  const restore = () => {
    for (const name of compiled) renameSync(join(backupDir, name), join(appDir, name));
    rmSync(backupDir, { recursive: true, force: true });
  };
  const shim = join(toolDir, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  const viaShim = await pwshVersion(shim);
  if (!viaShim?.startsWith('7.')) {
    restore();
    throw new Error(`the compiled pwsh does not run (${shim} printed ${JSON.stringify(viaShim ?? '')}); kept the IL-only assemblies`);
  }
  rmSync(backupDir, { recursive: true, force: true });
  const apphostPath = join(appDir, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  const apphost = existsSync(apphostPath) && (await pwshVersion(apphostPath)) === viaShim ? relative(toolDir, apphostPath) : undefined;
  const seconds = Math.round((Date.now() - started) / 1000);
  writeR2rMarker(toolDir, { state: 'compiled', crossgen2: crossgen.version, runtime: runtime.version, compiled: compiled.length, failed, apphost, seconds });
  rmSync(restoreDir, { recursive: true, force: true });
  return { compiled: compiled.length, failed, apphost, seconds, crossgen2: crossgen.version, runtime: runtime.version };
}
