import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandIds, ContextKeys, NS, SettingIds, ViewIds } from '../../../src/constants';
import { RESULTS_VIEW_TYPE } from '../../../src/webview-ui/results/protocol';

const root = path.resolve(__dirname, '..', '..', '..');
const nlsPath = path.join(root, 'package.nls.json');
const nls: Record<string, string> = fs.existsSync(nlsPath) ? JSON.parse(fs.readFileSync(nlsPath, 'utf8')) : {};
/** package.json as VS Code shows it in English: `%key%` values resolved from package.nls.json (test/unit/foundation/l10n.test.ts checks the keys). */
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'), (_key, v: unknown) =>
  typeof v === 'string' && /^%[^%\s]+%$/.test(v) && v.slice(1, -1) in nls ? nls[v.slice(1, -1)] : v,
);
const contributes = pkg.contributes;

/** Context keys VS Code defines itself, allowed in `when` clauses. */
const BUILT_IN_KEYS = new Set(['view', 'viewItem', 'resourceLangId', 'editorLangId', 'isWorkspaceTrusted', 'isWindows', 'editorTextFocus', 'resourceExtname', 'activeWebviewPanelId', 'editorHasSelection', 'false', 'true', 'remoteName', 'webviewId', 'resourceScheme']);

function whenClauses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(contributes.menus ?? {}) as { when?: string }[][]) for (const m of list) if (m.when) out.push(m.when);
  for (const w of contributes.viewsWelcome ?? []) if (w.when) out.push(w.when);
  for (const c of contributes.commands ?? []) if (c.enablement) out.push(c.enablement);
  for (const k of contributes.keybindings ?? []) if (k.when) out.push(k.when);
  return out;
}

