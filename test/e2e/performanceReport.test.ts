/**
 * The performance report webview in a real browser: the page and strict CSP the panel serves (renderPage with the
 * toolkit's policy), the bundle built here from src/webview-ui/report/main.ts with Chart.js, and a stand-in for
 * the webview API. Checks that Chart.js draws under the CSP without a violation (no eval, no injected style), that
 * tables sort, and that "Add as Exclusion…" asks the host and shows the verified result. Keeps a picture in
 * test-results/ (the README's picture comes from `npm run screenshots`, on the sample tenant).
 */
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parsePerformanceReport, reportTables } from '../../src/defender/performance';
import { REPORT_CSS_EXTRA } from '../../src/webview-ui/report/protocol';
import { renderPage } from '../../src/webview-ui/toolkit/html';
import { THEME_CSS } from '../../src/webview-ui/toolkit/theme';
import { resultsDir } from './harness';
import { bundleWebviewScript, openWebviewPage, postedMessages, screenshotIfFailed, servedCspSource, serveWebview, type ServedWebview } from './webviewPage';

/** A -Raw report shaped as Get-MpPerformanceReport prints it (ticks and FILETIMEs as integers). */
function rawReport(): string {
  const ft = 134091072000000000n;
  const scan = (p: string, proc: string, ticks: number, k: number) => ({
    ScanType: 'File', StartTime: `${ft + BigInt(k) * 1000000n}`, EndTime: `${ft + BigInt(k) * 1000000n + BigInt(ticks)}`, Duration: ticks,
    Reason: 'OnOpen', Path: p, ProcessPath: proc, ProcessId: 4000 + k, SkipReason: 'Not Skipped',
  });
  const stats = (total: number, count: number) => ({ Count: count, TotalDuration: total, MinDuration: Math.floor(total / count / 2), AverageDuration: Math.floor(total / count), MaxDuration: Math.floor((total / count) * 1.5), MedianDuration: Math.floor(total / count) });
  const sql = 'C:\\Program Files\\Microsoft SQL Server\\MSSQL\\Binn\\sqlservr.exe';
  const files = [
    ['C:\\Data\\Sales\\sales.mdf', sql, 28_800_000, 6],
    ['C:\\Data\\Sales\\sales_log.ldf', sql, 13_000_000, 5],
    ['C:\\Users\\alex\\Downloads\\setup.exe', 'C:\\Windows\\explorer.exe', 3_000_000, 2],
    ['C:\\Logs\\app\\trace-02.log', 'C:\\Tools\\LogShipper\\shipper.exe', 3_690_000, 9],
    ['C:\\Logs\\app\\trace-01.log', 'C:\\Windows\\explorer.exe', 4_200_000, 12],
  ] as const;
  const doc = {
    TopFiles: files.map(([p, proc, t, c], k) => ({ ...stats(t, c), Path: p, Scans: [scan(p, proc, Math.floor(t / c), k)], Processes: [{ ...stats(t, c), ProcessPath: proc }] })),
    TopExtensions: [
      { ...stats(28_800_000, 6), Extension: '.mdf', Files: [{ ...stats(28_800_000, 6), Path: files[0][0] }], Paths: [{ ...stats(28_800_000, 6), Path: 'C:\\Data\\Sales' }] },
      { ...stats(13_000_000, 5), Extension: '.ldf', Files: [{ ...stats(13_000_000, 5), Path: files[1][0] }], Paths: [{ ...stats(13_000_000, 5), Path: 'C:\\Data\\Sales' }] },
      { ...stats(7_890_000, 21), Extension: '.log', Files: [{ ...stats(4_200_000, 12), Path: files[4][0] }], Paths: [{ ...stats(7_890_000, 21), Path: 'C:\\Logs\\app' }] },
    ],
    TopProcesses: [
      { ...stats(41_800_000, 11), ProcessPath: sql, Files: [{ ...stats(28_800_000, 6), Path: files[0][0], Scans: [scan(files[0][0], sql, 4_800_000, 1)] }] },
      { ...stats(7_200_000, 14), ProcessPath: 'C:\\Windows\\explorer.exe', Files: [{ ...stats(4_200_000, 12), Path: files[4][0], Scans: [scan(files[4][0], 'C:\\Windows\\explorer.exe', 350_000, 2)] }] },
    ],
    TopPaths: [
      { ...stats(41_800_000, 11), Path: 'C:\\Data\\Sales', Processes: [{ ...stats(41_800_000, 11), ProcessPath: sql }] },
      { ...stats(7_890_000, 21), Path: 'C:\\Logs\\app', Processes: [{ ...stats(4_200_000, 12), ProcessPath: 'C:\\Windows\\explorer.exe' }] },
    ],
    TopScans: files.map(([p, proc, t, c], k) => scan(p, proc, Math.floor(t / c), k)),
  };
  return JSON.stringify(doc);
}

