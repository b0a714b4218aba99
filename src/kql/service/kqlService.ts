/**
 * The KQL language service: Kusto.Language over our advanced hunting schema, per query block. Every method
 * takes the whole document text and offsets into it; blocks are analysed separately (as the portal runs
 * them) and cached by their text, so an edit re-analyses only the block it touched.
 *
 * Start-up: Kusto builds its completion grammar (~1 s) the first time a query is parsed through the public
 * API. Diagnostics do not need that grammar, so until warmUp() has built it the service binds queries through
 * the same internal steps KustoCode.Create takes, minus the grammar. That halves the time to the first
 * diagnostics after the server starts; warmUp() then runs while the user reads them.
 */
import { blockAt, blocksInRange, isCommentOnly, type QueryBlock, splitBlocks } from '../blocks';
import {
  findDefenderTraps,
  isUnknownNameDiagnostic,
  type NameOccurrence,
  refineKustoDiagnostics,
  renameFixes,
  suggestNames,
} from '../quickFixRules';
import { DEFENDER_FUNCTIONS } from '../schema/defenderFunctions';
import { DEPRECATED_TABLES, type KqlSchema } from '../schema/schema';
import type {
  KqlCodeAction,
  KqlCompletionItem,
  KqlCompletionKind,
  KqlDiagnostic,
  KqlHover,
  KqlSemanticToken,
  KqlSemanticTokenType,
  KqlSeverity,
  KqlTextEdit,
} from '../types';
import { buildGlobals } from './globals';
import { describeKustoError, type KustoRuntime, toArray } from './kustoRuntime';
import { l10n } from '../../core/l10n';

export interface KqlServiceOptions {
  /** Run Kusto's analyzers (KS500 "use has", KS508 "join kind"…) and report their hints. */
  readonly analyzers: boolean;
  /** Called when Kusto throws; the service then answers with nothing rather than failing the request. */
  readonly onError?: (what: string, message: string) => void;
}

interface BlockAnalysis {
  readonly text: string;
  readonly code: any;
  readonly hasGrammar: boolean;
  service?: any;
  /** Parser, binder and rule diagnostics. */
  base?: KqlDiagnostic[];
  /** Analyzer hints. */
  hints?: KqlDiagnostic[];
}

/**
 * Analyses kept (each holds a syntax tree and binding data, ~1-3 MB for a 50-line block): at least this many,
 * and always every block of the last document analysed plus some room for undo and other files.
 */
const MIN_CACHED_BLOCKS = 32;
const EXTRA_CACHED_BLOCKS = 16;
const MAX_DIAGNOSTICS_PER_BLOCK = 100;
/** Block text that can contain what the Defender rules look for; others skip the syntax walk. */
const RULE_TRIGGER = /TimeGenerated|AAD|invoke/;

export interface KqlCompletionResult {
  readonly items: readonly KqlCompletionItem[];
}

export class KqlLanguageService {
  private globals: any;
  private schema: KqlSchema;
  private options: KqlServiceOptions;
  private readonly cache = new Map<string, BlockAnalysis>();
  private grammarReady = false;
  private cacheCapacity = MIN_CACHED_BLOCKS;
  private readonly fastPath: boolean;
  private columnTypes = new Map<string, Set<string>>();
  private tableDescriptions = new Map<string, string>();
  private readonly ct: () => any;
  private readonly severityMap: Record<string, KqlSeverity | undefined>;
  private readonly completionKinds: Map<number, KqlCompletionKind>;
  private readonly classificationKinds: Map<number, KqlSemanticTokenType>;