describe('manifest (unit)', () => {
  it('targets a VS Code our CI can run, with matching @types/vscode', () => {
    assert.strictEqual(pkg.engines.vscode, '^1.100.0');
    const types = pkg.devDependencies['@types/vscode'] as string;
    assert.match(types, /^~?1\.100\./, `@types/vscode ${types} must match engines.vscode`);
  });

  it('keeps activation implicit and runs on the workspace side (the remote device under Remote-SSH)', () => {
    // The one explicit event VS Code does not imply: restoring the results panel after a reload needs it.
    const explicit = (pkg.activationEvents ?? []) as string[];
    assert.deepStrictEqual(explicit.filter((e) => !/^onWebviewPanel:/.test(e)), [], 'activationEvents should stay implicit');
    const serializer = fs.readFileSync(path.join(root, 'src', 'hunting', 'index.ts'), 'utf8');
    assert.match(serializer, /registerWebviewPanelSerializer\(RESULTS_VIEW_TYPE/);
    assert.deepStrictEqual(explicit, [`onWebviewPanel:${RESULTS_VIEW_TYPE}`]);
    assert.deepStrictEqual(pkg.extensionKind, ['workspace']);
  });

  it('declares limited untrusted-workspace support and restricts every executable setting', () => {
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.strictEqual(u.supported, 'limited');
    assert.ok(u.description.length > 20);
    const props = contributes.configuration.properties as Record<string, { scope?: string }>;
    const executableSettings = Object.keys(props).filter((k) => /\.(path|executable)$/.test(k));
    assert.ok(executableSettings.includes(SettingIds.powershellPath));
    for (const k of executableSettings) {
      assert.ok(u.restrictedConfigurations.includes(k), `${k} names an executable but is not restricted`);
      assert.ok(['machine', 'machine-overridable'].includes(props[k]?.scope ?? ''), `${k} should be machine-scoped`);
    }
  });

  it('has a Defender container with Devices and Sessions views, each with an icon and welcome content', () => {
    assert.deepStrictEqual(contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id), [NS]);
    const views = contributes.views[NS] as { id: string; icon?: string }[];
    assert.deepStrictEqual(views.map((v) => v.id), [ViewIds.devices, ViewIds.sessions]);
    for (const v of views) {
      assert.ok(v.icon && fs.existsSync(path.join(root, v.icon)), `view ${v.id} needs an icon file`);
      assert.ok(contributes.viewsWelcome.some((w: { view: string }) => w.view === v.id), `view ${v.id} has no welcome content`);
    }
  });

  it('links welcome content only to contributed commands', () => {
    const commands = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const w of contributes.viewsWelcome) {
      for (const m of (w.contents as string).matchAll(/\(command:([\w.]+)/g)) {
        assert.ok(commands.has(m[1]), `welcome link to unknown command ${m[1]}`);
      }
    }
  });

  it('gives every command the Defender category, and an icon where it sits in a view title or inline', () => {
    const byId = new Map(contributes.commands.map((c: { command: string }) => [c.command, c]));
    for (const c of contributes.commands) {
      assert.ok(c.command.startsWith(`${NS}.`), `${c.command} is outside the namespace`);
      assert.strictEqual(c.category, 'Defender', `${c.command} has no category`);
    }
    for (const [menu, items] of Object.entries(contributes.menus) as [string, { command: string; group?: string }[]][]) {
      for (const item of items) {
        const cmd = byId.get(item.command) as { icon?: string } | undefined;
        assert.ok(cmd, `${menu} refers to unknown command ${item.command}`);
        if (menu === 'view/title' || item.group?.startsWith('inline')) assert.ok(cmd.icon, `${item.command} needs an icon in ${menu}`);
      }
    }
  });

  it('contributes every command id the code declares in CommandIds', () => {
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const id of Object.values(CommandIds)) assert.ok(contributed.has(id), `CommandIds has ${id} but package.json does not contribute it`);
  });

  it('uses only known context keys in when clauses', () => {
    const known = new Set<string>(Object.values(ContextKeys));
    for (const raw of whenClauses()) {
      // Regex literals (`viewItem =~ /\btoken\b/`) and quoted strings are values, not keys.
      const clause = raw.replace(/=~\s*\/(?:\\.|[^/])*\/[a-z]*/g, '').replace(/'[^']*'|"[^"]*"/g, '');
      for (const m of clause.matchAll(/(?<![\w.'"/])([A-Za-z][\w.]*)(?=\s*(?:==|!=|=~|&&|\|\||$|\)|\s))/g)) {
        const key = m[1];
        if (key.startsWith(`${NS}.`) && !known.has(key)) {
          // Ids of our own views/commands compared against `view ==` are values, not keys.
          const isValue = new RegExp(`(view|viewItem|activeWebviewPanelId|webviewId)\\s*==\\s*${key.replace(/\./g, '\\.')}`).test(clause);
          assert.ok(isValue, `unknown context key ${key} in "${clause}"`);
        } else if (!key.startsWith(`${NS}.`)) {
          assert.ok(BUILT_IN_KEYS.has(key) || /^(config|resource|editor|view|explorer|terminal)/.test(key), `unknown context key ${key} in "${clause}"`);
        }
      }
    }
  });

  it('documents every setting with a markdownDescription, a typed default and an order', () => {
    const props = contributes.configuration.properties as Record<string, { type: string | string[]; default: unknown; markdownDescription?: string; order?: number }>;
    assert.ok(Object.keys(props).length > 0);
    for (const [key, p] of Object.entries(props)) {
      assert.ok(key.startsWith(`${NS}.`), `${key} is outside the namespace`);
      assert.ok(p.markdownDescription && p.markdownDescription.length > 20, `${key} needs a markdownDescription`);
      assert.ok('default' in p, `${key} needs a default`);
      const types = Array.isArray(p.type) ? p.type : [p.type];
      const actual = p.default === null ? 'null' : Array.isArray(p.default) ? 'array' : typeof p.default === 'number' ? (Number.isInteger(p.default) ? 'integer' : 'number') : typeof p.default;
      assert.ok(types.includes(actual) || (actual === 'integer' && types.includes('number')), `${key}: default ${JSON.stringify(p.default)} is not ${types.join('|')}`);
      assert.strictEqual(typeof p.order, 'number', `${key} needs an order`);
    }
  });

  it('documents every setting in the README', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const key of Object.keys(contributes.configuration.properties)) assert.ok(readme.includes(`\`${key}\``), `README does not document ${key}`);
  });

  it('contributes the kql language with grammar and snippets from syntaxes/ and snippets/', () => {
    const kql = contributes.languages.find((l: { id: string }) => l.id === 'kql');
    assert.deepStrictEqual(kql.extensions.sort(), ['.csl', '.kql']);
    const grammar = contributes.grammars.find((g: { language: string }) => g.language === 'kql');
    assert.match(grammar.path, /^\.\/syntaxes\//);
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8')).scopeName, grammar.scopeName);
    const snippets = contributes.snippets.find((s: { language: string }) => s.language === 'kql');
    assert.match(snippets.path, /^\.\/snippets\//);
    assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(root, snippets.path), 'utf8')));
    assert.ok(fs.existsSync(path.join(root, kql.configuration)));
  });

  it('has what the Marketplace needs: icon, license, README, CHANGELOG', () => {
    for (const f of [pkg.icon, 'LICENSE', 'README.md', 'CHANGELOG.md']) assert.ok(fs.existsSync(path.join(root, f)), `${f} missing`);
    const png = fs.readFileSync(path.join(root, pkg.icon));
    assert.strictEqual(png.readUInt32BE(16), 128, 'icon is 128 px wide');
    assert.strictEqual(png.readUInt32BE(20), 128, 'icon is 128 px high');
  });
});

