import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { keepUntitledKql, UNTITLED_KQL_KEY } from '../../src/kqlClient/untitledLanguage';
import { MemoryLogger } from '../../src/core/logger';
import { waitFor } from './helpers';

/** An untitled KQL document comes back as KQL after a reload (issue #10, item 13). */
describe('untitled KQL documents across a reload (integration)', () => {
  it('a remembered untitled document restored as Plain Text gets KQL again; a later user choice stays', async () => {
    // What VS Code restores after a reload: the text, as Plain Text.
    const doc = await vscode.workspace.openTextDocument({ content: 'DeviceEvents\n| take 1\n' });
    assert.strictEqual(doc.languageId, 'plaintext');
    // The workspace state written before the reload, and a new session of the extension reading it.
    const state = new Map<string, unknown>([[UNTITLED_KQL_KEY, [doc.uri.toString()]]]);
    const memento = {
      get: <T>(key: string) => state.get(key) as T,
      update: async (key: string, value: unknown) => void state.set(key, value),
      keys: () => [...state.keys()],
    } as vscode.Memento;
    const session = keepUntitledKql(memento, new MemoryLogger());
    try {
      await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc.uri.toString() && d.languageId === 'kql'), 'KQL set again');
      const kql = vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc.uri.toString())!;
      await vscode.languages.setTextDocumentLanguage(kql, 'plaintext');
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc.uri.toString())?.languageId, 'plaintext');
      assert.deepStrictEqual(state.get(UNTITLED_KQL_KEY), []);
    } finally {
      session.dispose();
    }
  });
});
