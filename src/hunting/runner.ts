import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuthRequiredError } from '../api/errors';
import { GraphHuntingClient } from '../api/graph';
import { RestClient } from '../api/http';
import { DEFAULT_GRAPH_ENDPOINT, graphHuntingScope, normalizeEndpoint } from '../api/endpoints';
import { validateTimespan } from '../api/timespan';
import { SettingIds } from '../constants';
import { DefenderToolError, isCancellation, UserCancelledError, WorkspaceNotTrustedError } from '../core/errors';
import type { ILogger } from '../core/logger';
import type { AuthService } from '../infra/auth';
import { blockAt, isCommentOnly, selectionIsQuery, splitBlocks } from '../kql/blocks';
import { columnsFromSchema, rowsFromResults, type GridColumn, type Row } from '../webview-ui/results/model';
import type { ErrorInfo, RunInfo } from '../webview-ui/results/protocol';
import type { HuntingDiagnostics } from './diagnostics';
import type { HistoryStore } from './historyStore';
import { classifyHuntingError, limitNotices, toDocumentPosition, type HuntingFailure } from './model/errors';
import { firstLine, type HistoryEntry } from './model/history';
import { CUSTOM_TIMESPAN, labelFor, timespanChoices } from './model/timespans';
import type { ResultsPanel, ResultsPanels } from './resultsPanel';
import type { HuntingSessionsSource } from './sessionsSource';

/** A query to run: its text and where it sits in its document. */
export interface RunRequest {
  readonly documentUri: string;
  readonly query: string;
  /** Where the query text starts in the document (0-based). */
  readonly origin: { readonly line: number; readonly character: number };
  readonly timespan: string;
}

export type RunOutcome =
  | { readonly status: 'ok'; readonly runId: string; readonly rowCount: number; readonly columns: readonly GridColumn[]; readonly sessionEvents: number }
  | { readonly status: 'error'; readonly runId: string; readonly failure: HuntingFailure }
  | { readonly status: 'cancelled'; readonly runId: string };

export interface RunnerDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly panels: ResultsPanels;
  readonly history: HistoryStore;
  readonly diagnostics: HuntingDiagnostics;
  readonly sessions?: HuntingSessionsSource;
  readonly memento: vscode.Memento;
  /** Workspace Trust; `vscode.workspace.isTrusted` unless a test says otherwise. */
  readonly isTrusted?: () => boolean;
}

const LAST_TIMESPAN_KEY = 'defenderTroubleshooting.hunting.lastTimespan';

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration();
}

/** Runs hunting queries: picks the query and timespan, calls Graph, and shows what came back where it belongs. */
export class HuntingRunner {
  private readonly requests = new Map<string, RunRequest>();

  constructor(private readonly deps: RunnerDeps) {}

  /**
   * The command: `(uri?, line?)` from the code lens, or nothing from the palette (the selection, else the
   * query block at the cursor). A third argument `{ timespan }` skips the picker (for automation and tests).
   */
  async runCommand(uriArg?: vscode.Uri | string, lineArg?: number, options?: { timespan?: string }): Promise<RunOutcome> {
    // Early, so an untrusted workspace is not asked for a timespan first; run() checks again where it sends.
    if (!this.trusted()) throw new WorkspaceNotTrustedError(vscode.l10n.t('Running a hunting query'));
    const { document, query, origin } = await this.pickQuery(uriArg, lineArg);
    const timespan = options?.timespan ?? (await this.pickTimespan(document.uri.toString()));
    const invalid = validateTimespan(timespan);
    if (invalid) throw new DefenderToolError('bad-timespan', invalid, { expected: true });
    return this.run({ documentUri: document.uri.toString(), query, origin, timespan });
  }

