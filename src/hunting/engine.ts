/**
 * The part of hunting that runs queries and shows results: bundled separately (dist/hunting.js) and loaded on
 * the first run or panel restore, so activation does not pay for it (see registerHunting).
 */
import type * as vscode from 'vscode';
import type { ILogger } from '../core/logger';
import type { AuthService } from '../infra/auth';
import type { HuntingDiagnostics } from './diagnostics';
import type { HistoryStore } from './historyStore';
import { ResultsPanels } from './resultsPanel';
import { HuntingRunner } from './runner';
import type { HuntingSessionsSource } from './sessionsSource';

export interface HuntingEngineDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly history: HistoryStore;
  readonly diagnostics: HuntingDiagnostics;
  readonly sessions?: HuntingSessionsSource;
  readonly memento: vscode.Memento;
}

export interface HuntingEngine {
  readonly runner: HuntingRunner;
  readonly panels: ResultsPanels;
}

export function createHuntingEngine(deps: HuntingEngineDeps): HuntingEngine {
  // The panels call back into the runner (Run again, Show query); both exist before any message arrives.
  const panels = new ResultsPanels(deps.extensionUri, deps.log, {
    rerun: (panel) => runner.rerun(panel),
    openQuery: (panel) => runner.showQuery(panel),
  });
  const runner: HuntingRunner = new HuntingRunner({
    log: deps.log,
    auth: deps.auth,
    panels,
    history: deps.history,
    diagnostics: deps.diagnostics,
    sessions: deps.sessions,
    memento: deps.memento,
  });
  return { runner, panels };
}
