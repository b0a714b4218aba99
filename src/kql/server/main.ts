/**
 * The KQL language server (bundled to dist/kqlServer.js): Kusto.Language over the advanced hunting schema,
 * in its own process so that parsing never blocks the extension host. Speaks LSP over the transport given on
 * the command line (--node-ipc from VS Code, --stdio for the bench and tests).
 */
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  DiagnosticTag,
  InsertTextFormat,
  MarkupKind,
  ProposedFeatures,
  SemanticTokensBuilder,
  TextDocuments,
  TextDocumentSyncKind,
  TextEdit,
  type CompletionItem,
  type Diagnostic,
  type InitializeResult,
  type Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  KqlNotifications,
  KqlRequests,
  readServerSettings,
  SEMANTIC_TOKEN_MODIFIERS,
  SEMANTIC_TOKEN_TYPES,
  summarizeSchema,
  type KqlInitializationOptions,
  type KqlServerSettings,
  type KqlServerStatus,
} from '../protocol';
import { loadBundledSchema } from '../schema/bundled';
import { parseSchema, type KqlSchema } from '../schema/schema';
import { KqlLanguageService } from '../service/kqlService';
import { describeKustoError, loadKusto } from '../service/kustoRuntime';
import type { KqlCompletionKind, KqlDiagnostic, KqlFix, KqlTextEdit } from '../types';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let settings: KqlServerSettings = readServerSettings(undefined);
let service: KqlLanguageService | undefined;
let pendingSchema: KqlSchema | undefined;
let warmUpScheduled = false;
let firstDiagnostics: KqlServerStatus['firstDiagnostics'];

function cpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  connection.console[level](`[kql-server] ${message}`);
}

/** Loads Kusto on first use (the process starts doing this at once, see the end of the file). */
function getService(): KqlLanguageService {
  if (!service) {
    const started = performance.now();
    const runtime = loadKusto();
    service = new KqlLanguageService(runtime, pendingSchema ?? loadBundledSchema(), {
      analyzers: settings.analyzersEnabled,
      onError: (what, message) => log('warn', `Kusto failed in ${what}: ${message}`),
    });
    pendingSchema = undefined;
    log('info', `Kusto loaded in ${(performance.now() - started).toFixed(0)} ms`);
  }
  return service;
}

function readSchemaOption(raw: unknown): KqlSchema | undefined {
  if (raw === undefined || raw === null) return undefined;
  try {
    return parseSchema(raw, 'tenant');
  } catch (err) {
    log('warn', `ignoring the cached schema: ${describeKustoError(err)}`);
    return undefined;
  }
}

connection.onInitialize((params): InitializeResult => {
  const options = (params.initializationOptions ?? {}) as KqlInitializationOptions;
  settings = readServerSettings(options.settings);
  const cached = readSchemaOption(options.schema);
  if (cached) {
    if (service) service.setSchema(cached);
    else pendingSchema = cached;
  }
  service?.setOptions({ analyzers: settings.analyzersEnabled, onError: (w, m) => log('warn', `Kusto failed in ${w}: ${m}`) });
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['|', '.', '('], resolveProvider: false },
      hoverProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Refactor] },
      semanticTokensProvider: {
        legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [...SEMANTIC_TOKEN_MODIFIERS] },
        full: true,
        range: false,
      },
    },
    serverInfo: { name: 'Defender KQL language server' },
  };
});

// ---- diagnostics ---------------------------------------------------------------------------------------------

const SEVERITY: Record<KqlDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function toRange(doc: TextDocument, start: number, length: number): Range {
  return { start: doc.positionAt(start), end: doc.positionAt(start + length) };
}

function toLspDiagnostic(doc: TextDocument, d: KqlDiagnostic): Diagnostic {
  const tags: DiagnosticTag[] = [];
  if (d.tags?.includes('deprecated')) tags.push(DiagnosticTag.Deprecated);
  if (d.tags?.includes('unnecessary')) tags.push(DiagnosticTag.Unnecessary);
  return {
    range: toRange(doc, d.start, d.length),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: d.source === 'defender' ? 'Defender' : 'Kusto',
    message: d.message,
    ...(tags.length ? { tags } : {}),
  };
}

/** Documents waiting for diagnostics; validated together on the next turn of the event loop. */
const dirty = new Set<string>();
let validationScheduled = false;

function scheduleValidation(uri: string): void {
  dirty.add(uri);
  if (validationScheduled) return;
  validationScheduled = true;
  setImmediate(validateDirty);
}