  /** Runs a request again (the panel's "Run again", history), re-reading the query from its file when it is open. */
  async rerun(panel: ResultsPanel): Promise<RunOutcome | undefined> {
    const runId = panel.run?.runId;
    const previous = runId ? this.requests.get(runId) : undefined;
    if (previous) return this.run(previous);
    if (panel.run) {
      // Restored after a reload: the query is in the file at the recorded place; run the block there.
      return this.runCommand(vscode.Uri.parse(panel.run.documentUri), panel.run.line, { timespan: panel.run.timespan });
    }
    return undefined;
  }

  private trusted(): boolean {
    return this.deps.isTrusted ? this.deps.isTrusted() : vscode.workspace.isTrusted;
  }

  async showQuery(panel: ResultsPanel): Promise<void> {
    const previous = panel.run ? this.requests.get(panel.run.runId) : undefined;
    const uri = vscode.Uri.parse(panel.documentUri);
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
    if (previous) {
      const lines = previous.query.split(/\r\n|\r|\n/);
      const end = new vscode.Position(previous.origin.line + lines.length - 1, (lines.length === 1 ? previous.origin.character : 0) + lines[lines.length - 1]!.length);
      const start = new vscode.Position(previous.origin.line, previous.origin.character);
      editor.selection = new vscode.Selection(start, end);
      editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  private async pickQuery(
    uriArg: vscode.Uri | string | undefined,
    lineArg: number | undefined,
  ): Promise<{ document: vscode.TextDocument; query: string; origin: { line: number; character: number } }> {
    let document: vscode.TextDocument;
    let editor = vscode.window.activeTextEditor;
    if (uriArg) {
      const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg;
      document = await vscode.workspace.openTextDocument(uri);
      if (editor?.document.uri.toString() !== uri.toString()) editor = undefined;
    } else if (editor) {
      document = editor.document;
    } else {
      throw new DefenderToolError('no-query', vscode.l10n.t('Open a .kql file and put the cursor in a query to run it.'), { expected: true });
    }
    if (lineArg === undefined && editor && !editor.selection.isEmpty) {
      // A selection is the query only when it covers a whole line; a selected word or snippet placeholder is not.
      const start = document.offsetAt(editor.selection.start);
      const end = document.offsetAt(editor.selection.end);
      const text = document.getText(editor.selection);
      if (text.trim() && selectionIsQuery(document.getText(), start, end)) {
        return { document, query: text, origin: { line: editor.selection.start.line, character: editor.selection.start.character } };
      }
    }
    const text = document.getText();
    const offset =
      lineArg !== undefined
        ? document.offsetAt(new vscode.Position(Math.min(lineArg, document.lineCount - 1), 0))
        : editor
          ? document.offsetAt(editor.selection.active)
          : 0;
    const block = blockAt(splitBlocks(text), offset);
    if (!block || isCommentOnly(block)) {
      throw new DefenderToolError('no-query', vscode.l10n.t('There is no query at the cursor. Queries are separated by blank lines; put the cursor inside one.'), { expected: true });
    }
    return { document, query: block.text, origin: { line: block.startLine, character: 0 } };
  }

  private async pickTimespan(documentUri: string): Promise<string> {
    const lastUsed = this.deps.memento.get<Record<string, string>>(LAST_TIMESPAN_KEY)?.[documentUri];
    const { choices, active } = timespanChoices(cfg().get<string>(SettingIds.huntingDefaultTimespan) ?? 'P30D', lastUsed);
    type Item = vscode.QuickPickItem & { value: string };
    const items: Item[] = [
      ...choices.map((c) => ({ label: c.label, description: c.value, detail: c.detail, value: c.value })),
      { label: vscode.l10n.t('Custom…'), description: vscode.l10n.t('ISO 8601: P3D, PT6H, start/end, duration/end, start/duration'), value: CUSTOM_TIMESPAN },
    ];
    const picked = await new Promise<Item | undefined>((resolve) => {
      const qp = vscode.window.createQuickPick<Item>();
      qp.title = vscode.l10n.t('Run hunting query: timespan');
      qp.placeholder = vscode.l10n.t('Time range to search (the query\'s own ago() filters apply too)');
      qp.items = items;
      qp.activeItems = items.filter((i) => i.value === active);
      let done = false;
      qp.onDidAccept(() => {
        done = true;
        resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
        qp.hide();
      });
      qp.onDidHide(() => {
        if (!done) resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
    if (!picked) throw new UserCancelledError();
    let value = picked.value;
    if (value === CUSTOM_TIMESPAN) {
      const custom = await vscode.window.showInputBox({
        title: vscode.l10n.t('Run hunting query: custom timespan'),
        prompt: vscode.l10n.t('ISO 8601 timespan, e.g. P3D, PT6H, 2025-05-01T00:00:00Z/2025-05-02T00:00:00Z, P1D/2025-05-02T00:00:00Z'),
        value: lastUsed ?? 'P1D',
        validateInput: (v) => validateTimespan(v),
      });
      if (!custom) throw new UserCancelledError();
      value = custom.trim();
    }
    const map = { ...(this.deps.memento.get<Record<string, string>>(LAST_TIMESPAN_KEY) ?? {}), [documentUri]: value };
    await this.deps.memento.update(LAST_TIMESPAN_KEY, map);
    return value;
  }

  /**
   * The Graph client for one run. Every run (the command, the panel's Run again, the history's Run again) gets its
   * client here, so this is where Restricted Mode is enforced: no query and no token leave an untrusted workspace.
   */
  private client(): { client: GraphHuntingClient; endpoint: string; scopes: string[] } {
    if (!this.trusted()) throw new WorkspaceNotTrustedError(vscode.l10n.t('Running a hunting query'));
    const endpoint = normalizeEndpoint(cfg().get<string>(SettingIds.graphEndpoint), DEFAULT_GRAPH_ENDPOINT, SettingIds.graphEndpoint);
    const scopes = [graphHuntingScope(endpoint)];
    const rest = new RestClient({
      baseUrl: endpoint,
      name: 'graph',
      log: this.deps.log,
      // First token: interactive (running a query is a user action). After a 401: look the session up again, silently.
      getToken: async ({ refresh }) => this.deps.auth.getToken(!refresh, scopes),
    });
    return { client: new GraphHuntingClient(rest), endpoint, scopes };
  }

  /** Runs one request end to end. Never throws for service errors: they go to the panel and the editor. */
  async run(request: RunRequest): Promise<RunOutcome> {
    const runId = randomUUID();
    this.requests.set(runId, request);
    const uri = vscode.Uri.parse(request.documentUri);
    const fileName = path.posix.basename(uri.path) || request.documentUri;
    const timespanLabel = labelFor(request.timespan);
    const startedAt = Date.now();
    let run: RunInfo = {
      runId,
      documentUri: request.documentUri,
      fileName,
      line: request.origin.line,
      queryPreview: firstLine(request.query, 120),
      timespan: request.timespan,
      timespanLabel,
      startedAt,
    };
    // Settings problems (a bad endpoint) surface before anything opens.
    const { client, endpoint, scopes } = this.client();
    // Sign in before anything opens or is recorded: a cancelled sign-in ends silently, without a trace in the
    // panel or the history (the command's error path treats UserCancelledError as silent).
    if (!(await this.deps.auth.getToken(true, scopes))) throw new AuthRequiredError();
    const panel = this.deps.panels.forDocument(request.documentUri);
    panel.showRunning(run);
    const lineCount = request.query.split(/\r\n|\r|\n/).length;
    const record = (outcome: Pick<HistoryEntry, 'status'> & Partial<HistoryEntry>) =>
      this.deps.history.add(request.documentUri, {
        id: runId,
        at: startedAt,
        query: request.query,
        timespan: request.timespan,
        line: request.origin.line,
        ...outcome,
      });
    this.deps.diagnostics.clear(uri, request.origin.line, request.origin.line + lineCount - 1);
    this.deps.log.info(`[hunting] run ${runId.slice(0, 8)}: ${fileName}:${request.origin.line + 1}, timespan ${request.timespan}, ${endpoint}`);

    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Defender: running hunting query ({0})', timespanLabel), cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          try {
            return await client.runHuntingQuery(request.query, {
              timespan: request.timespan,
              signal: controller.signal,
              onRetry: (n) => {
                const why = n.status === 429 ? 'throttled' : n.status ? `HTTP ${n.status}` : n.reason;
                const text = vscode.l10n.t('{0}: retrying in {1} s (attempt {2})', why, Math.ceil(n.delayMs / 1000), n.attempt);
                progress.report({ message: text });
                panel.status(text);
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      const columns = columnsFromSchema(result.schema);
      const rows: Row[] = rowsFromResults(columns, result.results);
      const maxRows = Math.max(1000, Math.min(100_000, cfg().get<number>(SettingIds.huntingMaxRowsInGrid) ?? 100_000));
      const shown = Math.min(rows.length, maxRows);
      run = { ...run, durationMs: Date.now() - startedAt, requestId: result.requestId };
      panel.showResult(run, columns, rows, shown, limitNotices(rows.length, shown, timespanLabel.toLowerCase()));
      await record({ status: 'ok', rowCount: rows.length, durationMs: run.durationMs });
      const sessionEvents = (await this.deps.sessions?.ingest(columns, rows, request.query)) ?? 0;
      this.deps.log.info(`[hunting] run ${runId.slice(0, 8)}: ${rows.length} rows in ${run.durationMs} ms`);
      return { status: 'ok', runId, rowCount: rows.length, columns, sessionEvents };
    } catch (err) {
      run = { ...run, durationMs: Date.now() - startedAt };
      if (isCancellation(err)) {
        panel.showCancelled(run);
        await record({ status: 'cancelled' });
        this.deps.log.info(`[hunting] run ${runId.slice(0, 8)} cancelled`);
        return { status: 'cancelled', runId };
      }
      const failure = classifyHuntingError(err, request.query, Date.now());
      this.deps.log.warn(`[hunting] run ${runId.slice(0, 8)} failed: ${failure.kind}: ${failure.message}`);
      let where: string | undefined;
      if (failure.position) {
        const doc = await vscode.workspace.openTextDocument(uri);
        const range = this.deps.diagnostics.place(doc, request.origin, failure);
        if (range) where = `line ${range.start.line + 1}, column ${range.start.character + 1}`;
      }
      const info: ErrorInfo = {
        kind: failure.kind,
        title: failure.title,
        message: failure.message,
        retryAt: failure.retryAt,
        where,
        requestId: failure.requestId,
      };
      panel.showFailure(run, info);
      await record({ status: 'error', error: failure.title, durationMs: run.durationMs });
      this.notify(failure, uri, request, where);
      if (err instanceof AuthRequiredError) {
        if (err.status === 401) this.deps.auth.noteTokenRejected();
        // The command's error path shows it with a "Sign In" button.
        throw err;
      }
      return { status: 'error', runId, failure };
    }
  }

  /** One notification per failure, not awaited (the run's result must not wait for a click). */
  private notify(failure: HuntingFailure, uri: vscode.Uri, request: RunRequest, where: string | undefined): void {
    if (failure.kind === 'auth') return;
    const text = where ? vscode.l10n.t('{0} at {1}: {2}', failure.title, where, failure.message) : `${failure.title}: ${failure.message}`;
    const show = failure.position ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const actions = failure.position ? [vscode.l10n.t('Go to Error')] : failure.kind === 'quota' || failure.kind === 'throttled' ? [] : [vscode.l10n.t('Show Log')];
    void show(text, ...actions).then(async (choice) => {
      if (choice === vscode.l10n.t('Show Log')) await vscode.commands.executeCommand('defenderTroubleshooting.showLog');
      if (choice === vscode.l10n.t('Go to Error') && failure.position) {
        const p = toDocumentPosition(request.origin, failure.position);
        const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
        const pos = new vscode.Position(p.line, p.character);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    });
  }
}
