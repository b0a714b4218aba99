import * as vscode from 'vscode';
import { CommandIds, SettingIds } from '../constants';
import { Disposable } from '../core/lifecycle';
import { isCommentOnly, splitBlocks } from '../kql/blocks';
import type { HistoryStore } from './historyStore';
import { describeEntry } from './model/history';

/**
 * "▶ Run query" above each query block of a .kql file, and the outcome of the block's last run next to it
 * (which opens the file's history).
 */
export class HuntingCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly history: HistoryStore) {
    super();
    this.register(history.onDidChange(() => this.changed.fire()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SettingIds.huntingCodeLens)) this.changed.fire();
      }),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (vscode.workspace.getConfiguration().get<boolean>(SettingIds.huntingCodeLens) === false) return [];
    const lenses: vscode.CodeLens[] = [];
    const entries = this.history.entries(document.uri.toString());
    const now = Date.now();
    for (const block of splitBlocks(document.getText())) {
      if (isCommentOnly(block)) continue;
      const range = new vscode.Range(block.startLine, 0, block.startLine, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: vscode.l10n.t('$(play) Run query'),
          tooltip: vscode.l10n.t('Run this query with Microsoft Graph advanced hunting'),
          command: CommandIds.huntingRun,
          arguments: [document.uri, block.startLine],
        }),
      );
      const last = entries.find((e) => e.line === block.startLine && e.query.trim() === block.text.trim());
      if (last) {
        const d = describeEntry(last, now);
        lenses.push(
          new vscode.CodeLens(range, {
            title: `${last.status === 'ok' ? '$(pass)' : last.status === 'cancelled' ? '$(circle-slash)' : '$(error)'} ${d.detail} · ${d.description.split(' · ')[0]}`,
            tooltip: vscode.l10n.t('Show this file\'s hunting history'),
            command: CommandIds.huntingShowHistory,
            arguments: [document.uri],
          }),
        );
      }
    }
    return lenses;
  }
}
