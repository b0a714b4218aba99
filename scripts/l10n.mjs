#!/usr/bin/env node
// Localisation codemod and checker (issue 11). Re-runnable and idempotent:
//
//   node scripts/l10n.mjs            migrate: package.json strings -> package.nls.json (%key%), wrap user-facing
//                                    literals in src/ in l10n.t(...), write l10n/bundle.l10n.json
//   node scripts/l10n.mjs --check    change nothing; list what is not localised; exit 1 if anything is
//
// test/unit/foundation/l10n.test.ts runs the same checks (checkManifest, findBypasses, extractBundle).
//
// Sources. A "sink" is a place whose string reaches the user (see SINK RULES below). A raw string literal,
// template or concatenation in a sink is a bypass; the codemod wraps it:
//   'Text'                 -> vscode.l10n.t('Text')                      (files that import * as vscode)
//   `Ends in ${d} (${n})`  -> l10n.t('Ends in {0} ({1})', d, String(n))  (pure modules: l10n from src/core/l10n)
// Arguments that are not string/number/boolean are passed through String(), which is what the template did.
// Text that is not user-facing but matches a rule: put `// l10n-ignore` on the line (or the line above).
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------------------------------

const NLS_REF = /^%([^%\s]+)%$/;

/**
 * Every user-facing string of package.json with its stable key: [holder object, property, key] (for arrays
 * the property is the index). Keys derive from ids, never from positions, except welcome content (per view).
 */
