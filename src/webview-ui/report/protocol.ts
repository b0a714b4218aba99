/**
 * Messages between the performance report panel (src/device/performance.ts) and its webview (main.ts). The tables
 * are the pure model's (src/defender/performance.ts reportTables); the webview sorts them and draws the charts.
 */
import type { ExclusionTarget, ReportTable, TableRow } from '../../defender/performance';

// The pure model's types, not copies: a type-only import adds nothing to the webview bundle.
export type ReportExclusionTarget = ExclusionTarget;
export type ReportRow = TableRow;
export type ReportTableData = ReportTable;

export interface ReportInfo {
  readonly device: string;
  readonly recordedAt: string;
  readonly seconds: number;
  readonly hasPaths: boolean;
  readonly notices: readonly string[];
}

export type ReportHostMessage =
  | { readonly type: 'report'; readonly info: ReportInfo; readonly tables: readonly ReportTableData[] }
  | { readonly type: 'exclusionResult'; readonly target: ReportExclusionTarget; readonly outcome: string; readonly ok: boolean };

export type ReportWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'addExclusion'; readonly target: ReportExclusionTarget }
  | { readonly type: 'rendered'; readonly charts: number; readonly tables: number };

export function isReportWebviewMessage(v: unknown): v is ReportWebviewMessage {
  if (!v || typeof v !== 'object') return false;
  const m = v as { type?: unknown; target?: { list?: unknown; value?: unknown } };
  if (m.type === 'ready' || m.type === 'rendered') return true;
  return (
    m.type === 'addExclusion' &&
    !!m.target &&
    (m.target.list === 'paths' || m.target.list === 'extensions' || m.target.list === 'processes') &&
    typeof m.target.value === 'string' &&
    m.target.value.length > 0
  );
}

export const REPORT_CSS_EXTRA = `
#app { display: block; height: auto; overflow: auto; padding: 8px 12px; }
body { overflow: auto; }
header h1 { font-size: 1.3em; margin: 4px 0; }
header .meta { color: var(--vscode-descriptionForeground); }
section.table { margin: 16px 0 24px; }
section.table h2 { font-size: 1.1em; margin: 8px 0; }
.chart { position: relative; height: 220px; max-width: 900px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--vscode-editorGroup-border, transparent); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 520px; }
th { user-select: none; font-family: var(--vscode-font-family); font-weight: 600; }
th button.sort { display: block; width: 100%; color: inherit; background: none; border: none; border-radius: 0; padding: 0; font: inherit; font-weight: 600; cursor: pointer; text-align: left; }
th button.sort:hover { background: none; text-decoration: underline; }
th button.sort:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
th[aria-sort="ascending"] button.sort::after { content: ' ▲'; }
th[aria-sort="descending"] button.sort::after { content: ' ▼'; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
td button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
tr:focus-within td { background: var(--vscode-list-hoverBackground); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: var(--vscode-list-hoverBackground); }
td .result { margin-left: 6px; color: var(--vscode-descriptionForeground); }
td .result.ok { color: var(--vscode-testing-iconPassed, inherit); }
td .result.bad { color: var(--vscode-errorForeground); }
`;
