/**
 * Messages between the results panel (extension host, src/hunting/resultsPanel.ts) and the grid
 * (webview, main.ts). Pure types shared by both sides. The webview says `ready` first; the host sends
 * nothing before that. Rows travel in chunks so 100,000 rows never make one giant message.
 */
import type { Cell, GridColumn, SortSpec } from './model';

export const RESULTS_VIEW_TYPE = 'defenderTroubleshooting.hunting.results';

/** Rows per `rows` message. */
export const CHUNK_ROWS = 5000;

export interface RunInfo {
  readonly runId: string;
  /** The .kql document the query came from. */
  readonly documentUri: string;
  readonly fileName: string;
  /** 0-based line where the query starts in its document (to run it again after a reload). */
  readonly line?: number;
  /** First line of the query, shortened. */
  readonly queryPreview: string;
  readonly timespan: string;
  readonly timespanLabel: string;
  readonly startedAt: number;
  readonly durationMs?: number;
  readonly requestId?: string;
  /**
   * `list`: a fixed list (the event log) rather than a query: the title is not a link, and the primary button
   * shows `actionLabel` (hidden without one) and posts `rerun` for the host to act on (e.g. load older events).
   */
  readonly mode?: 'query' | 'list';
  readonly actionLabel?: string;
}

export interface Notice {
  readonly level: 'info' | 'warning' | 'error';
  /** A stable code, e.g. `row-limit`, `size-limit`, `grid-limit`. */
  readonly code: string;
  readonly text: string;
}

export interface ErrorInfo {
  /** `syntax`, `semantic`, `quota`, `size-limit`, `row-limit`, `timeout`, `auth`, `network`, `service`… */
  readonly kind: string;
  readonly title: string;
  readonly message: string;
  /** When the query can run again (epoch ms), for quota errors. */
  readonly retryAt?: number;
  /** Where in the editor the problem is, as text ("line 3, column 14"). */
  readonly where?: string;
  readonly requestId?: string;
}

export type HostMessage =
  | { readonly type: 'running'; readonly run: RunInfo }
  | {
      readonly type: 'begin';
      readonly run: RunInfo;
      readonly columns: readonly GridColumn[];
      /** Rows that will arrive (after the grid's own cap). */
      readonly totalRows: number;
      /** Rows the service returned. */
      readonly returnedRows: number;
      readonly notices: readonly Notice[];
    }
  | { readonly type: 'rows'; readonly runId: string; readonly start: number; readonly rows: readonly (readonly Cell[])[] }
  | { readonly type: 'end'; readonly runId: string }
  | { readonly type: 'failed'; readonly run: RunInfo; readonly error: ErrorInfo }
  | { readonly type: 'cancelled'; readonly run: RunInfo }
  /** A restored panel whose rows are gone (results are not kept across reloads). */
  | { readonly type: 'unavailable'; readonly run?: RunInfo }
  | { readonly type: 'status'; readonly text: string };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'viewState'; readonly sort?: SortSpec; readonly filter: string }
  | { readonly type: 'export'; readonly format: 'csv' | 'json'; readonly sort?: SortSpec; readonly filter: string }
  | { readonly type: 'copy'; readonly text: string; readonly rows: number }
  | { readonly type: 'rerun' }
  | { readonly type: 'openQuery' };

/** What the webview keeps with vscode.setState, and what the panel serializer gets back after a reload. */
export interface PersistedState {
  readonly run?: RunInfo;
  readonly sort?: SortSpec;
  readonly filter?: string;
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return (
    type === 'ready' || type === 'viewState' || type === 'export' || type === 'copy' || type === 'rerun' || type === 'openQuery'
  );
}
