import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import { labelIfSample } from '../infra/sample';
import { bundleUri, exportRows, newNonce, panelOptions, type ExportResult } from '../infra/webviewPanel';
import type { Cell, GridColumn, SortSpec } from '../webview-ui/toolkit/model';
import {
  CHUNK_ROWS,
  isWebviewMessage,
  RESULTS_VIEW_TYPE,
  type ErrorInfo,
  type HostMessage,
  type Notice,
  type PersistedState,
  type RunInfo,
  type WebviewMessage,
} from '../webview-ui/toolkit/protocol';
import { renderResultsHtml } from '../webview-ui/results/html';

type PanelState =
  | { kind: 'empty' }
  | { kind: 'running'; run: RunInfo }
  | {
      kind: 'result';
      run: RunInfo;
      columns: readonly GridColumn[];
      /** Every row the service returned (export uses all of them). */
      rows: readonly (readonly Cell[])[];
      /** Rows shown in the grid (the maxRowsInGrid cap). */
      shown: number;
      notices: readonly Notice[];
    }
  | { kind: 'failed'; run: RunInfo; error: ErrorInfo }
  | { kind: 'cancelled'; run: RunInfo }
  | { kind: 'unavailable'; run?: RunInfo };

export interface PanelHandlers {
  rerun(panel: ResultsPanel): unknown;
  openQuery(panel: ResultsPanel): unknown;
}

export type { ExportResult };

/**
 * One results panel per .kql document. The host keeps the rows (the webview is only a view, so it can be
 * destroyed when hidden and restored from here); messages wait for the webview's `ready`.
 */
