/** The hunting results panel's HTML: the shared toolkit grid page (src/webview-ui/toolkit/html.ts). */
import { renderGridHtml, type HtmlOptions } from '../toolkit/html';

export type { HtmlOptions };

export function renderResultsHtml(options: HtmlOptions): string {
  return renderGridHtml({ ...options, title: 'Hunting results', label: 'Query results' });
}
