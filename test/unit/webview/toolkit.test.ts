import * as assert from 'node:assert/strict';
import { renderResultsHtml } from '../../../src/webview-ui/results/html';
import { contentSecurityPolicy, renderGridHtml, renderPage } from '../../../src/webview-ui/toolkit/html';
import { GRID_CSS, THEME_CSS } from '../../../src/webview-ui/toolkit/theme';

describe('webview toolkit (unit)', () => {
  it('one strict CSP: nonce-only script and style, no eval or inline, nothing by default', () => {
    const csp = contentSecurityPolicy('vscode-resource:', 'N0NCE');
    assert.equal(csp, "default-src 'none'; img-src vscode-resource: data:; font-src vscode-resource:; style-src 'nonce-N0NCE'; script-src 'nonce-N0NCE'");
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
  });

  it('pages carry the CSP, the nonce on their only style and script, and escape the title and script URL', () => {
    const html = renderPage({ cspSource: 'x:', scriptUri: 'https://a/b.js?x="1"', nonce: 'abc', title: 'A <b> & "c"', css: 'body{}', body: '<main></main>' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.match(html, /<title>A &lt;b&gt; &amp; &quot;c&quot;<\/title>/);
    assert.match(html, /<script nonce="abc" src="https:\/\/a\/b.js\?x=&quot;1&quot;"><\/script>/);
    // One script runs; the other <script> is the translations' JSON data block (not executed), nonce'd as well.
    assert.equal((html.match(/<script/g) ?? []).length, 2);
    assert.equal((html.match(/<script nonce="abc" src=/g) ?? []).length, 1);
    assert.match(html, /<script type="application\/json" id="l10n-bundle" nonce="abc">\{\}<\/script>/);
    assert.equal((html.match(/<style nonce="abc">/g) ?? []).length, 1);
  });

  it('the hunting results page is the toolkit grid page with the grid stylesheet (theme colours only)', () => {
    const opts = { cspSource: 'x:', scriptUri: '/results.js', nonce: 'n' };
    const results = renderResultsHtml(opts);
    assert.equal(results, renderGridHtml({ ...opts, title: 'Hunting results', label: 'Query results' }));
    for (const id of ['filter', 'copy', 'export-csv', 'export-json', 'rerun', 'grid-body']) assert.ok(results.includes(`id="${id}"`), id);
    assert.ok(GRID_CSS.startsWith(THEME_CSS));
    // Colours come from the theme's variables, never hard-coded hex values.
    assert.doesNotMatch(GRID_CSS, /#[0-9a-f]{3,6}\b(?![^(]*\))/i);
  });
});
