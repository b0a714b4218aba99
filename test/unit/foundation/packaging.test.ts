import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

/** What a user needs in the VSIX; anything else (sources, tests, maps, node_modules) is a packaging bug. */
const ALLOWED = [
  /^package\.json$/,
  /^package\.nls(\.[\w-]+)?\.json$/,
  /^l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^language-configuration\.json$/,
  /^dist\/[\w./-]+\.(js|css)$/,
  /^syntaxes\/[\w.-]+\.tmLanguage\.json$/,
  /^snippets\/[\w.-]+\.code-snippets$/,
  /^media\/[\w./-]+\.(png|svg|css|md)$/,
];

describe('packaging (unit, vsce ls)', function () {
  this.timeout(60_000);
  let files: string[];
  before(() => {
    // Make sure a development sourcemap exists so the test proves it is excluded.
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    const probe = path.join(root, 'dist', 'packaging-probe.js.map');
    fs.writeFileSync(probe, '{}');
    try {
      const out = execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
      files = out.split('\n').map((l) => l.trim()).filter(Boolean);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });

  it('ships only what users need', () => {
    const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    assert.deepStrictEqual(unexpected, [], `unexpected files in the VSIX: ${unexpected.join(', ')}`);
  });

  it('ships the manifest essentials and every file the manifest points to', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const referenced = [
      pkg.icon,
      ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
      ...pkg.contributes.snippets.map((s: { path: string }) => s.path),
      ...pkg.contributes.languages.map((l: { configuration: string }) => l.configuration),
    ].map((p: string) => p.replace(/^\.\//, ''));
    if (pkg.l10n) referenced.push('package.nls.json', `${pkg.l10n.replace(/^\.\//, '')}/bundle.l10n.json`);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', ...referenced]) assert.ok(files.includes(f), `${f} is not in the VSIX`);
  });
});
