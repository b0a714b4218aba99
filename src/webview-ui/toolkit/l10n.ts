/**
 * Localisation inside the webviews (results grid, event list, performance report). The extension host renders each
 * page with the translations VS Code loaded for the display language (`vscode.l10n.bundle`, English message →
 * translation; undefined in English) in a JSON data block (renderPage's `l10nBundle`); the page script calls
 * `installWebviewL10n()` first, and from then on `l10n.t` from src/core/l10n.ts translates in the webview as it does
 * in the extension host. The messages are extracted into l10n/bundle.l10n.json with everything else
 * (scripts/l10n.mjs scans src/webview-ui/ too). Without a bundle the English is formatted the same way.
 */
import { setTranslator, translatorFromBundle, type L10nBundle } from '../../core/l10n';

/** Id of the `<script type="application/json">` block that carries the bundle. */
export const L10N_BUNDLE_ID = 'l10n-bundle';

/** The bundle as a JSON data block: `<` escaped, so no text in it can close the element. */
export function bundleDataBlock(bundle: L10nBundle | undefined, nonce: string): string {
  const json = JSON.stringify(bundle ?? {}).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="${L10N_BUNDLE_ID}" nonce="${nonce}">${json}</script>`;
}

/** Reads the page's bundle and installs it as the translator; returns how many messages it has (0 in English). */
export function installWebviewL10n(doc: Pick<Document, 'getElementById'> = document): number {
  const text = doc.getElementById(L10N_BUNDLE_ID)?.textContent;
  if (!text) return 0;
  try {
    const bundle = JSON.parse(text) as L10nBundle;
    if (!bundle || typeof bundle !== 'object') return 0;
    const count = Object.keys(bundle).length;
    if (count) setTranslator(translatorFromBundle(bundle));
    return count;
  } catch {
    return 0; // A damaged block: English.
  }
}
