/**
 * The results panel's HTML (pure, so tests can serve exactly what users get): a strict CSP where only
 * nonce'd script and style run, the stylesheet inlined, and the grid's skeleton that main.ts fills.
 */
import { RESULTS_CSS } from './styles';

export interface HtmlOptions {
  /** The webview's `cspSource` (what may serve images and fonts). */
  readonly cspSource: string;
  /** URL of dist/webview/results.js as the webview sees it. */
  readonly scriptUri: string;
  /** A fresh random nonce per render. */
  readonly nonce: string;
}

export function renderResultsHtml({ cspSource, scriptUri, nonce }: HtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Hunting results</title>
<style nonce="${nonce}">${RESULTS_CSS}</style>
</head>
<body>
<div id="app">
  <header class="toolbar">
    <div class="title"><span id="run-query" class="query" role="link" tabindex="0"></span><span id="run-meta" class="meta"></span></div>
    <input id="filter" type="search" spellcheck="false" placeholder="Filter: text, Column:value, Column>value" aria-label="Filter rows">
    <span id="count" role="status" aria-live="polite"></span>
    <button id="copy" title="Copy the selected rows (or all rows shown) as tab-separated text">Copy</button>
    <button id="export-csv" title="Save the rows shown as CSV">Export CSV</button>
    <button id="export-json" title="Save the rows shown as JSON">Export JSON</button>
    <button id="rerun" class="primary" title="Run the query again">Run again</button>
  </header>
  <div id="notices"></div>
  <div id="message" class="hidden"></div>
  <div id="grid" role="grid" aria-label="Query results" tabindex="0">
    <div id="grid-header" class="grid-header"></div>
    <div id="grid-body" class="grid-body" role="rowgroup"></div>
  </div>
</div>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
