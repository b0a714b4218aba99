import * as vscode from 'vscode';
import { CommandIds, ContextKeys, ViewIds } from '../constants';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { setContext } from '../infra/contexts';
import { VmTreeProvider } from './vmTree';

export type SessionRowsProvider = () => Promise<readonly NodeVM[]> | readonly NodeVM[];

/**
 * Troubleshooting sessions. Sources (the device engine, hunting results) register row providers;
 * with none or no rows the view shows its welcome content.
 */
export class SessionsView extends Disposable {
  readonly provider: VmTreeProvider;
  readonly treeView: vscode.TreeView<NodeVM>;
  private readonly sources: SessionRowsProvider[] = [];

  constructor(log: ILogger) {
    super();
    this.provider = this.register(new VmTreeProvider(() => this.roots(), log, CommandIds.sessionsRefresh));
    this.treeView = this.register(
      vscode.window.createTreeView(ViewIds.sessions, { treeDataProvider: this.provider, showCollapseAll: true }),
    );
  }

  addSource(source: SessionRowsProvider): vscode.Disposable {
    this.sources.push(source);
    this.provider.refresh();
    return new vscode.Disposable(() => {
      const i = this.sources.indexOf(source);
      if (i >= 0) this.sources.splice(i, 1);
      this.provider.refresh();
    });
  }

  refresh(): void {
    this.provider.refresh();
  }

  private async roots(): Promise<NodeVM[]> {
    const rows: NodeVM[] = [];
    for (const source of this.sources) rows.push(...(await source()));
    void setContext(ContextKeys.sessionsEmpty, rows.length === 0);
    return rows;
  }
}
