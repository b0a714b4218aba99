/**
 * Localisation (issue 11): every user-facing string goes through package.nls.json (manifest) or l10n.t
 * (src/, extracted into l10n/bundle.l10n.json). The rules live in scripts/l10n.mjs, which also migrates:
 * `node scripts/l10n.mjs` fixes what these tests report; `node scripts/l10n.mjs --check` lists it.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMessage, l10n, setTranslator, translatorFromBundle } from '../../../src/core/l10n';
import { renderGridHtml, renderPage } from '../../../src/webview-ui/toolkit/html';
import { installWebviewL10n, L10N_BUNDLE_ID } from '../../../src/webview-ui/toolkit/l10n';

const root = path.resolve(__dirname, '..', '..', '..');
const readJson = (f: string) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));

type Program = { getSourceFile(f: string): { text: string } | undefined };
interface Tool {
  manifestStrings(pkg: unknown): { key: string }[];
  migrateManifest(pkg: any, nls: Record<string, string>): Record<string, string>;
  checkManifest(pkg: unknown, nls: Record<string, string>): string[];
  resolveManifest(pkg: unknown, nls: Record<string, string>): any;
  sourceFiles(): string[];
  createProgram(files: string[], overrides?: Record<string, string>): Program;
  findBypasses(program: Program, files: string[]): string[];
  extractBundle(program: Program, files: string[]): Record<string, unknown>;
  rewriteFile(program: Program, fileName: string): { text: string; wrapped: number; manual: string[] };
  isProse(text: string): boolean;
}

let tool: Tool;
const loadTool = async () => (tool ??= (await import(pathToFileURL(path.join(root, 'scripts', 'l10n.mjs')).href)) as Tool);
const FIX = 'run node scripts/l10n.mjs (CONTRIBUTING.md, "Localisation")';

describe('localisation: manifest, sources and bundle (unit)', function () {
  this.timeout(180_000);
  let files: string[];
  let program: Program;
  before(async () => {
    await loadTool();
    files = tool.sourceFiles();
    program = tool.createProgram(files);
  });

  it('package.json shows no raw text: every user-facing string is a %key% of package.nls.json, and every key is used', () => {
    const problems = tool.checkManifest(readJson('package.json'), readJson('package.nls.json'));
    assert.deepStrictEqual(problems, [], `${FIX}\n${problems.join('\n')}`);
  });

  it('src/ passes every user-facing text through l10n.t (vscode.l10n.t in adapters, core/l10n in pure modules)', () => {
    assert.ok(files.length > 40, `scanned only ${files.length} files`);
    assert.ok(files.some((f) => f.endsWith(path.join('src', 'extension.ts'))));
    const bypasses = tool.findBypasses(program, files);
    assert.deepStrictEqual(bypasses, [], `${FIX}\n${bypasses.join('\n')}`);
  });

  it('l10n/bundle.l10n.json has exactly the messages of the l10n.t calls in src/', () => {
    const expected = tool.extractBundle(program, files);
    assert.ok(Object.keys(expected).length > 50, 'too few l10n.t messages: did the migration run?');
    assert.deepStrictEqual(readJson('l10n/bundle.l10n.json'), expected, `l10n/bundle.l10n.json is out of date: ${FIX}`);
  });

  it('activation installs vscode.l10n.t for the pure modules before any feature registers', () => {
    const ext = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    const install = ext.indexOf('installL10n()');
    assert.ok(install > 0, 'activate() must call installL10n() (src/infra/l10n.ts)');
    assert.ok(install < ext.indexOf("timed('device'"), 'installL10n() must run before the features register');
  });
});

describe('localisation checker catches bypasses (unit)', function () {
  this.timeout(180_000);
  before(loadTool);

  const ADAPTER = path.join(root, 'src', 'views', 'l10nProbe.ts');
  const PURE = path.join(root, 'src', 'defender', 'l10nProbe.ts');
  const adapterSource = [
    "import * as vscode from 'vscode';",
    'export async function probe(n: number, name: string | undefined): Promise<void> {',
    "  void vscode.window.showInformationMessage('Hello there.');",
    '  void vscode.window.showWarningMessage(`Deleted ${n} rows from ${name}.`);',
    "  const again = 'Try Again';",
    "  const choice = await vscode.window.showErrorMessage(vscode.l10n.t('It failed.'), again);",
    "  if (choice === 'Try Again') return;",
    "  await vscode.window.showQuickPick(['One', 'Two'], { title: 'Pick one', placeHolder: 'Type to filter' });",
    "  const item = vscode.window.createStatusBarItem(); item.text = 'Defender ready'; item.tooltip = 'Open ' + name;",
    "  void vscode.window.showInformationMessage(vscode.l10n.t('Already {0}.', n), 'defender.id');",
    "  console.log('Log lines stay English');",
    '}',
    '',
  ].join('\n');
  const pureSource = [
    "import { DefenderToolError } from '../core/errors';",
    "import type { NodeVM } from '../core/treeModel';",
    "export const fail = () => new DefenderToolError('bad', 'Something went wrong.');",
    "export const row = (on: boolean): NodeVM => ({ id: 'row', label: 'Tamper protection', description: on ? 'on now' : 'off now', icon: 'shield' });",
    "export const PRESETS = [{ value: 'P1D', label: 'Last day' }];",
    "export const quiet = (): NodeVM => ({ id: 'quiet', label: 'Not user text' }); // l10n-ignore",
    '/** Where, in words. @l10n */',
    'export function where(r: string): string {',
    "  switch (r) { case 'tunnel': return 'tunnel'; default: return 'local'; }",
    '}',
    '',
  ].join('\n');

  it('reports raw messages, buttons, pickers, status bar text, error messages and view-model labels, not ids or logs', () => {
    const program = tool.createProgram([ADAPTER, PURE], { [ADAPTER]: adapterSource, [PURE]: pureSource });
    const found = tool.findBypasses(program, [ADAPTER, PURE]);
    const lines = (file: string) => found.filter((f) => f.startsWith(`src/${file}`)).map((f) => Number(f.split(':')[1]));
    assert.deepStrictEqual(lines('views/l10nProbe.ts').sort((a, b) => a - b), [3, 4, 5, 8, 8, 8, 8, 9, 9], found.join('\n'));
    assert.deepStrictEqual(lines('defender/l10nProbe.ts').sort((a, b) => a - b), [3, 4, 4, 4, 5, 9, 9], found.join('\n'));
    assert.ok(!found.some((f) => /defender\.id|Log lines|Not user text/.test(f)), found.join('\n'));
  });

  it('rewrites them into l10n.t calls that the checker accepts, keeping the English text, and is idempotent', () => {
    let program = tool.createProgram([ADAPTER, PURE], { [ADAPTER]: adapterSource, [PURE]: pureSource });
    const adapter = tool.rewriteFile(program, ADAPTER);
    const pure = tool.rewriteFile(program, PURE);
    assert.deepStrictEqual([...adapter.manual, ...pure.manual], []);
    assert.match(adapter.text, /showInformationMessage\(vscode\.l10n\.t\('Hello there\.'\)\)/);
    assert.match(adapter.text, /showWarningMessage\(vscode\.l10n\.t\('Deleted \{0\} rows from \{1\}\.', n, String\(name\)\)\)/);
    assert.match(adapter.text, /const again = vscode\.l10n\.t\('Try Again'\)/);
    assert.match(adapter.text, /choice === vscode\.l10n\.t\('Try Again'\)/, 'a comparison with a localised button must compare localised text');
    assert.match(adapter.text, /item\.tooltip = vscode\.l10n\.t\('Open \{0\}', String\(name\)\)/);
    assert.match(adapter.text, /'defender\.id'\)/);
    assert.match(adapter.text, /console\.log\('Log lines stay English'\)/);
    assert.match(pure.text, /^import \{ l10n \} from '\.\.\/core\/l10n';$/m);
    assert.match(pure.text, /new DefenderToolError\('bad', l10n\.t\('Something went wrong\.'\)\)/);
    assert.match(pure.text, /description: on \? l10n\.t\('on now'\) : l10n\.t\('off now'\)/);
    assert.match(pure.text, /label: 'Not user text'/);
    assert.match(pure.text, /\{ value: 'P1D', get label\(\) \{ return l10n\.t\('Last day'\); \} \}/, 'module-level text must be read after activation');
    assert.match(pure.text, /case 'tunnel': return l10n\.t\('tunnel'\); default: return l10n\.t\('local'\);/, 'a switch over ids stays as it is');

    program = tool.createProgram([ADAPTER, PURE], { [ADAPTER]: adapter.text, [PURE]: pure.text });
    assert.deepStrictEqual(tool.findBypasses(program, [ADAPTER, PURE]), []);
    assert.strictEqual(tool.rewriteFile(program, ADAPTER).text, adapter.text);
    assert.strictEqual(tool.rewriteFile(program, PURE).text, pure.text);
    const bundle = tool.extractBundle(program, [ADAPTER, PURE]);
    for (const m of ['Hello there.', 'Deleted {0} rows from {1}.', 'Try Again', 'Something went wrong.', 'on now']) assert.strictEqual(bundle[m], m);
  });

  it('refuses an l10n.t whose message is not a literal, and a comparison with the English of a localised button', () => {
    const src = [
      "import * as vscode from 'vscode';",
      'export const f = (m: string) => vscode.l10n.t(m);',
      "export const g = async () => (await vscode.window.showErrorMessage(vscode.l10n.t('Failed.'), vscode.l10n.t('Show Log'))) === 'Show Log';",
      '',
    ].join('\n');
    const program = tool.createProgram([ADAPTER], { [ADAPTER]: src });
    const found = tool.findBypasses(program, [ADAPTER]).join('\n');
    assert.match(found, /l10nProbe\.ts:2: l10n\.t needs a literal message/);
    assert.match(found, /l10nProbe\.ts:3: compares with 'Show Log'/);
    const early = "import { l10n } from '../core/l10n';\nexport const TOO_EARLY = l10n.t('Loaded before activation');\n";
    const pureProgram = tool.createProgram([PURE], { [PURE]: early });
    assert.match(tool.findBypasses(pureProgram, [PURE]).join('\n'), /l10nProbe\.ts:2: l10n\.t at module load/);
  });

  it('tells prose from ids, codes, icons and URLs', () => {
    for (const t of ['Retry', 'Open File', '$(play) Run query', 'not active', 'Started']) assert.ok(tool.isProse(t), t);
    for (const t of ['csv', 'defenderTroubleshooting.devices', '$(refresh)', 'https://security.microsoft.com', ' · ', '{0}/{1}']) assert.ok(!tool.isProse(t), t);
  });

  it('manifest: reports a raw title and an unused key; the migration moves text to %key% idempotently', () => {
    const pkg = {
      l10n: './l10n',
      contributes: {
        commands: [{ command: 'ns.hunting.run', title: 'Run Hunting Query', category: 'Defender' }],
        configuration: { title: 'Defender', properties: { 'ns.a': { type: 'string', enum: ['x', 'y'], enumDescriptions: ['Ex', 'Why'], markdownDescription: 'About *a*.' } } },
      },
    };
    const problems = tool.checkManifest(pkg, { stale: 'Old' });
    assert.ok(problems.some((p) => /"Run Hunting Query" is not localised .*%command\.ns\.hunting\.run\.title%/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /key stale is not used/.test(p)), problems.join('\n'));
    const nls = tool.migrateManifest(pkg, { stale: 'Old' });
    assert.deepStrictEqual(nls, {
      'command.ns.hunting.run.title': 'Run Hunting Query',
      'category.Defender': 'Defender',
      'configuration.title': 'Defender',
      'config.ns.a.markdownDescription': 'About *a*.',
      'config.ns.a.enumDescriptions.x': 'Ex',
      'config.ns.a.enumDescriptions.y': 'Why',
    });
    assert.strictEqual(pkg.contributes.commands[0]!.title, '%command.ns.hunting.run.title%');
    assert.deepStrictEqual(tool.checkManifest(pkg, nls), []);
    const before = JSON.stringify(pkg);
    assert.deepStrictEqual(tool.migrateManifest(pkg, nls), nls);
    assert.strictEqual(JSON.stringify(pkg), before);
    assert.strictEqual(tool.resolveManifest(pkg, nls).contributes.commands[0].category, 'Defender');
  });
});