  constructor(
    private readonly rt: KustoRuntime,
    schema: KqlSchema,
    options: KqlServiceOptions = { analyzers: true },
  ) {
    const K = rt.K;
    this.schema = schema;
    this.options = options;
    this.globals = buildGlobals(rt, schema);
    this.indexSchema();
    this.ct = () => new K.Utils.CancellationToken();
    const P = K.Parsing;
    this.fastPath = !!(
      P?.TokenParser?.ParseTokens &&
      P?.QueryParser?.ParseQuery &&
      K.Binding?.Binder?.TryBind &&
      K.Binding?.LocalBindingCache &&
      K.Syntax?.SyntaxTree &&
      K.KustoCode?.GetTokenStarts &&
      K.KustoCode?.AnalysisState
    );
    this.severityMap = {
      [K.DiagnosticSeverity.Error]: 'error',
      [K.DiagnosticSeverity.Warning]: 'warning',
      [K.DiagnosticSeverity.Suggestion]: 'hint',
      [K.DiagnosticSeverity.Information]: 'information',
    };
    const CK = K.Editor.CompletionKind;
    const ck: [string, KqlCompletionKind][] = [
      ['Table', 'table'], ['MaterialiedView', 'table'], ['StoredQueryResult', 'table'], ['EntityGroup', 'table'], ['Graph', 'table'],
      ['Column', 'column'], ['BuiltInFunction', 'function'], ['LocalFunction', 'function'], ['DatabaseFunction', 'function'],
      ['AggregateFunction', 'aggregate'], ['Parameter', 'parameter'], ['Variable', 'variable'], ['Keyword', 'keyword'],
      ['QueryPrefix', 'keyword'], ['CommandPrefix', 'keyword'], ['TabularPrefix', 'keyword'], ['TabularSuffix', 'keyword'],
      ['ScalarPrefix', 'operator'], ['ScalarInfix', 'operator'], ['Punctuation', 'operator'], ['ScalarType', 'type'],
      ['Database', 'database'], ['Cluster', 'database'], ['Example', 'snippet'], ['Syntax', 'snippet'], ['RenderChart', 'keyword'],
      ['Option', 'keyword'], ['Identifier', 'text'],
    ];
    this.completionKinds = new Map(ck.filter(([n]) => CK[n] !== undefined).map(([n, k]) => [CK[n] as number, k]));
    const CL = K.Editor.ClassificationKind;
    const cl: [string, KqlSemanticTokenType][] = [
      ['Table', 'class'], ['MaterializedView', 'class'], ['Column', 'property'], ['Function', 'function'],
      ['Variable', 'variable'], ['Parameter', 'parameter'], ['Database', 'namespace'], ['Type', 'type'],
    ];
    this.classificationKinds = new Map(cl.filter(([n]) => CL[n] !== undefined).map(([n, k]) => [CL[n] as number, k]));
  }

  get currentSchema(): KqlSchema {
    return this.schema;
  }

  setSchema(schema: KqlSchema): void {
    this.schema = schema;
    this.globals = buildGlobals(this.rt, schema);
    this.indexSchema();
    this.cache.clear();
  }

  setOptions(options: KqlServiceOptions): void {
    if (options.analyzers !== this.options.analyzers) this.cache.clear();
    this.options = options;
  }

  /**
   * Warm-up as separate steps (the grammar, ~1 s, then one run of each feature), so a server can run them one
   * per turn of its event loop and answer requests in between.
   */
  warmUpSteps(): (() => void)[] {
    const text = 'DeviceEvents\n| where Timestamp > ago(1h) and ActionType contains "x"\n| summarize count() by DeviceId';
    return [
      () => this.ensureGrammar(),
      () => void this.completions(text, text.indexOf('ActionType')),
      () => void this.hover(text, 2),
      () => void this.semanticTokens(text),
      () => void this.cache.delete(text),
    ];
  }

  /** Builds Kusto's completion grammar and runs each feature once, so the first real request is fast. */
  warmUp(): void {
    for (const step of this.warmUpSteps()) step();
  }

  get isWarm(): boolean {
    return this.grammarReady;
  }

  // ---- analysis -----------------------------------------------------------------------------------------

  private indexSchema(): void {
    this.columnTypes = new Map();
    this.tableDescriptions = new Map();
    const addColumn = (name: string, type: string) => {
      const set = this.columnTypes.get(name) ?? new Set<string>();
      set.add(type);
      this.columnTypes.set(name, set);
    };
    for (const t of this.schema.tables) {
      if (t.description) this.tableDescriptions.set(t.name, t.description);
      for (const c of t.columns ?? []) addColumn(c.name, c.type);
    }
    for (const f of DEFENDER_FUNCTIONS) for (const c of f.columns) addColumn(c.name, c.type);
  }

