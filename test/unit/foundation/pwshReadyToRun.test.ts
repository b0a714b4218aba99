import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from '../../support/tempDirs';

type R2rLib = typeof import('../../../scripts/lib/pwshReadyToRun.mjs', { with: { 'resolution-mode': 'import' } });

/**
 * The ReadyToRun step of scripts/lib/setup.mjs (issue 7 item 1): which cache folders it compiles, which executable
 * it hands the tests, how it tells compiled assemblies from IL-only ones, which runtime it compiles against.
 */
describe('(unit) PowerShell ReadyToRun cache (setup.mjs)', () => {
  let lib: R2rLib;
  before(async () => {
    lib = await import('../../../scripts/lib/pwshReadyToRun.mjs');
  });

  /** A fake `dotnet tool install --tool-path` folder: the shim, and pwsh.dll's folders for unix and win. */
  function fakeTool(): { dir: string; unix: string } {
    const dir = makeTempDir('dtm-r2r-');
    const tools = path.join(dir, '.store', 'powershell', '7.6.9', 'powershell', '7.6.9', 'tools', 'net10.0', 'any');
    for (const os of ['win', 'unix']) {
      fs.mkdirSync(path.join(tools, os, 'Modules', 'X'), { recursive: true });
      fs.writeFileSync(path.join(tools, os, 'pwsh.dll'), '');
      fs.writeFileSync(path.join(tools, os, 'Modules', 'X', 'pwsh.dll'), '');
    }
    fs.writeFileSync(path.join(dir, 'pwsh'), '');
    fs.writeFileSync(path.join(tools, 'unix', 'pwsh'), '');
    return { dir, unix: path.join(tools, 'unix') };
  }

  it('finds the folder with pwsh.dll for this platform in the tool store', () => {
    const { dir, unix } = fakeTool();
    assert.equal(lib.findPwshAppDir(dir), unix);
    assert.equal(lib.findPwshAppDir(makeTempDir('dtm-r2r-empty-')), undefined);
  });

  it('compiles a folder without marker or with an older recipe, not one compiled or failed by this recipe', () => {
    const { dir } = fakeTool();
    assert.equal(lib.r2rState(dir), 'compile');
    lib.writeR2rMarker(dir, { state: 'compiled', apphost: 'x' });
    assert.equal(lib.r2rState(dir), 'compiled');
    lib.writeR2rMarker(dir, { state: 'failed', error: 'boom' });
    assert.equal(lib.r2rState(dir), 'failed');
    assert.equal(lib.readR2rMarker(dir)?.error, 'boom');
    fs.writeFileSync(path.join(dir, lib.R2R_MARKER), JSON.stringify({ recipe: lib.R2R_RECIPE - 1, state: 'compiled' }));
    assert.equal(lib.r2rState(dir), 'compile');
    fs.writeFileSync(path.join(dir, lib.R2R_MARKER), 'not json');
    assert.equal(lib.r2rState(dir), 'compile');
  });

  it("hands out pwsh.dll's apphost only when compiled and seen to run, else the tool's launcher", () => {
    const { dir, unix } = fakeTool();
    const shim = path.join(dir, 'pwsh');
    assert.equal(lib.entryFor(dir), shim);
    lib.writeR2rMarker(dir, { state: 'compiled' }); // the apphost did not run at compile time
    assert.equal(lib.entryFor(dir), shim);
    lib.writeR2rMarker(dir, { state: 'compiled', apphost: path.relative(dir, path.join(unix, 'pwsh')) });
    assert.equal(lib.entryFor(dir), path.join(unix, 'pwsh'));
    lib.writeR2rMarker(dir, { state: 'failed', apphost: path.relative(dir, path.join(unix, 'pwsh')) });
    assert.equal(lib.entryFor(dir), shim);
    lib.writeR2rMarker(dir, { state: 'compiled', apphost: 'gone/pwsh' });
    assert.equal(lib.entryFor(dir), shim);
  });

  /** A minimal PE32+ file with a CLI header whose ManagedNativeHeader (ReadyToRun) is `native` (RVA, size). */
  function pe(options: { cli: boolean; native?: [number, number] }): Buffer {
    const buf = Buffer.alloc(0x400);
    buf.writeUInt16LE(0x5a4d, 0); // MZ
    buf.writeUInt32LE(0x80, 0x3c);
    buf.writeUInt32LE(0x4550, 0x80); // PE\0\0
    buf.writeUInt16LE(1, 0x80 + 6); // one section
    buf.writeUInt16LE(0xf0, 0x80 + 20); // optional header size
    const opt = 0x80 + 24;
    buf.writeUInt16LE(0x20b, opt); // PE32+
    if (options.cli) {
      buf.writeUInt32LE(0x2000, opt + 112 + 14 * 8);
      buf.writeUInt32LE(72, opt + 112 + 14 * 8 + 4);
    }
    const section = opt + 0xf0;
    buf.writeUInt32LE(0x1000, section + 8); // virtual size
    buf.writeUInt32LE(0x2000, section + 12); // virtual address
    buf.writeUInt32LE(0x200, section + 16); // raw size
    buf.writeUInt32LE(0x200, section + 20); // raw pointer
    buf.writeUInt32LE(72, 0x200); // IMAGE_COR20_HEADER.cb
    if (options.native) {
      buf.writeUInt32LE(options.native[0], 0x200 + 64);
      buf.writeUInt32LE(options.native[1], 0x200 + 68);
    }
    return buf;
  }

  it('tells IL-only assemblies from ReadyToRun ones and from native files', () => {
    const dir = makeTempDir('dtm-r2r-pe-');
    const write = (name: string, data: Buffer) => (fs.writeFileSync(path.join(dir, name), data), path.join(dir, name));
    assert.equal(lib.isIlOnlyAssembly(write('il.dll', pe({ cli: true }))), true);
    assert.equal(lib.isIlOnlyAssembly(write('r2r.dll', pe({ cli: true, native: [0x2100, 0x50] }))), false);
    assert.equal(lib.isIlOnlyAssembly(write('native.dll', pe({ cli: false }))), false);
    assert.equal(lib.isIlOnlyAssembly(write('text.dll', Buffer.from('not a PE file at all'.repeat(20)))), false);
    assert.equal(lib.isIlOnlyAssembly(path.join(dir, 'missing.dll')), false);
  });

  it('compiles against the runtime the tool rolls forward to: highest patch of its major.minor, no previews', () => {
    const list = [
      'Microsoft.AspNetCore.App 10.0.12 [/usr/share/dotnet/shared/Microsoft.AspNetCore.App]',
      'Microsoft.NETCore.App 8.0.20 [/usr/share/dotnet/shared/Microsoft.NETCore.App]',
      'Microsoft.NETCore.App 10.0.9 [/usr/share/dotnet/shared/Microsoft.NETCore.App]',
      'Microsoft.NETCore.App 10.0.12 [/usr/share/dotnet/shared/Microsoft.NETCore.App]',
      'Microsoft.NETCore.App 11.0.0-preview.1.2 [/usr/share/dotnet/shared/Microsoft.NETCore.App]',
    ].join('\n');
    const runtimes = lib.netCoreRuntimes(list);
    assert.deepEqual(
      runtimes.map((r) => r.version),
      ['11.0.0-preview.1.2', '10.0.12', '10.0.9', '8.0.20'],
    );
    assert.equal(lib.pickRuntime(runtimes, 10, 0)?.dir, '/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12');
    assert.equal(lib.pickRuntime(runtimes, 8, 0)?.version, '8.0.20');
    assert.equal(lib.pickRuntime(runtimes, 9, 0), undefined);
  });
});
