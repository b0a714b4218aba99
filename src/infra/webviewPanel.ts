/**
 * The VS Code side of the webview toolkit (src/webview-ui/toolkit/): panel options limited to dist/webview, a fresh
 * nonce per render, bundle URIs, export of grid rows through the save dialog, and `GridListPanel`, a panel that
 * shows a fixed list (the event log) in the same grid the hunting results use (sort, filter, copy, export).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import { renderGridHtml } from '../webview-ui/toolkit/html';
import { computeView, toCsv, toJson, type Cell, type GridColumn, type SortSpec } from '../webview-ui/toolkit/model';
import { CHUNK_ROWS, isWebviewMessage, type HostMessage, type Notice, type RunInfo } from '../webview-ui/toolkit/protocol';

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Scripts on, and nothing but the extension's dist/webview folder readable. */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/** A bundle in dist/webview as the webview must address it. */
export function bundleUri(webview: vscode.Webview, extensionUri: vscode.Uri, name: string): string {
  return webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
}

export interface ExportResult {
  readonly uri: vscode.Uri;
  readonly rows: number;
  readonly format: 'csv' | 'json';
}

export interface ExportRequest {
  readonly format: 'csv' | 'json';
  readonly columns: readonly GridColumn[];
  readonly rows: readonly (readonly Cell[])[];
  readonly view: { sort?: SortSpec; filter?: string };
  /** File name without extension, e.g. `query-results-202612021300`. */
  readonly baseName: string;
  readonly folder?: vscode.Uri;
  /** Write here without asking. */
  readonly target?: vscode.Uri;
  readonly log: ILogger;
  readonly logTag: string;
}

/** Writes the rows of the grid's current view (filter, then sort). Undefined when the user cancels the dialog. */
export async function exportRows(r: ExportRequest, status?: (text: string) => void): Promise<ExportResult | undefined> {
  const indices = computeView(r.columns, r.rows, r.view);
  let uri = r.target;
  if (!uri) {
    const name = `${r.baseName}.${r.format}`;
    uri = await vscode.window.showSaveDialog({
      defaultUri: r.folder ? vscode.Uri.joinPath(r.folder, name) : undefined,
      filters: r.format === 'csv' ? { 'CSV (comma-separated)': ['csv'] } : { JSON: ['json'] },
      title: vscode.l10n.t('Export {0} rows as {1}', indices.length.toLocaleString('en-US'), r.format.toUpperCase()),
    });
    if (!uri) return undefined;
  }
  const text = r.format === 'csv' ? toCsv(r.columns, r.rows, indices) : toJson(r.columns, r.rows, indices);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  r.log.info(`[${r.logTag}] exported ${indices.length} rows as ${r.format} to ${uri.toString(true)}`);
  status?.(vscode.l10n.t('Exported {0} rows', indices.length.toLocaleString('en-US')));
  if (!r.target) {
    const saved = uri;
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Exported {0} rows to {1}.', indices.length.toLocaleString('en-US'), String(saved.path.split('/').pop())), vscode.l10n.t('Open File'))
      .then((choice) => (choice ? vscode.commands.executeCommand('vscode.open', saved) : undefined));
  }
  return { uri, rows: indices.length, format: r.format };
}

export interface GridList {
  readonly run: RunInfo;
  readonly columns: readonly GridColumn[];
  readonly rows: readonly (readonly Cell[])[];
  readonly notices: readonly Notice[];
}

/**
 * A fixed list in the toolkit grid. The host keeps the rows (the webview is only a view and is rebuilt when shown
 * again); the primary button (`run.actionLabel`) calls `onAction`.
 */
export class GridListPanel extends Disposable {
  private ready = false;
  private sending = 0;
  private list: GridList | undefined;
  private view: { sort?: SortSpec; filter: string } = { filter: '' };
  private readonly disposedEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: ILogger,
    private readonly onAction: (panel: GridListPanel) => unknown,
    private readonly label: string,
  ) {
    super();
    panel.webview.options = panelOptions(extensionUri);
    panel.webview.html = renderGridHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: bundleUri(panel.webview, extensionUri, 'results.js'),
      nonce: newNonce(),
      l10nBundle: vscode.l10n.bundle,
      title: panel.title,
      label,
    });
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this.register(panel.onDidChangeViewState((e) => (e.webviewPanel.visible ? undefined : (this.ready = false))));
    this.register(
      panel.onDidDispose(() => {
        this.disposedEmitter.fire();
        this.dispose();
      }),
    );
  }

  static create(viewType: string, title: string, extensionUri: vscode.Uri, log: ILogger, onAction: (p: GridListPanel) => unknown): GridListPanel {
    const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.Active }, panelOptions(extensionUri));
    return new GridListPanel(panel, extensionUri, log, onAction, title);
  }

  get current(): GridList | undefined {
    return this.list;
  }

  show(list: GridList): void {
    this.list = list;
    if (this.ready) void this.replay();
  }

  loading(run: RunInfo): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'running', run } satisfies HostMessage);
  }

  status(text: string): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'status', text } satisfies HostMessage);
  }

  private async replay(): Promise<void> {
    const token = ++this.sending;
    const list = this.list;
    if (!list) return;
    const post = async (m: HostMessage) => token === this.sending && this.ready && this.panel.webview.postMessage(m);
    if (!(await post({ type: 'begin', run: list.run, columns: list.columns, totalRows: list.rows.length, returnedRows: list.rows.length, notices: list.notices }))) return;
    for (let start = 0; start < list.rows.length; start += CHUNK_ROWS) {
      if (!(await post({ type: 'rows', runId: list.run.runId, start, rows: list.rows.slice(start, start + CHUNK_ROWS) }))) return;
    }
    await post({ type: 'end', runId: list.run.runId });
  }

  async exportTo(format: 'csv' | 'json', target?: vscode.Uri): Promise<ExportResult | undefined> {
    if (!this.list) throw new Error('There is nothing to export in this panel.');
    return exportRows(
      {
        format,
        columns: this.list.columns,
        rows: this.list.rows,
        view: this.view,
        baseName: `${this.label.replace(/[^\w.-]+/g, '-').toLowerCase()}-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`,
        folder: vscode.workspace.workspaceFolders?.[0]?.uri,
        target,
        log: this.log,
        logTag: 'grid',
      },
      (t) => this.status(t),
    );
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isWebviewMessage(raw)) return;
    switch (raw.type) {
      case 'ready':
        this.ready = true;
        await this.replay();
        return;
      case 'viewState':
        this.view = { sort: raw.sort, filter: raw.filter ?? '' };
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(raw.text);
        this.status(raw.rows > 0 ? (raw.rows === 1 ? vscode.l10n.t('Copied 1 row') : vscode.l10n.t('Copied {0} rows', raw.rows.toLocaleString('en-US'))) : vscode.l10n.t('Copied the cell'));
        return;
      case 'export':
        this.view = { sort: raw.sort, filter: raw.filter ?? '' };
        try {
          await this.exportTo(raw.format);
        } catch (err) {
          void vscode.window.showErrorMessage(vscode.l10n.t('Export failed: {0}', err instanceof Error ? err.message : String(err)));
        }
        return;
      case 'rerun':
        await this.onAction(this);
        return;
      case 'openQuery':
        return;
    }
  }
}
