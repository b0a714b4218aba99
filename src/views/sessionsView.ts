import * as vscode from 'vscode';
import { CommandIds, ViewIds } from '../constants';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { RowSourceView } from './vmTree';

/**
 * Troubleshooting sessions, from the device engine (this device) and hunting results (the tenant).
 * With no rows the view shows its welcome content.
 */
export class SessionsView extends RowSourceView {
  /** Set by the session tracker (src/sessions) when it shows the tenant's sessions itself. */
  lifecycleOwnsRows = false;
  private readonly eventsEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires when troubleshooting-mode events were stored (e.g. from a hunting run). */
  readonly onDidChangeEvents = this.eventsEmitter.event;

  constructor(log: ILogger) {
    super(ViewIds.sessions, CommandIds.sessionsRefresh, log);
  }

  eventsChanged(): void {
    this.eventsEmitter.fire();
  }

  protected roots(): Promise<NodeVM[]> {
    return this.sourceRows();
  }
}
