import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import { toDocumentPosition, type HuntingFailure } from './model/errors';

/**
 * Errors the service reported for a query, placed where they are in the editor (Problems panel too).
 * They describe the text as it was when the query ran, so editing the document clears them.
 */
export class HuntingDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('defender-hunting'));

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.collection.has(e.document.uri)) this.collection.delete(e.document.uri);
      }),
    );
    this.register(vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)));
  }

  /** Removes this document's hunting diagnostics within [startLine, endLine]. */
  clear(uri: vscode.Uri, startLine: number, endLine: number): void {
    const kept = (this.collection.get(uri) ?? []).filter((d) => d.range.end.line < startLine || d.range.start.line > endLine);
    this.collection.set(uri, kept);
  }

  /** Adds a diagnostic for a failure with a position; returns its range (undefined when there is no position). */
  place(document: vscode.TextDocument, origin: { line: number; character: number }, failure: HuntingFailure): vscode.Range | undefined {
    if (!failure.position) return undefined;
    const p = toDocumentPosition(origin, failure.position);
    const line = Math.min(p.line, document.lineCount - 1);
    const text = document.lineAt(line).text;
    const start = Math.min(p.character, Math.max(0, text.length - 1));
    const end = Math.max(start + 1, Math.min(p.endCharacter, text.length));
    const range = new vscode.Range(line, start, line, end);
    const diagnostic = new vscode.Diagnostic(range, `${failure.title}: ${failure.message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Defender hunting';
    diagnostic.code = failure.kind;
    this.collection.set(document.uri, [...(this.collection.get(document.uri) ?? []), diagnostic]);
    return range;
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }
}
