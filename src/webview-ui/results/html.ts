/** The hunting results panel's HTML: the shared toolkit grid page (src/webview-ui/toolkit/html.ts). */
import { l10n } from '../../core/l10n';
import { renderGridHtml, type HtmlOptions } from '../toolkit/html';

export type { HtmlOptions };

export function renderResultsHtml(options: HtmlOptions): string {
  return renderGridHtml({ ...options, title: l10n.t('Hunting results'), label: l10n.t('Query results') });
}