export function manifestStrings(pkg) {
  const out = [];
  const add = (obj, prop, key) => {
    if (obj && typeof obj[prop] === 'string') out.push({ obj, prop, key });
  };
  const c = pkg.contributes ?? {};
  for (const prop of ['description', 'markdownDescription']) {
    for (const kind of ['untrustedWorkspaces', 'virtualWorkspaces']) add(pkg.capabilities?.[kind], prop, `capabilities.${kind}.${prop}`);
  }
  for (const [where, list] of Object.entries(c.viewsContainers ?? {})) {
    for (const v of list) add(v, 'title', `viewsContainers.${where}.${v.id}.title`);
  }
  for (const list of Object.values(c.views ?? {})) {
    for (const v of list) {
      add(v, 'name', `view.${v.id}.name`);
      add(v, 'contextualTitle', `view.${v.id}.contextualTitle`);
    }
  }
  const welcomeCount = new Map();
  for (const w of c.viewsWelcome ?? []) {
    const n = welcomeCount.get(w.view) ?? 0;
    welcomeCount.set(w.view, n + 1);
    add(w, 'contents', `viewsWelcome.${w.view}.${n}.contents`);
  }
  for (const cmd of c.commands ?? []) {
    add(cmd, 'title', `command.${cmd.command}.title`);
    add(cmd, 'shortTitle', `command.${cmd.command}.shortTitle`);
    if (typeof cmd.category === 'string' && !NLS_REF.test(cmd.category)) {
      add(cmd, 'category', `category.${cmd.category.replace(/[^A-Za-z0-9]+/g, '')}`);
    } else add(cmd, 'category', cmd.category?.replace(/%/g, ''));
  }
  for (const s of c.submenus ?? []) add(s, 'label', `submenu.${s.id}.label`);
  const configs = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
  configs.forEach((conf, i) => {
    add(conf, 'title', configs.length > 1 ? `configuration.${conf.id ?? i}.title` : 'configuration.title');
    for (const [key, p] of Object.entries(conf.properties ?? {})) {
      for (const prop of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage']) add(p, prop, `config.${key}.${prop}`);
      for (const prop of ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels']) {
        (p[prop] ?? []).forEach((_, i) => add(p[prop], i, `config.${key}.${prop}.${p.enum?.[i] ?? i}`));
      }
    }
  });
  for (const w of c.walkthroughs ?? []) {
    add(w, 'title', `walkthrough.${w.id}.title`);
    add(w, 'description', `walkthrough.${w.id}.description`);
    for (const s of w.steps ?? []) {
      add(s, 'title', `walkthrough.${w.id}.step.${s.id}.title`);
      add(s, 'description', `walkthrough.${w.id}.step.${s.id}.description`);
      add(s.media, 'altText', `walkthrough.${w.id}.step.${s.id}.altText`);
    }
  }
  return out;
}

/** Moves raw manifest strings into the nls table; keeps %key% values; drops keys nothing refers to. */
export function migrateManifest(pkg, nls) {
  const next = {};
  for (const { obj, prop, key } of manifestStrings(pkg)) {
    const value = obj[prop];
    const ref = NLS_REF.exec(value);
    if (ref) {
      if (ref[1] in nls) next[ref[1]] = nls[ref[1]];
      continue;
    }
    next[key] = value;
    obj[prop] = `%${key}%`;
  }
  if (pkg.l10n === undefined) pkg.l10n = './l10n';
  return next;
}

/** Problems: raw user-facing strings, %key% without an entry, entries nothing refers to. */
export function checkManifest(pkg, nls) {
  const problems = [];
  const used = new Set();
  for (const { obj, prop, key } of manifestStrings(pkg)) {
    const ref = NLS_REF.exec(obj[prop]);
    if (!ref) problems.push(`package.json: ${JSON.stringify(String(obj[prop]).slice(0, 60))} is not localised (expected "%${key}%" with the text in package.nls.json)`);
    else if (!(ref[1] in nls)) problems.push(`package.json: %${ref[1]}% has no entry in package.nls.json`);
    else used.add(ref[1]);
  }
  for (const k of Object.keys(nls)) if (!used.has(k)) problems.push(`package.nls.json: key ${k} is not used by package.json`);
  if (pkg.l10n !== './l10n') problems.push('package.json: "l10n" must be "./l10n"');
  return problems;
}

/** Resolves %key% references (what VS Code shows in English). */
export function resolveManifest(pkg, nls) {
  return JSON.parse(JSON.stringify(pkg), (_k, v) => (typeof v === 'string' && NLS_REF.test(v) && NLS_REF.exec(v)[1] in nls ? nls[NLS_REF.exec(v)[1]] : v));
}

// ---------------------------------------------------------------------------------------------------------
// Sources: SINK RULES
// ---------------------------------------------------------------------------------------------------------

/** Not scanned: generated schema data and the translators themselves. */
const EXCLUDED = [/^src\/kql\/schema\//, /^src\/core\/l10n\.ts$/, /^src\/infra\/l10n\.ts$/, /^src\/webview-ui\/toolkit\/l10n\.ts$/];
/**
 * Browser code of the webviews. Their page script installs the host's translations (installWebviewL10n, from the
 * bundle renderPage puts in the page) before it runs anything else, so l10n.t at module load is fine there.
 */
const WEBVIEW = /[\\/]src[\\/]webview-ui[\\/]/;
/** DOM properties (webviews) whose text the user reads or hears. */
const DOM_ASSIGNED = new Set(['textContent', 'innerText', 'placeholder', 'ariaLabel', 'ariaDescription', 'alt']);
/** setAttribute(name, text): attributes the user reads or hears. */
const DOM_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-placeholder', 'aria-valuetext', 'title', 'placeholder', 'alt']);
/** Attributes in HTML markup (a string or template with tags) whose value the user reads or hears. */
const MARKUP_ATTRIBUTE = /\b(title|placeholder|alt|aria-label|aria-description|aria-roledescription)="([^"]*)"/g;
/** vscode API calls whose every string argument reaches the user. */
const MESSAGE_FUNCTIONS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage']);
/** vscode API calls: argument index that is user-facing. */
const VSCODE_ARG_SINKS = new Map(Object.entries({ setStatusBarMessage: [0], TreeItem: [0], createWebviewPanel: [1], MarkdownString: [0], showQuickPick: [0] }));
/** Object-literal properties (any file) that are shown to the user. */
const USER_PROPS = new Set(['label', 'text', 'description', 'detail', 'tooltip', 'title', 'placeHolder', 'placeholder', 'prompt', 'summary', 'reason', 'message', 'scenario']);
/** `x.<prop> = ...` assignments that are shown to the user (StatusBarItem, TreeItem, webview panels...). */
const USER_ASSIGNED = new Set([...USER_PROPS, 'text', 'accessibilityInformation']);
/** Parameters (of functions declared in src/) whose argument is shown to the user. */
const USER_PARAMS = new Set(['message', 'text', 'label', 'title', 'summary', 'reason', 'detail', 'description', 'tooltip', 'what', 'prompt']);
/** Never sinks: log lines stay English (they are for support), and so do thrown internal errors' callers' logs. */
const LOGGER_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'appendLine', 'append', 'log']);

