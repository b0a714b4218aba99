import * as vscode from 'vscode';
import { addHistory, clearHistory, historyFor, readHistoryMap, type HistoryEntry, type HistoryMap } from './model/history';

const KEY = 'defenderTroubleshooting.hunting.history';

/** Run history per file, in workspace state (per workspace, never synced, never result rows). */
export class HistoryStore {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the document URI whose history changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  private get map(): HistoryMap {
    return readHistoryMap(this.memento.get(KEY));
  }

  entries(uri: string): readonly HistoryEntry[] {
    return historyFor(this.map, uri);
  }

  async add(uri: string, entry: HistoryEntry): Promise<void> {
    await this.memento.update(KEY, addHistory(this.map, uri, entry));
    this.changed.fire(uri);
  }

  async clear(uri: string): Promise<void> {
    await this.memento.update(KEY, clearHistory(this.map, uri));
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