  private ensureGrammar(): void {
    if (this.grammarReady) return;
    const K = this.rt.K;
    try {
      K.Parsing.QueryGrammar.From(this.globals);
    } catch (err) {
      this.report('grammar', err);
    }
    this.grammarReady = true;
  }

  private createCode(text: string): { code: any; hasGrammar: boolean } {
    const K = this.rt.K;
    if (!this.fastPath || K.KustoCode.GetKind(text) !== K.Editor.CodeKinds.Query) {
      this.grammarReady = true;
      return { code: K.KustoCode.ParseAndAnalyze(text, this.globals, this.ct()), hasGrammar: true };
    }
    const grammar = this.grammarReady ? K.Parsing.QueryGrammar.From(this.globals).QueryBlock : null;
    const options = this.globals.ParseOptions;
    const tokens = K.Parsing.TokenParser.ParseTokens(text, options);
    const starts = K.KustoCode.GetTokenStarts(tokens);
    const syntax = K.Parsing.QueryParser.ParseQuery(tokens, 0, options);
    const tree = new K.Syntax.SyntaxTree(syntax);
    const cache = new K.Binding.LocalBindingCache();
    const bound = K.Binding.Binder.TryBind(tree, this.globals, cache, null, this.ct());
    const state = bound ? K.KustoCode.AnalysisState.Performed : K.KustoCode.AnalysisState.NotSafe;
    const code = new K.KustoCode(text, K.Editor.CodeKinds.Query, this.globals, grammar, tree, state, null, tokens, starts, cache);
    return { code, hasGrammar: grammar !== null };
  }

  /** The cached analysis of a block's text; `needGrammar` re-creates one made before the grammar existed. */
  private analyze(text: string, needGrammar = false): BlockAnalysis {
    let a = this.cache.get(text);
    if (a && needGrammar && !a.hasGrammar) a = undefined;
    if (a) {
      // Re-insert: the Map's order is the LRU order.
      this.cache.delete(text);
      this.cache.set(text, a);
      return a;
    }
    if (needGrammar) this.ensureGrammar();
    let created: { code: any; hasGrammar: boolean };
    try {
      created = this.createCode(text);
    } catch (err) {
      // The fast path uses Kusto's internals; if a future version changes them, use the public API.
      this.report('analysis', err);
      this.grammarReady = true;
      created = { code: this.rt.K.KustoCode.ParseAndAnalyze(text, this.globals, this.ct()), hasGrammar: true };
    }
    const { code, hasGrammar } = created;
    a = { text, code, hasGrammar };
    this.cache.set(text, a);
    while (this.cache.size > this.cacheCapacity) this.cache.delete(this.cache.keys().next().value as string);
    return a;
  }

  private codeService(a: BlockAnalysis): any {
    a.service ??= new this.rt.K.Editor.KustoCodeService.ctor(a.code);
    return a.service;
  }

  private report(what: string, err: unknown): void {
    this.options.onError?.(what, describeKustoError(err));
  }

  private toDiagnostic(d: any, source: KqlDiagnostic['source']): KqlDiagnostic | undefined {
    const severity = this.severityMap[d.Severity];
    if (!severity) return undefined;
    return {
      start: d.HasLocation ? d.Start : 0,
      length: d.HasLocation ? d.Length : 0,
      severity,
      code: d.Code ?? '',
      message: d.Message ?? '',
      source,
    };
  }