describe('walkthrough (unit)', () => {
  it('has steps whose media exist and whose commands are contributed', () => {
    const commands = new Set(contributes.commands.map((c: { command: string }) => c.command));
    const keys = new Set<string>(Object.values(ContextKeys));
    const [walkthrough] = contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 4);
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(path.join(root, step.media.markdown)), `${step.id}: ${step.media.markdown} missing`);
      for (const m of (step.description as string).matchAll(/\(command:([\w.]+)/g)) assert.ok(commands.has(m[1]), `${step.id} links to unknown ${m[1]}`);
      for (const ev of step.completionEvents as string[]) {
        const [kind, id] = ev.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(id), `${step.id}: ${ev} names an unknown command`);
        if (kind === 'onContext') assert.ok(keys.has(id), `${step.id}: ${ev} names an unknown context key`);
        if (kind === 'onView') assert.ok(Object.values(ViewIds).includes(id as never), `${step.id}: ${ev} names an unknown view`);
      }
    }
  });
});

describe('snippet hints in the docs (unit)', () => {
  it('tells users to type a prefix that the troubleshooting snippets really have', () => {
    const snippets = JSON.parse(fs.readFileSync(path.join(root, 'snippets', 'kql.code-snippets'), 'utf8')) as Record<string, { prefix: string | string[] }>;
    const prefixes = Object.values(snippets).flatMap((s) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
    const texts = [
      fs.readFileSync(path.join(root, 'README.md'), 'utf8'),
      fs.readFileSync(path.join(root, 'media', 'walkthrough', 'kql.md'), 'utf8'),
      fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8'),
      JSON.stringify(contributes.viewsWelcome),
    ];
    const hints = texts.flatMap((t) => [...t.matchAll(/[Tt]ype [`"\\]*([\w-]+)[`"\\]* (?:for|to see|in a)/g)].map((m) => m[1]));
    assert.ok(hints.length >= 4, `found hints: ${hints.join(', ')}`);
    for (const hint of hints) {
      assert.ok(prefixes.filter((p) => p.startsWith(hint)).length >= 4, `"${hint}" starts too few snippet prefixes (${prefixes.join(', ')})`);
    }
  });
});