export class ResultsPanel extends Disposable {
  private state: PanelState = { kind: 'empty' };
  private ready = false;
  private sending = 0;
  /** The grid's current sort and filter, for export from the command palette. */
  viewState: { sort?: SortSpec; filter: string } = { filter: '' };
  private readonly disposedEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly documentUri: string,
    private readonly extensionUri: vscode.Uri,
    private readonly log: ILogger,
    private readonly handlers: PanelHandlers,
    restored?: PersistedState,
  ) {
    super();
    if (restored?.run) this.state = { kind: 'unavailable', run: restored.run };
    if (restored) this.viewState = { sort: restored.sort, filter: restored.filter ?? '' };
    panel.webview.options = panelOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kql.svg');
    panel.webview.html = this.html();
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this.register(
      panel.onDidChangeViewState((e) => {
        // A hidden webview is torn down (no retainContextWhenHidden); it says `ready` again when shown.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
    );
    this.register(
      panel.onDidDispose(() => {
        this.disposedEmitter.fire();
        this.dispose();
      }),
    );
  }

  /** Ties a disposable to this panel's lifetime. */
  track<T extends { dispose(): unknown }>(d: T): T {
    return this.register(d);
  }

  get run(): RunInfo | undefined {
    return 'run' in this.state ? this.state.run : undefined;
  }

  /** The rows and columns of the last successful run, if any. */
  get result(): { columns: readonly GridColumn[]; rows: readonly (readonly Cell[])[] } | undefined {
    return this.state.kind === 'result' ? { columns: this.state.columns, rows: this.state.rows } : undefined;
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  /** The run the panel shows now; an older run that finishes later does not replace it. */
  private latestRunId: string | undefined;

  showRunning(run: RunInfo): void {
    this.latestRunId = run.runId;
    this.setState({ kind: 'running', run });
  }

  showResult(run: RunInfo, columns: readonly GridColumn[], rows: readonly (readonly Cell[])[], shown: number, notices: readonly Notice[]): void {
    if (this.isStale(run)) return;
    this.setState({ kind: 'result', run, columns, rows, shown: Math.min(shown, rows.length), notices });
  }

  showFailure(run: RunInfo, error: ErrorInfo): void {
    if (this.isStale(run)) return;
    this.setState({ kind: 'failed', run, error });
  }

  showCancelled(run: RunInfo): void {
    if (this.isStale(run)) return;
    this.setState({ kind: 'cancelled', run });
  }

  private isStale(run: RunInfo): boolean {
    return this.latestRunId !== undefined && run.runId !== this.latestRunId;
  }

  status(text: string): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'status', text } satisfies HostMessage);
  }

  private setState(state: PanelState): void {
    this.state = state;
    this.panel.title = titleFor(state, this.documentUri);
    if (this.ready) void this.replay();
  }

  /** Sends the current state; a newer state started meanwhile stops an older send. */
  private async replay(): Promise<void> {
    const token = ++this.sending;
    const post = async (m: HostMessage) => {
      if (token !== this.sending || !this.ready) return false;
      return this.panel.webview.postMessage(m);
    };
    const s = this.state;
    switch (s.kind) {
      case 'empty':
        return;
      case 'running':
        await post({ type: 'running', run: s.run });
        return;
      case 'failed':
        await post({ type: 'failed', run: s.run, error: s.error });
        return;
      case 'cancelled':
        await post({ type: 'cancelled', run: s.run });
        return;
      case 'unavailable':
        await post({ type: 'unavailable', run: s.run });
        return;
      case 'result': {
        if (!(await post({ type: 'begin', run: s.run, columns: s.columns, totalRows: s.shown, returnedRows: s.rows.length, notices: s.notices }))) return;
        for (let start = 0; start < s.shown; start += CHUNK_ROWS) {
          const rows = s.rows.slice(start, Math.min(s.shown, start + CHUNK_ROWS));
          if (!(await post({ type: 'rows', runId: s.run.runId, start, rows }))) return;
        }
        await post({ type: 'end', runId: s.run.runId });
        return;
      }
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) return;
    const m: WebviewMessage = raw;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.replay();
        return;
      case 'viewState':
        this.viewState = { sort: m.sort, filter: m.filter ?? '' };
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        this.status(m.rows > 0 ? (m.rows === 1 ? vscode.l10n.t('Copied 1 row') : vscode.l10n.t('Copied {0} rows', m.rows.toLocaleString('en-US'))) : vscode.l10n.t('Copied the cell'));
        return;
      case 'export':
        this.viewState = { sort: m.sort, filter: m.filter ?? '' };
        try {
          await this.exportTo(m.format);
        } catch (err) {
          this.log.error(`[hunting] export failed: ${err instanceof Error ? err.message : String(err)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Export failed: {0}', err instanceof Error ? err.message : String(err)));
        }
        return;
      case 'rerun':
        await this.handlers.rerun(this);
        return;
      case 'openQuery':
        await this.handlers.openQuery(this);
        return;
    }
  }

  /**
   * Writes the rows in the grid's current view (filter and sort) to a file: asks where with the save
   * dialog unless `target` is given. Returns undefined when the user cancels the dialog.
   */
  async exportTo(format: 'csv' | 'json', target?: vscode.Uri): Promise<ExportResult | undefined> {
    if (this.state.kind !== 'result') throw new Error('There are no results to export in this panel.');
    const { columns, rows } = this.state;
    const doc = vscode.Uri.parse(this.documentUri);
    const base = path.posix.basename(doc.path).replace(/\.[^.]+$/, '') || 'results';
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    return exportRows(
      {
        format,
        columns,
        rows,
        view: this.viewState,
        baseName: `${base}-results-${stamp}`,
        folder: doc.scheme === 'untitled' ? vscode.workspace.workspaceFolders?.[0]?.uri : vscode.Uri.joinPath(doc, '..'),
        target,
        log: this.log,
        logTag: 'hunting',
      },
      (text) => this.status(text),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    return renderResultsHtml({
      cspSource: webview.cspSource,
      scriptUri: bundleUri(webview, this.extensionUri, 'results.js'),
      nonce: newNonce(),
      l10nBundle: vscode.l10n.bundle,
    });
  }
}

function titleFor(state: PanelState, documentUri: string): string {
  const file = path.posix.basename(vscode.Uri.parse(documentUri).path) || 'query';
  switch (state.kind) {
    case 'running':
      return labelIfSample(vscode.l10n.t('Results: {0} (running)', file));
    case 'failed':
      return labelIfSample(vscode.l10n.t('Results: {0} (failed)', file));
    default:
      return labelIfSample(vscode.l10n.t('Results: {0}', file));
  }
}

/** Owns the panels (one per document) and restores them after a reload. */
export class ResultsPanels extends Disposable {
  private readonly panels = new Map<string, ResultsPanel>();
  private lastActive: ResultsPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: ILogger,
    private readonly handlers: PanelHandlers,
  ) {
    super();
  }

  /** Restores a panel VS Code kept across a reload (the serializer is registered at activation, see index.ts). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const persisted = (state && typeof state === 'object' ? state : {}) as PersistedState;
    const uri = persisted.run?.documentUri ?? `untitled:restored-${Date.now()}`;
    this.adopt(panel, uri, persisted);
  }

  /** The panel for a document, created beside the editor if needed. */
  forDocument(documentUri: string): ResultsPanel {
    const existing = this.panels.get(documentUri);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      RESULTS_VIEW_TYPE,
      labelIfSample(vscode.l10n.t('Results')),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      panelOptions(this.extensionUri),
    );
    return this.adopt(panel, documentUri);
  }

  /** The panel the user looked at last (for the export command). */
  get active(): ResultsPanel | undefined {
    for (const p of this.panels.values()) if (p.panel.active) return p;
    return this.lastActive;
  }

  all(): ResultsPanel[] {
    return [...this.panels.values()];
  }

  private adopt(panel: vscode.WebviewPanel, uri: string, restored?: PersistedState): ResultsPanel {
    this.panels.get(uri)?.panel.dispose();
    const p = new ResultsPanel(panel, uri, this.extensionUri, this.log, this.handlers, restored);
    this.panels.set(uri, p);
    this.lastActive = p;
    p.track(
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.lastActive = p;
      }),
    );
    p.onDidDispose(() => {
      if (this.panels.get(uri) === p) this.panels.delete(uri);
      if (this.lastActive === p) this.lastActive = undefined;
    });
    return p;
  }

  override dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    this.panels.clear();
    super.dispose();
  }
}