const isL10nCall = (node) =>
  ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 't' &&
  (/^(vscode\.)?l10n$/.test(node.expression.expression.getText()));

function isLoggerCall(call) {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return /^(log|logger)$/i.test(callee.text);
  if (!ts.isPropertyAccessExpression(callee) || !LOGGER_METHODS.has(callee.name.text)) return false;
  return /(log|console|channel|output)\w*$/i.test(callee.expression.getText());
}

/**
 * True when the text is prose a user reads (not an id, code, icon name, URL or separator). Placeholders of
 * templates appear as {0}, {1}... Single lowercase words ('yes', 'csv') are not taken for prose: wrap them by hand.
 */
export function isProse(text) {
  const t = text.replace(/\$\([\w~-]+\)/g, '').trim();
  if (!/\p{L}/u.test(t.replace(/\{\d+\}/g, ''))) return false;
  if (/^https?:\/\//.test(t)) return false;
  if (/\s/.test(t)) return true;
  if (/^[\w{}]*[./:#_-][\w{}./:#_-]*$/.test(t)) return false; // ids, paths, setting keys
  if (/\{\d+\}/.test(t)) return true; // words next to a value: 'active{0}'
  return /^\p{Lu}/u.test(t);
}

const staticText = (node) => {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s, i) => `{${i}}${s.literal.text}`).join('');
  return undefined;
};

function flattenConcat(node, parts = []) {
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    flattenConcat(node.left, parts);
    flattenConcat(node.right, parts);
  } else if (ts.isParenthesizedExpression(node) && ts.isBinaryExpression(node.expression) && node.expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    flattenConcat(node.expression, parts);
  } else parts.push(node);
  return parts;
}

const isConcatWithText = (node) =>
  ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken &&
  flattenConcat(node).some((p) => (ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p) || ts.isTemplateExpression(p)));

function ignored(sf, node) {
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const lines = sf.text.split('\n');
  return /l10n-ignore/.test(lines[line] ?? '') || /^\s*\/\/.*l10n-ignore/.test(lines[line - 1] ?? '');
}

/**
 * Expands an expression in a sink position to the text leaves it may produce: literals, templates and
 * concatenations (bypasses unless prose-free), through conditionals, `??`/`||`, arrays, spreads and consts.
 */
function expandSink(expr, checker, leaves, seen) {
  if (!expr || seen.has(expr)) return;
  seen.add(expr);
  if (isL10nCall(expr)) return;
  if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr) || ts.isSatisfiesExpression?.(expr)) {
    expandSink(expr.expression, checker, leaves, seen);
  } else if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr) || ts.isTemplateExpression(expr) || isConcatWithText(expr)) {
    leaves.push(expr);
  } else if (ts.isConditionalExpression(expr)) {
    expandSink(expr.whenTrue, checker, leaves, seen);
    expandSink(expr.whenFalse, checker, leaves, seen);
  } else if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(expr.operatorToken.kind)) {
    expandSink(expr.left, checker, leaves, seen);
    expandSink(expr.right, checker, leaves, seen);
  } else if (ts.isArrayLiteralExpression(expr)) {
    for (const e of expr.elements) expandSink(e, checker, leaves, seen);
  } else if (ts.isSpreadElement(expr)) {
    expandSink(expr.expression, checker, leaves, seen);
  } else if (ts.isIdentifier(expr) && checker) {
    const sym = checker.getSymbolAtLocation(expr);
    const decl = sym?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) {
      expandSink(decl.initializer, checker, leaves, seen);
    }
  }
}