function validateDirty(): void {
  validationScheduled = false;
  const uris = [...dirty];
  dirty.clear();
  const sent: Promise<void>[] = [];
  for (const uri of uris) {
    const doc = documents.get(uri);
    if (doc) sent.push(validate(doc));
  }
  if (!warmUpScheduled && service) {
    warmUpScheduled = true;
    // Build the completion grammar once the first diagnostics are written out (the connection writes on a
    // later turn; warming up before that would hold them back), one step per turn so requests get answered.
    void Promise.allSettled(sent).then(() => runWarmUp(getService().warmUpSteps()));
  }
}

function runWarmUp(steps: (() => void)[], started = performance.now()): void {
  const step = steps.shift();
  if (!step) {
    log('info', `warmed up in ${(performance.now() - started).toFixed(0)} ms`);
    return;
  }
  setImmediate(() => {
    try {
      step();
    } catch (err) {
      log('warn', `warm-up step failed: ${describeKustoError(err)}`);
    }
    runWarmUp(steps, started);
  });
}

/**
 * Publishes a document's diagnostics in two steps: parser, binder and Defender-rule diagnostics at once, then,
 * on the next turn of the event loop and only if the document has not changed, the same plus Kusto's analyzer
 * hints (about a fifth of the work), so errors never wait for suggestions.
 */
function validate(doc: TextDocument): Promise<void> {
  if (!settings.diagnosticsEnabled) {
    return connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
  }
  try {
    const svc = getService();
    const text = doc.getText();
    const pending = svc.hintsPending(text);
    const first = svc.diagnostics(text, { analyzers: !pending });
    const sent = connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: first.map((d) => toLspDiagnostic(doc, d)) });
    firstDiagnostics ??= { uptimeMs: Math.round(performance.now()), cpuMs: Math.round(cpuMs()) };
    if (pending) {
      const version = doc.version;
      setImmediate(() => {
        const current = documents.get(doc.uri);
        if (!current || current.version !== version || !settings.diagnosticsEnabled) return;
        const all = svc.diagnostics(text);
        if (all.length === first.length) return;
        void connection.sendDiagnostics({ uri: doc.uri, version, diagnostics: all.map((d) => toLspDiagnostic(current, d)) });
      });
    }
    return sent;
  } catch (err) {
    log('error', `diagnostics failed for ${doc.uri}: ${describeKustoError(err)}`);
    return Promise.resolve();
  }
}

