/**
 * Editor-neutral results of the KQL service. Offsets are UTF-16 offsets into the text that was analysed (a
 * block or the whole document; the service says which); the language server turns them into LSP positions.
 */
export type KqlSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface KqlTextEdit {
  readonly start: number;
  readonly length: number;
  readonly newText: string;
}

export interface KqlFix {
  readonly title: string;
  readonly edits: readonly KqlTextEdit[];
  /** The fix to apply with "Auto Fix" (one obviously right answer). */
  readonly preferred?: boolean;
}

export interface KqlDiagnostic {
  readonly start: number;
  readonly length: number;
  readonly severity: KqlSeverity;
  /** Kusto's code (KS142, KS500…) or ours (DT001…). */
  readonly code: string;
  readonly message: string;
  /** 'kusto' for the parser, binder and analyzers; 'defender' for this extension's advanced hunting rules. */
  readonly source: 'kusto' | 'defender';
  readonly tags?: readonly ('deprecated' | 'unnecessary')[];
  /** Fixes known when the diagnostic was made (Kusto's analyzer fixes are asked for separately). */
  readonly fixes?: readonly KqlFix[];
}

export type KqlCompletionKind =
  | 'table'
  | 'column'
  | 'function'
  | 'aggregate'
  | 'variable'
  | 'parameter'
  | 'keyword'
  | 'operator'
  | 'type'
  | 'database'
  | 'snippet'
  | 'text';

export interface KqlCompletionItem {
  readonly label: string;
  readonly kind: KqlCompletionKind;
  /** Text that replaces [editStart, editStart + editLength). */
  readonly insertText: string;
  /** Where the caret goes inside insertText (e.g. between parentheses), when not at its end. */
  readonly cursorOffset?: number;
  readonly editStart: number;
  readonly editLength: number;
  readonly sortText: string;
  readonly filterText: string;
  /** Type or table of a column, signature of a function. */
  readonly detail?: string;
  readonly documentation?: string;
}

export interface KqlHover {
  readonly start: number;
  readonly length: number;
  /** Markdown. */
  readonly contents: string;
}

export type KqlSemanticTokenType = 'class' | 'property' | 'function' | 'variable' | 'parameter' | 'namespace' | 'type';

export interface KqlSemanticToken {
  readonly start: number;
  readonly length: number;
  readonly type: KqlSemanticTokenType;
  readonly deprecated?: boolean;
}

export interface KqlCodeAction {
  readonly title: string;
  /** 'quickfix' for fixes of a diagnostic, 'refactor' for Kusto's rewrites. */
  readonly kind: 'quickfix' | 'refactor';
  readonly edits: readonly KqlTextEdit[];
  readonly diagnosticCode?: string;
  readonly preferred?: boolean;
}