function calleeName(call) {
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isIdentifier(e)) return e.text;
  return undefined;
}

/** An identifier bound to `vscode.window.showXxxMessage` (e.g. `const show = ok ? a.showInformationMessage : ...`). */
function isMessageFunctionAlias(call, checker) {
  if (!checker || !ts.isIdentifier(call.expression)) return false;
  const decl = checker.getSymbolAtLocation(call.expression)?.valueDeclaration;
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && /\.show(Information|Warning|Error)Message\b/.test(decl.initializer.getText());
}

const inSrc = (fileName) => /[\\/]src[\\/]/.test(fileName) && !/node_modules/.test(fileName);

/** True outside any function: runs when the module loads, before activation installs the translator. */
export function atModuleLoad(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) || ts.isClassStaticBlockDeclaration?.(n)) return false;
    if (ts.isPropertyDeclaration(n) && !n.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return false;
  }
  return true;
}

/** Sink expressions of one source file: { node, rule }. */
export function collectSinks(sf, checker) {
  const sinks = [];
  const seen = new Set();
  const push = (expr, rule, loose = false) => {
    const leaves = [];
    expandSink(expr, checker, leaves, seen);
    for (const node of leaves) if (!ignored(sf, node)) sinks.push({ node, rule, loose });
  };
  const visit = (node) => {
    if (isL10nCall(node)) return; // arguments of l10n.t are placeholders, not messages
    // Functions tagged `@l10n` in their doc comment return user text: their returns and `.push(...)`es are sinks.
    if (ts.isReturnStatement(node) && node.expression && l10nTagged(node)) push(node.expression, 'return of an @l10n function', true);
    if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && hasL10nTag(node)) push(node.body, 'result of an @l10n function', true);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'push' && l10nTagged(node)) {
      for (const a of node.arguments) push(a, 'push() in an @l10n function', true);
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && !(ts.isCallExpression(node) && isLoggerCall(node))) {
      const name = calleeName(node) ?? (ts.isNewExpression(node) && ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined);
      const args = node.arguments ?? [];
      if (name && (MESSAGE_FUNCTIONS.has(name) || isMessageFunctionAlias(node, checker))) {
        for (const a of args) if (!ts.isObjectLiteralExpression(a)) push(a, `${name ?? 'message'}()`);
      } else if (name === 'setAttribute' && args.length === 2 && ts.isStringLiteral(args[0]) && DOM_ATTRIBUTES.has(args[0].text)) {
        push(args[1], `setAttribute('${args[0].text}')`);
      } else if (name === 'createTextNode' && args[0]) {
        push(args[0], 'createTextNode()');
      } else if (name && VSCODE_ARG_SINKS.has(name) && /\bvscode\b|window\./.test(node.expression.getText())) {
        for (const i of VSCODE_ARG_SINKS.get(name)) if (args[i]) push(args[i], `${name}() argument ${i + 1}`);
      } else if (checker && args.length) {
        const sig = checker.getResolvedSignature(node);
        const decl = sig?.declaration;
        const file = decl?.getSourceFile?.().fileName ?? '';
        if (decl && inSrc(file) && !/[\\/](core|infra)[\\/](logger|l10n)\.ts$/.test(file)) {
          const params = sig.getParameters();
          args.forEach((a, i) => {
            const p = params[Math.min(i, params.length - 1)];
            const pDecl = p?.valueDeclaration;
            if (!p || (i >= params.length && !(pDecl && pDecl.dotDotDotToken))) return;
            if (USER_PARAMS.has(p.name)) push(a, `parameter '${p.name}' of ${name ?? 'call'}()`);
          });
        }
      }
    }
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && USER_PROPS.has(node.name.text)) {
      // Properties of objects handed to a logger are log text.
      const call = node.parent?.parent;
      if (!(call && ts.isCallExpression(call) && isLoggerCall(call))) push(node.initializer, `property '${node.name.text}'`);
    }
    if (
      ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken].includes(node.operatorToken.kind) &&
      ts.isPropertyAccessExpression(node.left) && (USER_ASSIGNED.has(node.left.name.text) || DOM_ASSIGNED.has(node.left.name.text))
    ) {
      push(node.right, `assignment to .${node.left.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sinks.filter(({ node, loose }) => {
    const text = ts.isBinaryExpression(node) ? flattenConcat(node).map((p) => staticText(p) ?? '{0}').join('') : staticText(node);
    if (text === undefined) return false;
    // In an @l10n function every word is user text ('on', 'local'), but not ids or URLs.
    return loose ? /\p{L}/u.test(text.replace(/\{\d+\}/g, '')) && !/^https?:/.test(text) && !/^[\w{}]*[./:#_-][\w{}./:#_-]*$/.test(text) : isProse(text);
  });
}

/** The function (or the const it is assigned to) has `@l10n` in its doc comment. */
function hasL10nTag(fn) {
  const holders = [fn, fn.parent, fn.parent?.parent?.parent].filter(Boolean);
  return holders.some((h) => ts.getJSDocTags(h).some((t) => t.tagName.text === 'l10n'));
}

/** Nearest enclosing function is tagged `@l10n`. */
function l10nTagged(node) {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return hasL10nTag(n);
  return false;
}

/** Comparisons against a literal equal to a localised text of the same file (`choice === 'Show Log'`). */
/**
 * A text in a position where it is a choice the code later compares with: a message's button, an item of an
 * array (quick pick items), a const (`const run = l10n.t('Run')`), an action's title.
 */
export function buttonLike(node, checker) {
  let n = node;
  while (n.parent && (ts.isConditionalExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (ts.isArrayLiteralExpression(p) || ts.isVariableDeclaration(p)) return true;
  if (ts.isPropertyAssignment(p) && ['title', 'label'].includes(p.name.getText())) return true;
  if (ts.isCallExpression(p) && p.arguments.indexOf(n) >= 1) {
    const name = calleeName(p);
    return !!name && (MESSAGE_FUNCTIONS.has(name) || isMessageFunctionAlias(p, checker));
  }
  return false;
}

function collectComparisons(sf, texts) {
  const out = [];
  const visit = (node) => {
    if (isL10nCall(node)) return;
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(node.operatorToken.kind)) {
      for (const side of [node.left, node.right]) if (ts.isStringLiteral(side) && texts.has(side.text)) out.push(side);
    }
    if (ts.isCaseClause(node) && ts.isStringLiteral(node.expression) && texts.has(node.expression.text)) out.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Messages of the l10n.t calls in a file (literal first argument); non-literal ones as problems. */
export function l10nCalls(sf) {
  const messages = [];
  const problems = [];
  const calls = [];
  const visit = (node) => {
    if (isL10nCall(node)) {
      calls.push(node);
      const a = node.arguments[0];
      if (a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) messages.push({ message: a.text, args: node.arguments.length - 1, node });
      else if (a && ts.isObjectLiteralExpression(a)) {
        const get = (n) => a.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === n)?.initializer;
        const m = get('message');
        const c = get('comment');
        if (m && ts.isStringLiteral(m)) {
          const comment = c && ts.isArrayLiteralExpression(c) ? c.elements.filter(ts.isStringLiteral).map((e) => e.text) : c && ts.isStringLiteral(c) ? [c.text] : [];
          messages.push({ message: m.text, comment });
        } else problems.push(node);
      } else problems.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { messages, problems, calls };
}

// ---------------------------------------------------------------------------------------------------------
// Program
// ---------------------------------------------------------------------------------------------------------

export function sourceFiles(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, 'src'));
  return out.sort().filter((f) => !EXCLUDED.some((re) => re.test(path.relative(root, f).split(path.sep).join('/'))));
}

/**
 * A type-checked program over src/ (the checker resolves which function is called and the types of
 * template placeholders). `overrides` maps absolute file names to text (tests check small bad sources).
 */
export function createProgram(files, overrides = {}, root = ROOT) {
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true, resolveJsonModule: true, types: ['node'], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], typeRoots: [path.join(root, 'node_modules', '@types')] };
  const host = ts.createCompilerHost(options, true);
  const read = host.readFile.bind(host);
  const getSf = host.getSourceFile.bind(host);
  host.readFile = (f) => (f in overrides ? overrides[f] : read(f));
  host.fileExists = ((exists) => (f) => f in overrides || exists(f))(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, onError, create) => (f in overrides ? ts.createSourceFile(f, overrides[f], lang, true) : getSf(f, lang, onError, create));
  return ts.createProgram([...new Set([...files, ...Object.keys(overrides)])], options, host);
}

const rel = (root, f) => path.relative(root, f).split(path.sep).join('/');

/** Every raw user-facing text in the given files (a type-checked program over them). */
export function findBypasses(program, files, root = ROOT) {
  const checker = program.getTypeChecker();
  const out = [];
  for (const f of files) {
    const sf = program.getSourceFile(f);
    if (!sf) continue;
    const where = (n) => `${rel(root, f)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    for (const { node, rule } of collectSinks(sf, checker)) out.push(`${where(node)}: ${rule}: ${node.getText(sf).slice(0, 80)} is not localised`);
    const { messages, problems, calls } = l10nCalls(sf);
    for (const p of problems) out.push(`${where(p)}: l10n.t needs a literal message (or { message, comment }) so it can be extracted`);
    if (WEBVIEW.test(f)) for (const { node, text } of markupTexts(sf)) out.push(`${where(node)}: text in HTML markup: ${JSON.stringify(text.slice(0, 60))} is not localised (put it in with \${escape(l10n.t('…'))})`);
    for (const c of calls) {
      if (!/^vscode\./.test(c.expression.getText(sf)) && !WEBVIEW.test(f) && atModuleLoad(c)) out.push(`${where(c)}: l10n.t at module load runs before activation installs the translator: call it inside a function`);
    }
    for (const lit of collectComparisons(sf, new Set(messages.filter((m) => !m.args && buttonLike(m.node, checker)).map((m) => m.message)))) {
      out.push(`${where(lit)}: compares with '${lit.text}', which this file shows localised: compare with l10n.t('${lit.text}')`);
    }
  }
  return out;
}

/**
 * Prose in HTML markup written as a string or template (a webview page's skeleton): text between tags and the values
 * of title, placeholder, alt and aria-* attributes. Placeholders (`${…}`) split the text, so a value put in with
 * `${escape(l10n.t('…'))}` is not reported.
 */
export function markupTexts(sf) {
  const out = [];
  const check = (node, raw) => {
    if (!/<\/?[a-z][\w-]*[\s>/]/i.test(raw) || ignored(sf, node)) return;
    for (const m of raw.matchAll(/>([^<>]*)</g)) if (isProse(m[1].trim())) out.push({ node, text: m[1].trim() });
    for (const m of raw.matchAll(MARKUP_ATTRIBUTE)) if (isProse(m[2])) out.push({ node, text: m[2] });
  };
  const visit = (node) => {
    if (isL10nCall(node)) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) check(node, node.text);
    else if (ts.isTemplateExpression(node)) {
      check(node, node.head.text);
      for (const span of node.templateSpans) check(span.literal, span.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The bundle (l10n/bundle.l10n.json) for the l10n.t calls of the given files: sorted, as @vscode/l10n-dev writes entries. */
export function extractBundle(program, files) {
  const bundle = {};
  for (const f of files) {
    const sf = program.getSourceFile(f);
    if (!sf) continue;
    for (const m of l10nCalls(sf).messages) {
      if (m.comment?.length) bundle[`${m.message}/${m.comment.join('')}`] = { message: m.message, comment: m.comment };
      else bundle[m.message] = m.message;
    }
  }
  return Object.fromEntries(Object.keys(bundle).sort().map((k) => [k, bundle[k]]));
}

// ---------------------------------------------------------------------------------------------------------
// Rewriting
// ---------------------------------------------------------------------------------------------------------

const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;

function isSafeArgType(checker, expr) {
  const type = checker.getTypeAtLocation(expr);
  const ok = (t) => (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) !== 0 && !(t.flags & ts.TypeFlags.Any);
  return type.isUnion() ? type.types.every(ok) : ok(type);
}

/** Returns the replacement text for one sink, or a reason it needs a person. */
function replacement(node, sf, checker, fn, edits) {
  let parts; // alternating text and expressions
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return { text: `${fn}(${ts.isStringLiteral(node) ? node.getText(sf) : quote(node.text)})` };
  }
  if (ts.isTemplateExpression(node)) {
    parts = [node.head.text];
    for (const span of node.templateSpans) parts.push(span.expression, span.literal.text);
  } else {
    parts = [''];
    for (const p of flattenConcat(node)) {
      const text = ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p) ? p.text : undefined;
      if (text !== undefined) parts[parts.length - 1] += text;
      else if (ts.isTemplateExpression(p)) {
        parts[parts.length - 1] += p.head.text;
        for (const span of p.templateSpans) parts.push(span.expression, span.literal.text);
      } else parts.push(p, '');
    }
  }
  const texts = parts.filter((_, i) => i % 2 === 0);
  if (texts.some((t) => /\{[^}]*\}/.test(t))) return { reason: 'its text has {braces}, which l10n.t would read as placeholders' };
  let message = '';
  const args = [];
  parts.forEach((p, i) => {
    if (i % 2 === 0) message += p;
    else {
      message += `{${args.length}}`;
      args.push(argText(p, sf, checker, fn, edits));
    }
  });
  return { text: `${fn}(${[quote(message), ...args].join(', ')})` };
}

/** A placeholder argument: text branches inside it are wrapped too; non-primitive values go through String(). */
function argText(expr, sf, checker, fn, edits) {
  const inner = [];
  const wrapBranches = (e) => {
    if (ts.isParenthesizedExpression(e)) return wrapBranches(e.expression);
    if (ts.isConditionalExpression(e)) return (wrapBranches(e.whenTrue), wrapBranches(e.whenFalse));
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(e.operatorToken.kind)) return wrapBranches(e.right);
    const t = staticText(e);
    if (t !== undefined && isProse(t)) inner.push(e);
  };
  wrapBranches(expr);
  let text = expr.getText(sf);
  const start = expr.getStart(sf);
  for (const e of inner.sort((a, b) => b.getStart(sf) - a.getStart(sf))) {
    const r = replacement(e, sf, checker, fn, edits);
    if (!r.text) continue;
    const s = e.getStart(sf) - start;
    text = text.slice(0, s) + r.text + text.slice(s + (e.getEnd() - e.getStart(sf)));
  }
  if (!isSafeArgType(checker, expr)) text = `String(${text})`;
  return text;
}

