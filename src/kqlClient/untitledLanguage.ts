import * as vscode from 'vscode';
import { KQL_LANGUAGE_ID } from '../kql/protocol';
import { UntitledMemory } from '../kql/untitledMemory';
import type { ILogger } from '../core/logger';

export const UNTITLED_KQL_KEY = 'defenderTroubleshooting.kql.untitledDocuments';

/**
 * Keeps untitled KQL documents KQL across reloads: remembers them in workspace state and, when one comes back as
 * Plain Text, sets KQL again (see src/kql/untitledMemory.ts). Runs for the documents open at activation and for
 * every document opened later.
 */
export function keepUntitledKql(memento: vscode.Memento, log: ILogger): vscode.Disposable {
  const memory = new UntitledMemory(memento.get<string[]>(UNTITLED_KQL_KEY), KQL_LANGUAGE_ID);
  const save = () => void memento.update(UNTITLED_KQL_KEY, memory.list);
  const onOpen = (doc: vscode.TextDocument) => {
    if (doc.uri.scheme !== 'untitled') return;
    const before = memory.list;
    if (memory.opened(doc.uri.toString(), doc.languageId) === 'restore') {
      log.info(`[kql] ${doc.uri.toString()} came back as Plain Text; setting KQL again`);
      void vscode.languages.setTextDocumentLanguage(doc, KQL_LANGUAGE_ID).then(undefined, (err: unknown) => log.warn(`[kql] could not set KQL on ${doc.uri.toString()}: ${String(err)}`));
    }
    if (memory.list !== before) save();
  };
  for (const doc of vscode.workspace.textDocuments) onOpen(doc);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(onOpen),
    // Saved under a name: the untitled document is gone for good.
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme !== 'untitled') return;
      memory.forget(doc.uri.toString());
      save();
    }),
  );
}
