/**
 * The results grid in a real browser, with 100,000 rows: the same HTML and CSP the panel serves
 * (renderResultsHtml), the same bundle (built here from src/webview-ui/results/main.ts), and a stand-in
 * for the webview API that records what the grid posts to the extension host. No code-server needed.
 */
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { renderResultsHtml } from '../../src/webview-ui/results/html';
import { resultsDir } from './harness';
import { bundleWebviewScript, openWebviewPage, postedMessages, screenshotIfFailed, servedCspSource, serveWebview, type ServedWebview } from './webviewPage';

const ROWS = 100_000;

describe('hunting results grid (e2e, browser)', function () {
  let webview: ServedWebview;
  let page: Page;
  const cspViolations: string[] = [];

  before(async function () {
    this.timeout(120_000);
    const script = await bundleWebviewScript('results');
    const html = renderResultsHtml({ cspSource: servedCspSource, scriptUri: '/results.js', nonce: 'dGVzdC1ub25jZQ==' });
    webview = await serveWebview({ html, script, scriptPath: '/results.js' });
  });

  after(async () => {
    await webview?.close();
  });

  beforeEach(async () => {
    page = await openWebviewPage(webview, { viewport: { width: 1200, height: 700 }, onCspViolation: (text) => cspViolations.push(text) });
  });

  afterEach(async function () {
    await screenshotIfFailed(page, this.currentTest, 'grid');
    await page.close();
  });

  const posted = (type: string) => postedMessages(page, type);

  /** Sends a result the way the panel does: begin, rows in chunks of 5,000, end. Rows are made in the page. */
  async function sendResult(count: number): Promise<void> {
    await page.evaluate((n) => {
      const run = {
        runId: 'run-1',
        documentUri: 'file:///w/test.kql',
        fileName: 'test.kql',
        queryPreview: 'DeviceProcessEvents',
        timespan: 'P7D',
        timespanLabel: 'Last 7 days',
        startedAt: Date.now(),
        durationMs: 1234,
      };
      const columns = [
        { name: 'Timestamp', type: 'DateTime', kind: 'datetime' },
        { name: 'DeviceName', type: 'String', kind: 'string' },
        { name: 'ProcessId', type: 'Int64', kind: 'number' },
        { name: 'Props', type: 'Object', kind: 'dynamic' },
      ];
      const post = (data: unknown) => window.postMessage(data, '*');
      post({ type: 'begin', run, columns, totalRows: n, returnedRows: n, notices: n >= 100000 ? [{ level: 'warning', code: 'row-limit', text: 'The result reached the 100,000-row limit.' }] : [] });
      const base = Date.UTC(2025, 4, 1);
      for (let start = 0; start < n; start += 5000) {
        const rows = [];
        for (let i = start; i < Math.min(n, start + 5000); i++) {
          rows.push([new Date(base + i * 1000).toISOString(), `wks-${String(i % 1000).padStart(3, '0')}.contoso.local`, (i * 7919) % 100003, { i }]);
        }
        post({ type: 'rows', runId: 'run-1', start, rows });
      }
      post({ type: 'end', runId: 'run-1' });
    }, count);
    // Exactly "N rows": while loading the text is "Loading x / N rows…".
    await page.locator('#count', { hasText: new RegExp(`^${count.toLocaleString('en-US')} rows?$`) }).waitFor({ timeout: 60_000 });
  }

  it('says ready first, and keeps the DOM small with 100,000 rows', async () => {
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    assert.equal((await page.evaluate(() => window.__posted[0]!.type)), 'ready');
    await sendResult(ROWS);
    assert.equal(await page.locator('#count').innerText(), '100,000 rows');
    assert.match(await page.locator('#notices').innerText(), /100,000-row limit/);
    const rendered = await page.locator('#grid-body [role="row"]:not(.hidden)').count();
    assert.ok(rendered > 10 && rendered < 80, `rendered ${rendered} row elements for ${ROWS} rows`);
    assert.equal(await page.locator('#grid').getAttribute('aria-rowcount'), String(ROWS + 1));
    assert.deepEqual(cspViolations, []);
    await page.screenshot({ path: path.join(resultsDir, 'hunting-grid-100k.png') });
  });

  it('scrolls smoothly from top to bottom and renders the last row', async function () {
    this.timeout(120_000);
    await sendResult(ROWS);
    const frames = await page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const grid = document.getElementById('grid')!;
          const times: number[] = [];
          let last = performance.now();
          let step = 0;
          const tick = () => {
            const now = performance.now();
            times.push(now - last);
            last = now;
            grid.scrollTop += 37_000; // about 1,700 rows per frame: the whole list in ~60 frames
            if (++step < 70) requestAnimationFrame(tick);
            else resolve(times.slice(2));
          };
          requestAnimationFrame(tick);
        }),
    );
    frames.sort((a, b) => a - b);
    const median = frames[Math.floor(frames.length / 2)]!;
    const p95 = frames[Math.floor(frames.length * 0.95)]!;
    console.log(`      frame times while scrolling 100,000 rows: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    assert.ok(median < 50, `median frame ${median.toFixed(1)} ms`);
    assert.ok(p95 < 200, `p95 frame ${p95.toFixed(1)} ms`);
    await page.evaluate(() => {
      const g = document.getElementById('grid')!;
      g.scrollTop = g.scrollHeight;
    });
    const last = page.locator(`[role="row"][aria-rowindex="${ROWS + 1}"]`);
    await last.waitFor({ timeout: 10_000 });
    assert.match(await last.innerText(), /^100000\b/);
  });

  it('sorts by a typed column, filters, copies rows and asks the host to export the view', async () => {
    await sendResult(5000);
    const firstRow = () => page.locator('[role="row"][aria-rowindex="2"]').innerText();
    await page.locator('.colhead', { hasText: 'ProcessId' }).click();
    assert.equal(await page.locator('.colhead', { hasText: 'ProcessId' }).getAttribute('aria-sort'), 'ascending');
    assert.match(await firstRow(), /\b0\b/); // ProcessId 0 is row 1 (i = 0)
    await page.locator('.colhead', { hasText: 'ProcessId' }).click();
    assert.equal(await page.locator('.colhead', { hasText: 'ProcessId' }).getAttribute('aria-sort'), 'descending');

    await page.locator('#filter').fill('DeviceName:wks-007');
    await page.locator('#count', { hasText: '5 of 5,000 rows' }).waitFor({ timeout: 10_000 });
    assert.match(await firstRow(), /wks-007\.contoso\.local/);

    await page.locator('[role="row"][aria-rowindex="2"]').click();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Control+c');
    const copies = await posted('copy');
    assert.equal(copies.length, 1);
    const lines = String(copies[0]!.text).trimEnd().split('\n');
    assert.equal(lines[0], 'Timestamp\tDeviceName\tProcessId\tProps');
    assert.equal(lines.length, 3);
    assert.equal(copies[0]!.rows, 2);

    await page.locator('#export-csv').click();
    await page.locator('#export-json').click();
    const exports = await posted('export');
    assert.deepEqual(
      exports.map((e) => [e.format, e.filter, e.sort]),
      [
        ['csv', 'DeviceName:wks-007', { column: 2, direction: 'desc' }],
        ['json', 'DeviceName:wks-007', { column: 2, direction: 'desc' }],
      ],
    );
    // The view is remembered for a reload (vscode.setState) and reported to the host.
    const state = (await page.evaluate(() => window.__state)) as { filter: string; sort: unknown };
    assert.equal(state.filter, 'DeviceName:wks-007');
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'viewState' && (m as { filter?: string }).filter === 'DeviceName:wks-007'));
  });

  it('remembers the run from its start, so a reload before the last row still offers it again', async () => {
    await page.evaluate(() => {
      const run = { runId: 'r2', documentUri: 'file:///w/b.kql', fileName: 'b.kql', queryPreview: 'T', timespan: 'P1D', timespanLabel: 'Last 24 hours', startedAt: Date.now() };
      window.postMessage({ type: 'running', run }, '*');
    });
    await page.locator('#message', { hasText: 'Running query' }).waitFor();
    const whileRunning = (await page.evaluate(() => window.__state)) as { run?: { runId: string; documentUri: string } } | undefined;
    assert.equal(whileRunning?.run?.runId, 'r2');
    assert.equal(whileRunning?.run?.documentUri, 'file:///w/b.kql');
    // The header arrives before the rows: the state names this run too, not only after 'end'.
    await page.evaluate(() => {
      const run = { runId: 'r3', documentUri: 'file:///w/b.kql', fileName: 'b.kql', queryPreview: 'T', timespan: 'P1D', timespanLabel: 'Last 24 hours', startedAt: Date.now() };
      window.postMessage({ type: 'begin', run, columns: [{ name: 'count_', type: 'Int64', kind: 'number' }], totalRows: 1, returnedRows: 1, notices: [] }, '*');
    });
    await page.locator('#grid-header', { hasText: 'count_' }).waitFor();
    const afterHeader = (await page.evaluate(() => window.__state)) as { run?: { runId: string } } | undefined;
    assert.equal(afterHeader?.run?.runId, 'r3');
  });

  it('shows failures and restored-but-empty panels with a Run again button', async () => {
    await page.evaluate(() => {
      const run = { runId: 'r', documentUri: 'file:///w/a.kql', fileName: 'a.kql', queryPreview: 'T', timespan: 'P1D', timespanLabel: 'Last 24 hours', startedAt: Date.now() };
      window.postMessage({ type: 'failed', run, error: { kind: 'quota', title: 'Advanced hunting quota reached', message: 'You can run queries again at 10:12 (in 12 min).', retryAt: Date.now() + 720_000 } }, '*');
    });
    const message = page.locator('#message.error');
    await message.waitFor();
    assert.match(await message.innerText(), /quota reached[\s\S]*in 12 min[\s\S]*Queries can run again after/);
    await message.getByRole('button', { name: 'Run again' }).click();
    assert.equal((await posted('rerun')).length, 1);
    await page.evaluate(() => window.postMessage({ type: 'unavailable' }, '*'));
    await page.locator('#message', { hasText: 'These results are gone' }).waitFor();
  });
});