function l10nImportPath(fileName, root) {
  let p = path.relative(path.dirname(fileName), path.join(root, 'src', 'core', 'l10n')).split(path.sep).join('/');
  if (!p.startsWith('.')) p = `./${p}`;
  return p;
}

/** Rewrites one file's bypasses; returns { text, wrapped, manual }. */
export function rewriteFile(program, fileName, root = ROOT) {
  const sf = program.getSourceFile(fileName);
  const checker = program.getTypeChecker();
  let vscodeNs;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.moduleSpecifier.text === 'vscode' && st.importClause?.namedBindings && ts.isNamespaceImport(st.importClause.namedBindings)) {
      vscodeNs = st.importClause.namedBindings.name.text;
    }
  }
  const fn = vscodeNs ? `${vscodeNs}.l10n.t` : 'l10n.t';
  const edits = [];
  const manual = [];
  const sinks = collectSinks(sf, checker);
  const texts = new Set(l10nCalls(sf).messages.filter((m) => !m.args && buttonLike(m.node, checker)).map((m) => m.message));
  for (const { node } of sinks) {
    const prop = node.parent;
    const webview = WEBVIEW.test(fileName);
    if (!vscodeNs && !webview && atModuleLoad(node) && prop && ts.isPropertyAssignment(prop) && prop.initializer === node && ts.isIdentifier(prop.name)) {
      // A module-level object's text becomes a getter, so it is translated when read (after activation).
      const r = replacement(node, sf, checker, fn, edits);
      if (r.text) {
        edits.push({ start: prop.getStart(sf), end: prop.getEnd(), text: `get ${prop.name.text}() { return ${r.text}; }` });
        continue;
      }
    }
    if (!vscodeNs && !webview && atModuleLoad(node)) {
      manual.push(`${rel(root, fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: text at module load in a pure module (evaluated before activation installs the translator): move it into a function, then run this again`);
      continue;
    }
    const r = replacement(node, sf, checker, fn, edits);
    if (r.text) {
      edits.push({ start: node.getStart(sf), end: node.getEnd(), text: r.text });
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && buttonLike(node, checker)) texts.add(node.text);
    } else manual.push(`${rel(root, fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}: ${r.reason}`);
  }
  for (const lit of collectComparisons(sf, texts)) edits.push({ start: lit.getStart(sf), end: lit.getEnd(), text: `${fn}(${lit.getText(sf)})` });
  // Outermost edits win (a sink inside another sink's placeholder is handled by argText).
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  for (const e of edits) if (!kept.some((k) => e.start >= k.start && e.end <= k.end)) kept.push(e);
  let text = sf.text;
  for (const e of [...kept].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  if (kept.length && !vscodeNs && !/import\s*\{[^}]*\bl10n\b[^}]*\}\s*from\s*'[^']*\/l10n'/.test(sf.text)) {
    const imports = sf.statements.filter(ts.isImportDeclaration);
    const at = imports.length ? imports[imports.length - 1].getEnd() : 0;
    const line = `import { l10n } from '${l10nImportPath(fileName, root)}';`;
    text = at ? `${text.slice(0, at)}\n${line}${text.slice(at)}` : `${line}\n${text}`;
  }
  return { text, wrapped: kept.length, manual };
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