describe('performance report (e2e, browser)', function () {
  let webview: ServedWebview;
  let page: Page;

  before(async function () {
    this.timeout(120_000);
    const script = await bundleWebviewScript('report');
    assert.doesNotMatch(script, /\beval\(|new Function\(/, 'the bundle needs no eval');
    const html = renderPage({ cspSource: servedCspSource, scriptUri: '/report.js', nonce: 'cmVwb3J0LW5vbmNl', title: 'Defender performance report', css: THEME_CSS + REPORT_CSS_EXTRA, body: '<div id="app" role="main"></div>' });
    webview = await serveWebview({ html, script, scriptPath: '/report.js' });
  });

  after(async () => {
    await webview?.close();
  });

  beforeEach(async () => {
    page = await openWebviewPage(webview, { viewport: { width: 1100, height: 900 } });
    await setTheme('dark');
  });

  /**
   * A theme's variables, set through the CSSOM (allowed under the CSP) with the body class, as VS Code sets them
   * (values of Dark Modern and Light Modern).
   */
  async function setTheme(kind: 'dark' | 'light'): Promise<void> {
    await page.evaluate((k) => {
      const s = document.documentElement.style;
      const common: Record<string, string> = {
        '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace', '--vscode-editor-font-size': '12px',
      };
      const dark: Record<string, string> = {
        '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
        '--vscode-charts-blue': '#3794ff', '--vscode-editorGroup-border': '#ffffff17', '--vscode-button-background': '#0078d4',
        '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
        '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-testing-iconPassed': '#73c991', '--vscode-focusBorder': '#0078d4',
      };
      const light: Record<string, string> = {
        '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#3b3b3b',
        '--vscode-charts-blue': '#1a85ff', '--vscode-editorGroup-border': '#e5e5e5', '--vscode-button-background': '#005fb8',
        '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
        '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-testing-iconPassed': '#388a34', '--vscode-focusBorder': '#005fb8',
      };
      for (const [name, v] of Object.entries({ ...common, ...(k === 'dark' ? dark : light) })) s.setProperty(name, v);
      document.body.classList.remove('vscode-dark', 'vscode-light');
      document.body.classList.add(`vscode-${k}`);
      document.body.dataset.vscodeThemeKind = `vscode-${k}`;
    }, kind);
  }

  afterEach(async function () {
    await screenshotIfFailed(page, this.currentTest, 'report');
    await page.close();
  });

  /** Opaque pixels of the first chart's axis labels (its left 15%): how many are dark, how many light. */
  const labelInk = () =>
    page.evaluate(() => {
      const c = document.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, Math.floor(c.width * 0.15), c.height).data;
      let dark = 0;
      let light = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3]! <= 128) continue;
        const sum = d[i]! + d[i + 1]! + d[i + 2]!;
        if (sum < 300) dark++;
        else if (sum > 510) light++;
      }
      return { dark, light };
    });

  const posted = (type: string) => postedMessages(page, type);

  async function sendReport(): Promise<number> {
    const tables = reportTables(parsePerformanceReport(rawReport()));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await page.evaluate((t) => {
      window.postMessage({ type: 'report', info: { device: 'WKS-042', recordedAt: '2026-12-02T13:30:00.000Z', seconds: 60, hasPaths: true, notices: ['A performance recording may contain personal data.'] }, tables: t }, '*');
    }, tables);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'rendered'), undefined, { timeout: 30_000 });
    return tables.length;
  }

  it('draws a bar chart of scan time for every table under the strict CSP, and sorts tables', async () => {
    const count = await sendReport();
    const [rendered] = await posted('rendered');
    assert.equal(rendered!.charts, count);
    assert.equal(await page.locator('canvas').count(), count);
    // The first chart has bars: non-background pixels in its canvas.
    const painted = await page.evaluate(() => {
      const c = document.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return { n, w: c.width, h: c.height };
    });
    assert.ok(painted.w > 100 && painted.h > 100 && painted.n > 2000, JSON.stringify(painted));
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
    // Sorted by total time, descending; a click on the file column sorts by name.
    const firstCell = () => page.locator('#table-topFiles tbody tr').first().locator('td').first().innerText();
    assert.equal(await firstCell(), 'C:\\Data\\Sales\\sales.mdf');
    await page.locator('#table-topFiles th', { hasText: 'File' }).click();
    assert.match(await firstCell(), /^C:\\Data\\Sales\\sales/);
    await page.locator('#table-topFiles th', { hasText: 'File' }).click();
    assert.equal(await firstCell(), 'C:\\Users\\alex\\Downloads\\setup.exe');
    for (const id of ['filesPerExtension', 'pathsPerExtension', 'processesPerPath', 'scansPerFile', 'scansPerFilePerProcess']) {
      assert.equal(await page.locator(`#table-${id}`).count(), 1, id);
    }
    await page.locator('#table-topFiles th', { hasText: 'Total time' }).click();
    await page.screenshot({ path: path.join(resultsDir, 'performance-report-synthetic.png'), clip: { x: 0, y: 0, width: 1100, height: 900 } });
  });

  it('is usable by keyboard alone: named tables and charts, sortable headers, visible focus, in a dark and a light theme (issue #11 item 4)', async () => {
    const count = await sendReport();
    // Names and roles: each section is a region named by its heading; each table is named by it too; each chart is an image.
    const tables = await page.getByRole('table').all();
    assert.equal(tables.length, count);
    await page.getByRole('table', { name: 'Top files', exact: true }).waitFor({ timeout: 5_000 });
    await page.getByRole('region', { name: 'Top files', exact: true }).waitFor({ timeout: 5_000 });
    assert.equal(await page.getByRole('img', { name: /scan time by/ }).count(), count);
    assert.equal(await page.getByRole('columnheader', { name: /File/ }).first().getAttribute('aria-sort'), 'none');

    // From the top of the page, Tab reaches the first table's first header; Enter and Space sort by it.
    await page.locator('body').focus();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const th = el?.closest('th');
        return {
          tag: el?.tagName,
          text: el?.textContent ?? '',
          table: el?.closest('section')?.id,
          sort: th?.getAttribute('aria-sort'),
          outline: el ? getComputedStyle(el).outlineStyle : 'none',
        };
      });
    await page.keyboard.press('Tab');
    let f = await focused();
    assert.deepEqual([f.tag, f.table], ['BUTTON', 'table-topFiles'], JSON.stringify(f));
    assert.match(f.text, /^File/);
    assert.notEqual(f.outline, 'none', 'the focused header shows a focus outline');
    const firstCell = () => page.locator('#table-topFiles tbody tr').first().locator('td').first().innerText();
    assert.equal(await firstCell(), 'C:\\Data\\Sales\\sales.mdf');
    await page.keyboard.press('Enter');
    f = await focused();
    assert.equal(f.sort, 'ascending');
    assert.match(await firstCell(), /^C:\\Data\\Sales\\sales/);
    await page.keyboard.press(' ');
    assert.equal((await focused()).sort, 'descending');
    assert.equal(await firstCell(), 'C:\\Users\\alex\\Downloads\\setup.exe');
    await setTheme('dark');
    await page.screenshot({ path: path.join(resultsDir, 'a11y-report-dark.png') });
    const darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

    // On along the headers to "Total time", sort by it again, then Tab into the rows' "Add as Exclusion…".
    for (let i = 0; i < 6 && !/^Total time/.test((await focused()).text); i++) await page.keyboard.press('Tab');
    assert.match((await focused()).text, /^Total time/);
    await page.keyboard.press('Enter');
    assert.equal((await focused()).sort, 'descending');
    for (let i = 0; i < 6 && (await focused()).text !== 'Add as Exclusion…'; i++) await page.keyboard.press('Tab');
    f = await focused();
    assert.equal(f.text, 'Add as Exclusion…');
    assert.notEqual(f.outline, 'none');
    await page.keyboard.press('Enter');
    const [ask] = await posted('addExclusion');
    assert.deepEqual(ask!.target, { list: 'paths', value: 'C:\\Data\\Sales\\sales.mdf' });

    // The light theme: the page takes VS Code's colours, the charts are repainted in them, the focus stays visible.
    const darkInk = await labelInk();
    assert.ok(darkInk.light > 50 && darkInk.dark === 0, `dark theme: light axis labels (${JSON.stringify(darkInk)})`);
    await setTheme('light');
    await page.waitForFunction(() => {
      const c = document.querySelector('canvas')!;
      const w = Math.floor(c.width * 0.15);
      const d = c.getContext('2d')!.getImageData(0, 0, w, c.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 128 && d[i]! + d[i + 1]! + d[i + 2]! < 300) return true;
      return false;
    }, undefined, { timeout: 5_000 });
    const lightInk = await labelInk();
    assert.ok(lightInk.dark > 50 && lightInk.light === 0, `light theme: dark axis labels (${JSON.stringify(lightInk)})`);
    const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(lightBackground, darkBackground);
    assert.equal(lightBackground, 'rgb(255, 255, 255)');
    assert.notEqual((await focused()).outline, 'none');
    await page.screenshot({ path: path.join(resultsDir, 'a11y-report-light.png') });
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
  });

  it('"Add as Exclusion…" asks the host with the row\'s value and shows the verified result', async () => {
    await sendReport();
    await page.locator('#table-topPaths tbody tr', { hasText: 'C:\\Data\\Sales' }).first().getByRole('button', { name: 'Add as Exclusion…' }).click();
    const [ask] = await posted('addExclusion');
    assert.deepEqual(ask!.target, { list: 'paths', value: 'C:\\Data\\Sales' });
    await page.evaluate(() => window.postMessage({ type: 'exclusionResult', target: { list: 'paths', value: 'C:\\Data\\Sales' }, outcome: 'verified (applied)', ok: true }, '*'));
    await page.locator('#table-topPaths .result.ok', { hasText: 'verified (applied)' }).first().waitFor({ timeout: 5_000 });
    await page.locator('#table-topExtensions tbody tr', { hasText: '.mdf' }).first().getByRole('button', { name: 'Add as Exclusion…' }).click();
    const asks = await posted('addExclusion');
    assert.deepEqual(asks[1]!.target, { list: 'extensions', value: '.mdf' });
  });
});