  /** Names the Defender rules look at: deprecated tables, TimeGenerated, and `invoke` arguments. */
  private collectNames(code: any): NameOccurrence[] {
    const K = this.rt.K;
    const SK = K.Syntax.SyntaxKind;
    const SymK = K.Symbols.SymbolKind;
    const out: NameOccurrence[] = [];
    const resolved = (sym: any): NameOccurrence['resolvedTo'] => {
      if (!sym) return undefined;
      switch (sym.Kind) {
        case SymK.Table: return 'table';
        case SymK.Column: return 'column';
        case SymK.Function: return 'function';
        case SymK.Variable: return 'variable';
        default: return 'other';
      }
    };
    const interesting = (name: string) => name === 'TimeGenerated' || name in DEPRECATED_TABLES;
    const invokeArgs = new Map<any, { functionName: string; index: number }>();
    code.Syntax.WalkElements((el: any) => {
      const kind = el.Kind;
      if (kind === SK.InvokeOperator) {
        const call = el.Function;
        if (call && call.Kind === SK.FunctionCallExpression) {
          const functionName = call.Name?.SimpleName ?? '';
          toArray(this.rt, call.ArgumentList?.Expressions).forEach((sep: any, index: number) => {
            const arg = sep?.Element$1 ?? sep?.Element;
            if (arg && arg.Kind === SK.NameReference) invokeArgs.set(arg, { functionName, index });
          });
        }
      } else if (kind === SK.NameReference) {
        const name = el.SimpleName ?? '';
        const invokeArgument = invokeArgs.get(el);
        if (interesting(name) || invokeArgument) {
          out.push({ name, start: el.TextStart, length: el.Width, role: 'reference', resolvedTo: resolved(el.ReferencedSymbol), ...(invokeArgument ? { invokeArgument } : {}) });
        }
      } else if (kind === SK.NameDeclaration) {
        const name = el.SimpleName ?? '';
        if (interesting(name)) out.push({ name, start: el.TextStart, length: el.Width, role: 'declaration' });
      }
    });
    return out;
  }

  /** Parser, binder and Defender-rule diagnostics of a block (no analyzer hints), block offsets. */
  private baseDiagnostics(a: BlockAnalysis): KqlDiagnostic[] {
    if (a.base) return a.base;
    let result: KqlDiagnostic[] = [];
    try {
      const kusto = toArray(this.rt, a.code.GetDiagnostics(this.ct()))
        .map((d) => this.toDiagnostic(d, 'kusto'))
        .filter((d): d is KqlDiagnostic => !!d);
      const names = RULE_TRIGGER.test(a.text) ? this.collectNames(a.code) : [];
      const refined = refineKustoDiagnostics(kusto, names);
      result = [...refined, ...findDefenderTraps(names, this.schema, refined)];
    } catch (err) {
      this.report('diagnostics', err);
    }
    a.base = result;
    return result;
  }

  /** Kusto's analyzer hints of a block (KS500, KS508…), block offsets. */
  private analyzerDiagnostics(a: BlockAnalysis): KqlDiagnostic[] {
    if (a.hints) return a.hints;
    let result: KqlDiagnostic[] = [];
    try {
      const dx = toArray(this.rt, this.codeService(a).GetAnalyzerDiagnostics(true, this.ct()))
        .map((d) => this.toDiagnostic(d, 'kusto'))
        .filter((d): d is KqlDiagnostic => !!d);
      result = refineKustoDiagnostics(dx, []);
    } catch (err) {
      this.report('analyzers', err);
    }
    a.hints = result;
    return result;
  }

  /**
   * Diagnostics of one block's text, offsets relative to the block. `analyzers: false` leaves out Kusto's
   * analyzer hints even when they are enabled, so a caller can publish errors first and hints a moment later.
   */
  blockDiagnostics(text: string, options: { analyzers?: boolean } = {}): KqlDiagnostic[] {
    const a = this.analyze(text);
    const withHints = (options.analyzers ?? true) && this.options.analyzers;
    const all = withHints ? [...this.baseDiagnostics(a), ...this.analyzerDiagnostics(a)] : this.baseDiagnostics(a);
    return all.sort((x, y) => x.start - y.start || x.length - y.length).slice(0, MAX_DIAGNOSTICS_PER_BLOCK);
  }

  /** True when the block's analyzer hints are not computed yet (so a second, complete publish is due). */
  hintsPending(docText: string): boolean {
    if (!this.options.analyzers) return false;
    return splitBlocks(docText).some((b) => !isCommentOnly(b) && !this.cache.get(b.text)?.hints);
  }