const json = (v) => `${JSON.stringify(v, null, 2)}\n`;
const readJson = (f, fallback) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : fallback);

export function main(argv = process.argv.slice(2), root = ROOT) {
  const check = argv.includes('--check');
  const pkgPath = path.join(root, 'package.json');
  const nlsPath = path.join(root, 'package.nls.json');
  const bundlePath = path.join(root, 'l10n', 'bundle.l10n.json');
  const problems = [];
  const pkg = readJson(pkgPath);
  const nls = readJson(nlsPath, {});
  const files = sourceFiles(root);
  if (check) {
    problems.push(...checkManifest(pkg, nls));
    const program = createProgram(files, {}, root);
    problems.push(...findBypasses(program, files, root));
    if (JSON.stringify(extractBundle(program, files)) !== JSON.stringify(readJson(bundlePath, {}))) problems.push('l10n/bundle.l10n.json is out of date');
    for (const p of problems) console.log(p);
    console.log(`${problems.length} localisation problem(s)`);
    return problems.length ? 1 : 0;
  }
  // 1. Manifest.
  const nextNls = migrateManifest(pkg, nls);
  fs.writeFileSync(pkgPath, json(pkg));
  fs.writeFileSync(nlsPath, json(nextNls));
  // 2. Sources: rewrite until nothing changes (a rewrite can expose a comparison in the same file).
  const manual = new Set();
  let total = 0;
  for (let pass = 0; pass < 3; pass++) {
    const program = createProgram(files, {}, root);
    let changed = 0;
    for (const f of files) {
      const r = rewriteFile(program, f, root);
      r.manual.forEach((m) => manual.add(m));
      if (r.wrapped && r.text !== program.getSourceFile(f).text) {
        fs.writeFileSync(f, r.text);
        changed += r.wrapped;
      }
    }
    total += changed;
    if (!changed) break;
  }
  // 3. Bundle.
  const program = createProgram(files, {}, root);
  fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
  fs.writeFileSync(bundlePath, json(extractBundle(program, files)));
  const left = findBypasses(program, files, root);
  console.log(`package.nls.json: ${Object.keys(nextNls).length} strings; src: ${total} texts wrapped; bundle: ${Object.keys(readJson(bundlePath)).length} messages`);
  for (const m of manual) console.log(`needs a person: ${m}`);
  for (const m of left) console.log(`still not localised: ${m}`);
  return left.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = main();
