/**
 * Pages of every panel (pure, so tests serve exactly what users get): a strict CSP where only nonce'd script and
 * style run (no inline handlers, no eval), the stylesheet inlined, and a skeleton the panel's script fills.
 */
import { l10n, type L10nBundle } from '../../core/l10n';
import { bundleDataBlock } from './l10n';
import { GRID_CSS } from './theme';

export interface HtmlOptions {
  /** The webview's `cspSource` (what may serve images and fonts). */
  readonly cspSource: string;
  /** URL of the panel's bundle (dist/webview/<name>.js) as the webview sees it. */
  readonly scriptUri: string;
  /** A fresh random nonce per render. */
  readonly nonce: string;
  /**
   * The translations for the page script (`vscode.l10n.bundle`; undefined in English), read by installWebviewL10n().
   * Every panel passes it (test/unit/foundation/l10n.test.ts checks the callers in src/).
   */
  readonly l10nBundle?: L10nBundle;
}

/** The one policy: nothing by default; script and style only with the nonce; images and fonts from the extension. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface PageOptions extends HtmlOptions {
  readonly title: string;
  readonly css: string;
  /** Static markup (no user data: the script fills values in with textContent). */
  readonly body: string;
}

export function renderPage({ cspSource, scriptUri, nonce, title, css, body, l10nBundle }: PageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttr(title)}</title>
<style nonce="${nonce}">${css}</style>
</head>
<body>
${body}
${bundleDataBlock(l10nBundle, nonce)}
<script nonce="${nonce}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>`;
}

/** The grid page (sort, filter, copy, export CSV/JSON), used by the hunting results and the event list. */
export function renderGridHtml(options: HtmlOptions & { readonly title: string; readonly label: string }): string {
  return renderPage({
    ...options,
    css: GRID_CSS,
    body: `<div id="app">
  <header class="toolbar">
    <div class="title"><span id="run-query" class="query" role="link" tabindex="0"></span><span id="run-meta" class="meta"></span></div>
    <input id="filter" type="search" spellcheck="false" placeholder="${escapeAttr(l10n.t('Filter: text, Column:value, Column>value'))}" aria-label="${escapeAttr(l10n.t('Filter rows'))}">
    <span id="count" role="status" aria-live="polite"></span>
    <button id="copy" title="${escapeAttr(l10n.t('Copy the selected rows (or all rows shown) as tab-separated text'))}">${escapeAttr(l10n.t('Copy'))}</button>
    <button id="export-csv" title="${escapeAttr(l10n.t('Save the rows shown as CSV'))}">${escapeAttr(l10n.t('Export CSV'))}</button>
    <button id="export-json" title="${escapeAttr(l10n.t('Save the rows shown as JSON'))}">${escapeAttr(l10n.t('Export JSON'))}</button>
    <button id="rerun" class="primary" title="${escapeAttr(l10n.t('Run the query again'))}">${escapeAttr(l10n.t('Run again'))}</button>
  </header>
  <div id="notices"></div>
  <div id="message" class="hidden"></div>
  <div id="grid" role="grid" aria-label="${escapeAttr(options.label)}" tabindex="0">
    <div id="grid-header" class="grid-header"></div>
    <div id="grid-body" class="grid-body" role="rowgroup"></div>
  </div>
</div>`,
  });
}
