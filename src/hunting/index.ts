import * as vscode from 'vscode';
import { CommandIds, ContextKeys } from '../constants';
import { DefenderToolError, UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import type { AuthService } from '../infra/auth';
import { registerCommand } from '../infra/commandRunner';
import { setContext } from '../infra/contexts';
import type { SessionsView } from '../views/sessionsView';
import { HuntingCodeLensProvider } from './codeLens';
import { HuntingDiagnostics } from './diagnostics';
import { HistoryStore } from './historyStore';
import { describeEntry, type HistoryEntry } from './model/history';
import { labelFor } from './model/timespans';
import type { HuntingEngine } from './engine';
import type { ExportResult, ResultsPanels } from './resultsPanel';
import type { HuntingRunner, RunOutcome } from './runner';
import { HuntingSessionsSource } from './sessionsSource';
import { RESULTS_VIEW_TYPE } from '../webview-ui/results/protocol';

export interface HuntingDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly sessions?: SessionsView;
  /** Where the troubleshooting events of hunting runs persist: globalState, kept apart for the sample tenant. */
  readonly state?: vscode.Memento;
}

export interface HuntingApi {
  readonly runner: HuntingRunner;
  readonly panels: ResultsPanels;
  readonly history: HistoryStore;
  readonly diagnostics: HuntingDiagnostics;
}

/**
 * Advanced hunting from .kql files: a code lens and a command run the query at the cursor through Graph
 * runHuntingQuery, results open in a virtualised grid, errors land where they are, runs are remembered per
 * file, and troubleshooting-mode events feed the Sessions view.
 */
export function registerHunting(context: vscode.ExtensionContext, deps: HuntingDeps): HuntingApi {
  const log = componentLogger(deps.log, 'hunting');
  const history = new HistoryStore(context.workspaceState);
  const diagnostics = new HuntingDiagnostics();
  const sessions = deps.sessions ? new HuntingSessionsSource(deps.state ?? context.globalState, deps.sessions, log) : undefined;
  // The run engine (runner, results panels, grid model) is its own bundle, loaded on first use: activation
  // only registers the code lens, the commands and the panel serializer.
  let engine: HuntingEngine | undefined;
  const getEngine = (): HuntingEngine => {
    if (!engine) {
      const mod = require(context.asAbsolutePath('dist/hunting.js')) as typeof import('./engine');
      engine = mod.createHuntingEngine({
        extensionUri: context.extensionUri,
        log,
        auth: deps.auth,
        history,
        diagnostics,
        sessions,
        memento: context.workspaceState,
      });
      context.subscriptions.push(engine.panels);
    }
    return engine;
  };
  const lenses = new HuntingCodeLensProvider(history);
  context.subscriptions.push(history, diagnostics, lenses);
  if (sessions) context.subscriptions.push(sessions);

  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider({ language: 'kql' }, lenses),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => getEngine().panels.restore(panel, state),
    }),
    registerCommand(
      CommandIds.huntingRun,
      async (uri?: vscode.Uri | string, line?: number, options?: { timespan?: string }) => {
        const outcome = await getEngine().runner.runCommand(uri, typeof line === 'number' ? line : undefined, options);
        if (outcome?.status === 'ok') void setContext(ContextKeys.huntingHasResults, true);
        return outcome;
      },
      deps.log,
    ),
    registerCommand(CommandIds.huntingShowHistory, (uri?: vscode.Uri | string) => showHistory(() => getEngine().runner, history, uri), deps.log),
    registerCommand(
      CommandIds.huntingExportResults,
      (format?: 'csv' | 'json', target?: vscode.Uri | string) => exportResults(engine?.panels, format, target),
      deps.log,
    ),
  );
  return {
    get runner() {
      return getEngine().runner;
    },
    get panels() {
      return getEngine().panels;
    },
    history,
    diagnostics,
  };
}

async function showHistory(runner: () => HuntingRunner, history: HistoryStore, uriArg?: vscode.Uri | string): Promise<RunOutcome | HistoryEntry | undefined> {
  const uri = uriArg ? (typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) throw new DefenderToolError('no-file', vscode.l10n.t('Open a .kql file to see its hunting history.'));
  const entries = history.entries(uri.toString());
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No hunting queries have run from this file yet.'));
    return undefined;
  }
  type Item = vscode.QuickPickItem & { entry?: HistoryEntry; clear?: true };
  const now = Date.now();
  const items: Item[] = [
    ...entries.map((entry) => ({ ...describeEntry(entry, now), entry })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: vscode.l10n.t('$(clear-all) Clear this file\'s history'), clear: true },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Hunting history: {0}', String(uri.path.split('/').pop())),
    placeHolder: vscode.l10n.t('Pick a run to run it again, show its query or copy it'),
    matchOnDetail: true,
    matchOnDescription: true,
  });
  if (!picked) throw new UserCancelledError();
  if (picked.clear) {
    await history.clear(uri.toString());
    return undefined;
  }
  const entry = picked.entry!;
  type Action = vscode.QuickPickItem & { id: 'run' | 'show' | 'copy' };
  const action = await vscode.window.showQuickPick<Action>(
    [
      { id: 'run', label: vscode.l10n.t('$(play) Run again'), description: labelFor(entry.timespan) },
      { id: 'show', label: vscode.l10n.t('$(go-to-file) Show the query in the file'), description: vscode.l10n.t('line {0}', entry.line + 1) },
      { id: 'copy', label: vscode.l10n.t('$(copy) Copy the query') },
    ],
    { title: describeEntry(entry, now).label.replace(/^\$\([\w-]+\) /, '') },
  );
  if (!action) throw new UserCancelledError();
  if (action.id === 'copy') {
    await vscode.env.clipboard.writeText(entry.query);
    return entry;
  }
  if (action.id === 'show') {
    const editor = await vscode.window.showTextDocument(uri);
    const pos = new vscode.Position(Math.min(entry.line, editor.document.lineCount - 1), 0);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return entry;
  }
  return runner().run({ documentUri: uri.toString(), query: entry.query, origin: { line: entry.line, character: 0 }, timespan: entry.timespan });
}

async function exportResults(panels: ResultsPanels | undefined, format?: 'csv' | 'json', target?: vscode.Uri | string): Promise<ExportResult | undefined> {
  const panel = panels?.active;
  if (!panel?.result) throw new DefenderToolError('no-results', vscode.l10n.t('Run a hunting query first: there are no results to export.'));
  let chosen = format;
  if (chosen !== 'csv' && chosen !== 'json') {
    const pick = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('CSV'), description: vscode.l10n.t('for spreadsheets (formula-safe)'), value: 'csv' as const },
        { label: vscode.l10n.t('JSON'), description: vscode.l10n.t('an array of objects with typed values'), value: 'json' as const },
      ],
      { title: vscode.l10n.t('Export hunting results') },
    );
    if (!pick) throw new UserCancelledError();
    chosen = pick.value;
  }
  const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
  return panel.exportTo(chosen, uri);
}