  /** Diagnostics of every block of the document, in document offsets. */
  diagnostics(docText: string, options: { analyzers?: boolean } = {}): KqlDiagnostic[] {
    const out: KqlDiagnostic[] = [];
    const blocks = splitBlocks(docText);
    // A document of many blocks must not evict its own analyses on every edit.
    this.cacheCapacity = Math.max(MIN_CACHED_BLOCKS, blocks.length + EXTRA_CACHED_BLOCKS);
    for (const block of blocks) {
      if (isCommentOnly(block)) continue;
      for (const d of this.blockDiagnostics(block.text, options)) out.push(shiftDiagnostic(d, block.start));
    }
    return out;
  }

  // ---- completion, hover ---------------------------------------------------------------------------------

  private blockFor(docText: string, offset: number): { block: QueryBlock | undefined; text: string; base: number } {
    const block = blockAt(splitBlocks(docText), offset);
    return block ? { block, text: block.text, base: block.start } : { block, text: '', base: offset };
  }

  completions(docText: string, offset: number): KqlCompletionResult {
    const { text, base } = this.blockFor(docText, offset);
    try {
      const a = this.analyze(text, true);
      const info = this.codeService(a).GetCompletionItems(offset - base, null, this.ct());
      if (!info) return { items: [] };
      const editStart = base + info.EditStart;
      const editLength = info.EditLength;
      const items = toArray(this.rt, info.Items).map((i: any): KqlCompletionItem => {
        const kind = this.completionKinds.get(i.Kind) ?? 'text';
        const before: string = i.BeforeText ?? i.EditText ?? i.DisplayText ?? '';
        const after: string = i.AfterText ?? '';
        const label: string = i.DisplayText ?? before;
        return {
          label,
          kind,
          insertText: before + after,
          ...(after ? { cursorOffset: before.length } : {}),
          editStart,
          editLength,
          sortText: i.OrderText ?? label,
          filterText: i.MatchText ?? label,
          ...this.describeCompletion(label, kind),
        };
      });
      return { items };
    } catch (err) {
      this.report('completion', err);
      return { items: [] };
    }
  }

  private describeCompletion(label: string, kind: KqlCompletionKind): { detail?: string; documentation?: string } {
    if (kind === 'column') {
      const types = this.columnTypes.get(label);
      return types ? { detail: [...types].join(' | ') } : {};
    }
    if (kind === 'table') {
      const d = this.tableDescriptions.get(label);
      return d ? { detail: 'table', documentation: d } : { detail: 'table' };
    }
    if (kind === 'function') {
      const f = DEFENDER_FUNCTIONS.find((x) => x.name === label);
      if (f) return { detail: l10n.t('advanced hunting function'), documentation: f.description };
    }
    return {};
  }

  hover(docText: string, offset: number): KqlHover | undefined {
    const { block, text, base } = this.blockFor(docText, offset);
    if (!block) return undefined;
    try {
      const a = this.analyze(text);
      const pos = offset - base;
      const info = this.codeService(a).GetQuickInfo(pos, null, this.ct());
      const QK = this.rt.K.Editor.QuickInfoKind;
      const skip = new Set([QK.Error, QK.Warning, QK.Suggestion]);
      const parts = toArray(this.rt, info?.Items)
        .filter((i: any) => !skip.has(i.Kind) && i.Text)
        .map((i: any) => formatQuickInfo(i.Text as string));
      if (!parts.length) return undefined;
      const token = a.code.Syntax.GetTokenAt(pos);
      const start = token ? base + token.TextStart : offset;
      const length = token ? token.Width : 0;
      return { start, length, contents: parts.join('\n\n---\n\n') };
    } catch (err) {
      this.report('hover', err);
      return undefined;
    }
  }

  // ---- formatting, semantic tokens, code actions ---------------------------------------------------------