documents.onDidOpen((e) => scheduleValidation(e.document.uri));
documents.onDidChangeContent((e) => scheduleValidation(e.document.uri));
documents.onDidClose((e) => {
  dirty.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

// ---- completion, hover ---------------------------------------------------------------------------------------

const COMPLETION_KIND: Record<KqlCompletionKind, CompletionItemKind> = {
  table: CompletionItemKind.Class,
  column: CompletionItemKind.Field,
  function: CompletionItemKind.Function,
  aggregate: CompletionItemKind.Function,
  variable: CompletionItemKind.Variable,
  parameter: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  operator: CompletionItemKind.Operator,
  type: CompletionItemKind.TypeParameter,
  database: CompletionItemKind.Module,
  snippet: CompletionItemKind.Snippet,
  text: CompletionItemKind.Text,
};

/** Escapes text for a snippet string (`$`, `}` and `\` are special). */
function snippetEscape(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

connection.onCompletion((params): CompletionItem[] => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const offset = doc.offsetAt(params.position);
  const { items } = getService().completions(doc.getText(), offset);
  return items.map((i) => {
    const range = toRange(doc, i.editStart, i.editLength);
    const snippet = i.cursorOffset !== undefined;
    const newText = snippet
      ? `${snippetEscape(i.insertText.slice(0, i.cursorOffset))}$0${snippetEscape(i.insertText.slice(i.cursorOffset))}`
      : i.insertText;
    return {
      label: i.label,
      kind: COMPLETION_KIND[i.kind],
      sortText: i.sortText,
      filterText: i.filterText,
      textEdit: { range, newText },
      ...(snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
      ...(i.detail ? { detail: i.detail } : {}),
      ...(i.documentation ? { documentation: { kind: MarkupKind.Markdown, value: i.documentation } } : {}),
    };
  });
});

connection.onHover((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const hover = getService().hover(doc.getText(), doc.offsetAt(params.position));
  if (!hover) return null;
  return { contents: { kind: MarkupKind.Markdown, value: hover.contents }, range: toRange(doc, hover.start, hover.length) };
});

// ---- formatting, semantic tokens, code actions ----------------------------------------------------------------

function toTextEdits(doc: TextDocument, edits: readonly KqlTextEdit[]): TextEdit[] {
  return edits.map((e) => TextEdit.replace(toRange(doc, e.start, e.length), e.newText));
}

connection.onDocumentFormatting((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  return toTextEdits(doc, getService().format(doc.getText(), { tabSize: params.options.tabSize }));
});

connection.onDocumentRangeFormatting((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const start = doc.offsetAt(params.range.start);
  const end = doc.offsetAt(params.range.end);
  return toTextEdits(doc, getService().format(doc.getText(), { tabSize: params.options.tabSize }, start, end));
});

connection.languages.semanticTokens.on((params) => {
  const doc = documents.get(params.textDocument.uri);
  const builder = new SemanticTokensBuilder();
  if (!doc) return builder.build();
  for (const t of getService().semanticTokens(doc.getText())) {
    const pos = doc.positionAt(t.start);
    builder.push(pos.line, pos.character, t.length, SEMANTIC_TOKEN_TYPES.indexOf(t.type), t.deprecated ? 1 : 0);
  }
  return builder.build();
});

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

connection.onCodeAction((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return [];
  const text = doc.getText();
  const start = doc.offsetAt(params.range.start);
  const end = doc.offsetAt(params.range.end);
  const svc = getService();
  // Fresh diagnostics (cached per block): the client's copies may be a keystroke old, their fixes stale.
  const fresh = svc.diagnostics(text).filter((d) => d.start <= end && d.start + d.length >= start);
  const lspFor = (d: KqlDiagnostic): Diagnostic => {
    const own = toLspDiagnostic(doc, d);
    return params.context.diagnostics.find((c) => c.code === own.code && sameRange(c.range, own.range)) ?? own;
  };
  const wantQuickFix = !params.context.only || params.context.only.some((k) => k.startsWith(CodeActionKind.QuickFix));
  const wantRefactor = !params.context.only || params.context.only.some((k) => k.startsWith(CodeActionKind.Refactor));
  const actions: CodeAction[] = [];
  const addFix = (fix: KqlFix, d: KqlDiagnostic) => {
    const action = CodeAction.create(fix.title, { changes: { [doc.uri]: toTextEdits(doc, fix.edits) } }, CodeActionKind.QuickFix);
    action.diagnostics = [lspFor(d)];
    if (fix.preferred) action.isPreferred = true;
    actions.push(action);
  };
  if (wantQuickFix) for (const d of fresh) for (const fix of d.fixes ?? []) addFix(fix, d);
  for (const a of svc.codeActions(text, start, end, fresh)) {
    if (a.kind === 'quickfix' ? !wantQuickFix : !wantRefactor) continue;
    const action = CodeAction.create(a.title, { changes: { [doc.uri]: toTextEdits(doc, a.edits) } }, a.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.Refactor);
    const first = a.edits[0];
    const covered = first ? fresh.filter((d) => d.start <= first.start + first.length && d.start + d.length >= first.start) : [];
    if (a.kind === 'quickfix' && covered.length) action.diagnostics = covered.map(lspFor);
    if (a.preferred) action.isPreferred = true;
    actions.push(action);
  }
  return actions;
});

// ---- our requests and notifications ----------------------------------------------------------------------------

connection.onRequest(KqlRequests.setSchema, (params: { schema: unknown } | null) => {
  const schema = params?.schema ? parseSchema(params.schema, 'tenant') : loadBundledSchema();
  getService().setSchema(schema);
  for (const doc of documents.all()) scheduleValidation(doc.uri);
  // Colours depend on what resolves to a table or a column.
  connection.languages.semanticTokens.refresh();
  log('info', `schema set: ${schema.tables.length} tables (${schema.source})`);
  return summarizeSchema(schema);
});

connection.onRequest(KqlRequests.getSchema, (): KqlSchema => getService().currentSchema);

connection.onRequest(KqlRequests.status, (): KqlServerStatus => {
  const svc = getService();
  return {
    schema: summarizeSchema(svc.currentSchema),
    warm: svc.isWarm,
    openDocuments: documents.all().length,
    settings,
    cpuMs: cpuMs(),
    heapMB: Math.round(process.memoryUsage().heapUsed / 1048576),
    ...(firstDiagnostics ? { firstDiagnostics } : {}),
  };
});

connection.onNotification(KqlNotifications.setSettings, (raw: Partial<KqlServerSettings>) => {
  settings = readServerSettings(raw);
  getService().setOptions({ analyzers: settings.analyzersEnabled, onError: (w, m) => log('warn', `Kusto failed in ${w}: ${m}`) });
  for (const doc of documents.all()) scheduleValidation(doc.uri);
});

// A notification that fails because the client went away must not take the server down with it.
process.on('unhandledRejection', (reason) => log('warn', `unhandled rejection: ${describeKustoError(reason)}`));

documents.listen(connection);
connection.listen();

// Start loading Kusto now: the first document arrives right after the handshake.
setImmediate(() => {
  try {
    getService();
  } catch (err) {
    log('error', `Kusto could not be loaded: ${describeKustoError(err)}`);
  }
});