describe('localisation of the webviews: results grid, event list, performance report (unit)', function () {
  this.timeout(180_000);
  before(loadTool);
  afterEach(() => setTranslator(undefined));

  const WEBVIEW = path.join(root, 'src', 'webview-ui', 'toolkit', 'l10nProbe.ts');
  const webviewSource = [
    "import { l10n } from '../../core/l10n';",
    "const el = document.createElement('div');",
    "el.textContent = 'Hello there';",
    "el.setAttribute('aria-label', 'Close the panel');",
    "el.appendChild(document.createTextNode('Loading rows'));",
    'export const markup = `<button id="copy" title="Copy the rows">Copy</button>`;',
    "el.title = `Sort by ${el.id}`;",
    "el.textContent += ' · selected';",
    "el.className = 'Not Text'; el.setAttribute('role', 'Grid'); el.dataset.code = 'More Code';",
    "export const ok = `<button title=\"${l10n.t('Save')}\">${l10n.t('Save')}</button>`;",
    "el.textContent = l10n.t('Fine at load: the page installs the bundle first');",
    '',
  ].join('\n');

  it('scans src/webview-ui/ and reports DOM text, attributes and markup that bypass l10n.t', () => {
    assert.ok(tool.sourceFiles().some((f) => f.endsWith(path.join('webview-ui', 'toolkit', 'grid.ts'))), 'the grid is scanned');
    assert.ok(tool.sourceFiles().some((f) => f.endsWith(path.join('webview-ui', 'report', 'main.ts'))), 'the performance report is scanned');
    const program = tool.createProgram([WEBVIEW], { [WEBVIEW]: webviewSource });
    const found = tool.findBypasses(program, [WEBVIEW]);
    const lines = found.map((f) => Number(f.split(':')[1])).sort((a, b) => a - b);
    assert.deepStrictEqual(lines, [3, 4, 5, 6, 6, 7, 8], found.join('\n'));
    assert.ok(found.some((f) => /text in HTML markup: "Copy the rows"/.test(f)), found.join('\n'));
    assert.ok(!found.some((f) => /Not Text|Grid|More Code|module load/.test(f)), found.join('\n'));
  });

  it('rewrites webview text into l10n.t calls (at module load too: the page installs the bundle first)', () => {
    const program = tool.createProgram([WEBVIEW], { [WEBVIEW]: webviewSource });
    const r = tool.rewriteFile(program, WEBVIEW);
    assert.match(r.text, /el\.textContent = l10n\.t\('Hello there'\);/);
    assert.match(r.text, /el\.setAttribute\('aria-label', l10n\.t\('Close the panel'\)\);/);
    assert.match(r.text, /el\.title = l10n\.t\('Sort by \{0\}', el\.id\);/);
    // Markup is rewritten by a person (the text goes in through a placeholder): it stays reported.
    const again = tool.createProgram([WEBVIEW], { [WEBVIEW]: r.text });
    assert.deepStrictEqual(tool.findBypasses(again, [WEBVIEW]).map((f) => Number(f.split(':')[1])), [6, 6]);
  });

  it('every panel in src/ hands the webview its translations (l10nBundle: vscode.l10n.bundle)', () => {
    const calls: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.includes(`${path.sep}webview-ui${path.sep}`)) {
          const text = fs.readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\b(renderPage|renderGridHtml|renderResultsHtml)\(\{([\s\S]*?)\}\)/g)) {
            calls.push(`${path.relative(root, p)}: ${m[1]}`);
            assert.match(m[2]!, /l10nBundle: vscode\.l10n\.bundle/, `${path.relative(root, p)}: ${m[1]}() without l10nBundle: vscode.l10n.bundle`);
          }
        }
      }
    };
    walk(path.join(root, 'src'));
    assert.ok(calls.length >= 3, `expected the results grid, the event list and the performance report: ${calls.join(', ')}`);
  });

  it('each page script installs the bundle before anything else', () => {
    for (const f of ['src/webview-ui/toolkit/grid.ts', 'src/webview-ui/report/main.ts']) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      const install = text.indexOf('\ninstallWebviewL10n();');
      assert.ok(install > 0, `${f} must call installWebviewL10n() at the top`);
      const firstText = text.search(/\nconst vscode = acquireVsCodeApi\(\);/);
      assert.ok(firstText > install, `${f}: installWebviewL10n() must come before the page starts`);
    }
  });

  it('the page carries the bundle and the webview translates with it; English without one', () => {
    const page = renderGridHtml({ cspSource: 'vscode-resource:', scriptUri: 'x.js', nonce: 'bm9uY2U=', title: 'T', label: 'L', l10nBundle: { Copy: 'Kopieren', 'Loading {0} / {1} rows…': 'Lade {0} / {1} Zeilen…', '</script><b>': 'x' } });
    const block = new RegExp(`<script type="application/json" id="${L10N_BUNDLE_ID}" nonce="bm9uY2U=">([^<]*)</script>`).exec(page);
    assert.ok(block, 'the bundle block, nonce\'d, with no "<" inside');
    const fakeDocument = { getElementById: (id: string) => (id === L10N_BUNDLE_ID ? ({ textContent: block[1]! } as HTMLElement) : null) };
    assert.strictEqual(installWebviewL10n(fakeDocument), 3);
    assert.strictEqual(l10n.t('Copy'), 'Kopieren');
    assert.strictEqual(l10n.t('Loading {0} / {1} rows…', '1', '2'), 'Lade 1 / 2 Zeilen…');
    setTranslator(undefined);
    const english = renderPage({ cspSource: 's', scriptUri: 'x.js', nonce: 'n', title: 'T', css: '', body: '' });
    const empty = { getElementById: () => ({ textContent: /id="l10n-bundle" nonce="n">([^<]*)</.exec(english)![1]! }) as unknown as HTMLElement };
    assert.strictEqual(installWebviewL10n(empty), 0);
    assert.strictEqual(l10n.t('Copy'), 'Copy');
    // The grid page's own texts come from l10n.t on the host side.
    assert.match(page, />Copy<\/button>/);
  });
});

describe('core/l10n for pure modules (unit)', () => {
  afterEach(() => setTranslator(undefined));

  it('formats English like vscode.l10n.t when no translator is installed', () => {
    assert.strictEqual(l10n.t('Plain {text} stays'), 'Plain {text} stays');
    assert.strictEqual(l10n.t('Ends in {0} ({1}, {0})', '2h', 3), 'Ends in 2h (3, 2h)');
    assert.strictEqual(l10n.t('Hello {name}', { name: 'Ana' }), 'Hello Ana');
    assert.strictEqual(formatMessage('{0} and {1}', ['a']), 'a and {1}');
  });

  it('uses the installed translator (every bundled copy shares it through globalThis)', () => {
    setTranslator(translatorFromBundle({ 'Ends in {0}': 'Endet in {0}', 'Hi/greeting': { message: 'Hallo', comment: ['greeting'] } }));
    assert.strictEqual(l10n.t('Ends in {0}', '2h'), 'Endet in 2h');
    assert.strictEqual(l10n.t('Not translated {0}', 1), 'Not translated 1');
    setTranslator(undefined);
    assert.strictEqual(l10n.t('Ends in {0}', '2h'), 'Ends in 2h');
  });
});