  /**
   * Edits that format the blocks overlapping [start, end] (the whole document by default), one edit per block
   * that changes. Blocks with syntax errors are left alone: reformatting broken text can move the user's
   * half-typed code around.
   */
  format(docText: string, options: { tabSize?: number } = {}, start = 0, end = docText.length): KqlTextEdit[] {
    const K = this.rt.K;
    const edits: KqlTextEdit[] = [];
    let fo = K.Editor.FormattingOptions.Default;
    if (options.tabSize && options.tabSize > 0) fo = fo.WithIndentationSize(options.tabSize);
    for (const block of blocksInRange(splitBlocks(docText), start, end)) {
      try {
        const a = this.analyze(block.text);
        if (a.code.Syntax.ContainsSyntaxDiagnostics) continue;
        const formatted = this.codeService(a).GetFormattedText(fo, 0, this.ct())?.Text as string | undefined;
        if (formatted === undefined) continue;
        const eol = block.text.includes('\r\n') ? '\r\n' : '\n';
        const text = formatted.replace(/\r\n|\r|\n/g, eol);
        if (text !== block.text) edits.push({ start: block.start, length: block.text.length, newText: text });
      } catch (err) {
        this.report('format', err);
      }
    }
    return edits;
  }

  /** Tables, columns, functions, variables and parameters, from Kusto's classifications. */
  semanticTokens(docText: string): KqlSemanticToken[] {
    const out: KqlSemanticToken[] = [];
    for (const block of splitBlocks(docText)) {
      if (isCommentOnly(block)) continue;
      try {
        const a = this.analyze(block.text);
        const info = this.codeService(a).GetClassifications(0, block.text.length, false, true, this.ct());
        // The unquoted column of `invoke FileProfile(SHA256)` is unresolved for Kusto (classified as a function).
        const invokeColumns = new Set(
          /invoke/.test(block.text) ? this.collectNames(a.code).filter((n) => n.invokeArgument?.index === 0 && !n.resolvedTo).map((n) => n.start) : [],
        );
        for (const c of toArray(this.rt, info?.Classifications)) {
          const kind = this.classificationKinds.get(c.Kind);
          const type = invokeColumns.has(c.Start) ? 'property' : kind;
          if (!type || c.Length <= 0) continue;
          const deprecated = type === 'class' && block.text.slice(c.Start, c.Start + c.Length) in DEPRECATED_TABLES;
          out.push({ start: block.start + c.Start, length: c.Length, type, ...(deprecated ? { deprecated } : {}) });
        }
      } catch (err) {
        this.report('semanticTokens', err);
      }
    }
    return out;
  }

  /**
   * Kusto's own code actions for the range (analyzer fixes such as KS500's "Change to 'has'", and its
   * refactorings), plus "did you mean" renames for the unknown names among `diagnostics` (document offsets),
   * looked up among the names Kusto would complete at that place.
   */
  codeActions(docText: string, start: number, end: number, diagnostics: readonly KqlDiagnostic[] = []): KqlCodeAction[] {
    const blocks = splitBlocks(docText);
    const actions: KqlCodeAction[] = [];
    for (const block of blocksInRange(blocks, start, end)) {
      try {
        const a = this.analyze(block.text);
        const svc = this.codeService(a);
        const [selStart, selEnd] = tokenSpan(a.code.Syntax, Math.max(0, start - block.start), Math.min(block.text.length, end - block.start));
        const info = svc.GetCodeActions(selStart, selStart, selEnd - selStart, null, true, null, this.ct());
        for (const top of toArray(this.rt, info?.Actions)) {
          const leaves = top.Actions ? toArray(this.rt, top.Actions) : [top];
          for (const leaf of leaves) {
            const edits = this.applyKustoAction(svc, leaf, selStart, block.start);
            if (!edits?.length) continue;
            const data = toArray<string>(this.rt, leaf.Data);
            const isFix = data.includes('DiagnosticFixActor');
            const fixAll = leaf.Kind === 'FixAll' || leaf.Title === 'Fix All' || /fix\s*all/i.test(String(leaf.Kind ?? ''));
            const title = fixAll ? `Fix all: ${top.Title}` : leafTitle(top, leaf);
            actions.push({ title, kind: isFix ? 'quickfix' : 'refactor', edits });
          }
        }
      } catch (err) {
        this.report('codeActions', err);
      }
    }
    for (const d of diagnostics) {
      if (!isUnknownNameDiagnostic(d) || d.start + d.length < start || d.start > end) continue;
      const block = blockAt(blocks, d.start);
      if (!block) continue;
      const name = docText.slice(d.start, d.start + d.length);
      const names = this.namesInScope(block.text, d.start - block.start);
      for (const fix of renameFixes(d.start, d.length, suggestNames(name, names))) {
        actions.push({ title: fix.title, kind: 'quickfix', edits: fix.edits, diagnosticCode: d.code, preferred: fix.preferred });
      }
    }
    return actions;
  }

