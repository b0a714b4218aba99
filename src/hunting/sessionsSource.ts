import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import { buildSessions, nextChangeAt } from '../defender/sessions';
import type { SessionsView } from '../views/sessionsView';
import type { GridColumn, Row } from '../webview-ui/results/model';
import { extractTroubleshootEvents, fromStored, mergeEvents, sessionRows, type StoredEvent } from './model/sessionsFeed';

/** globalState key of the troubleshooting-mode events seen in hunting results (shared with the session tracker). */
export const TROUBLESHOOT_EVENTS_KEY = 'defenderTroubleshooting.hunting.troubleshootEvents';
const KEY = TROUBLESHOOT_EVENTS_KEY;
const MAX_TIMER_MS = 60_000;

/**
 * Feeds the Sessions view from hunting results: troubleshooting-mode events seen in any run are kept
 * (7 days, bounded) and turned into session rows; a timer keeps "time left" current while a session is live.
 */
export class HuntingSessionsSource extends Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly view: SessionsView,
    private readonly log: ILogger,
  ) {
    super();
    // When the session tracker (src/sessions) owns the view's rows, this source only stores and signals.
    this.register(view.addSource(() => (view.lifecycleOwnsRows ? [] : sessionRows(this.stored, new Date()))));
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.schedule();
  }

  private get stored(): StoredEvent[] {
    const v = this.memento.get<unknown>(KEY);
    return Array.isArray(v) ? (v as StoredEvent[]).filter((e) => e && typeof e.t === 'string' && typeof e.id === 'string') : [];
  }

  /** Reads a result; returns how many troubleshooting events it held (0 when it is not about them). */
  async ingest(columns: readonly GridColumn[], rows: readonly Row[], query: string): Promise<number> {
    const events = extractTroubleshootEvents(columns, rows, query);
    if (!events || events.length === 0) return 0;
    await this.memento.update(KEY, mergeEvents(this.stored, events, new Date()));
    this.log.info(`[hunting] ${events.length} troubleshooting-mode event(s) fed the Sessions view`);
    this.view.eventsChanged();
    this.view.refresh();
    this.schedule();
    return events.length;
  }

  /** Refreshes the view when a session's state or minute count changes. */
  private schedule(): void {
    clearTimeout(this.timer);
    const now = new Date();
    const sessions = buildSessions(this.stored.map(fromStored));
    const next = sessions
      .map((s) => nextChangeAt(s, now))
      .filter((d): d is Date => !!d)
      .map((d) => d.getTime() - now.getTime());
    if (next.length === 0) return;
    const delay = Math.max(1000, Math.min(MAX_TIMER_MS, ...next));
    this.timer = setTimeout(() => {
      this.view.refresh();
      this.schedule();
    }, delay);
  }
}