  /** One Kusto action's edits in document offsets; undefined when it fails (a failing action costs only itself). */
  private applyKustoAction(svc: any, leaf: any, caret: number, base: number): KqlTextEdit[] | undefined {
    let result: any;
    try {
      result = svc.ApplyCodeAction(leaf, caret, null, this.ct());
    } catch (err) {
      this.report(`codeAction '${String(leaf?.Title ?? '')}'`, err); // l10n-ignore: log text
      return undefined;
    }
    if (!result || result.FailureReason) return undefined;
    const edits: KqlTextEdit[] = [];
    for (const ra of toArray(this.rt, result.Actions)) {
      for (const e of toArray(this.rt, ra.Changes)) {
        edits.push({ start: base + e.Start, length: e.DeleteLength, newText: e.InsertText ?? '' });
      }
    }
    return edits;
  }

  /** Names Kusto would complete at a block position: the columns, tables, variables and functions in scope. */
  private namesInScope(blockText: string, pos: number): string[] {
    try {
      const a = this.analyze(blockText, true);
      const info = this.codeService(a).GetCompletionItems(pos, null, this.ct());
      const wanted = new Set<KqlCompletionKind>(['column', 'table', 'variable', 'function', 'aggregate', 'parameter']);
      return toArray(this.rt, info?.Items)
        .filter((i: any) => wanted.has(this.completionKinds.get(i.Kind) ?? 'text'))
        .map((i: any) => i.DisplayText as string);
    } catch (err) {
      this.report('namesInScope', err);
      return [];
    }
  }
}

function shiftDiagnostic(d: KqlDiagnostic, by: number): KqlDiagnostic {
  if (by === 0) return d;
  return {
    ...d,
    start: d.start + by,
    ...(d.fixes
      ? { fixes: d.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, start: e.start + by })) })) }
      : {}),
  };
}

/**
 * The part of a selection [start, end) (block offsets) that covers tokens: a selection that starts or ends in
 * whitespace or a comment is narrowed to the tokens it touches, and one that touches none (a comment line)
 * becomes a caret. Kusto offers "Extract Function" for any selection and throws ("negative delete length")
 * when asked to apply it to one made of trivia only.
 */
function tokenSpan(syntax: any, start: number, end: number): [number, number] {
  if (end <= start) return [start, start];
  let first: any;
  let last: any;
  // GetTokenAt answers the token whose span, leading trivia (whitespace, comments) included, holds the offset.
  for (let token = syntax.GetTokenAt(start); token && token.TextStart < end; token = token.GetNextToken()) {
    if (token.Width > 0 && token.TextStart + token.Width > start) {
      first ??= token;
      last = token;
    }
  }
  if (!first) return [start, start];
  return [Math.max(start, first.TextStart), Math.min(end, last.TextStart + last.Width)];
}

function leafTitle(top: any, leaf: any): string {
  const t = typeof leaf.Title === 'string' ? leaf.Title : '';
  return t && t !== 'Apply' ? t : String(top.Title ?? t);
}

/** Kusto's quick info is "signature\n\ndescription"; show the signature as code. */
function formatQuickInfo(text: string): string {
  const [signature, ...rest] = text.split(/\r?\n\r?\n/);
  const code = '```kusto\n' + (signature ?? '').trim() + '\n```';
  const body = rest.join('\n\n').trim();
  return body ? `${code}\n\n${body}` : code;
}
