/**
 * Issue #11 item 4: the results grid works from the keyboard alone and follows the theme. Runs a troubleshooting
 * snippet, then only presses keys inside the grid: Tab to a column header and sort it with Enter, Tab into the
 * rows and move with the arrows (the grid announces the focused row through aria-activedescendant). Screenshots
 * in a dark, a light and a high-contrast theme go to test-results/.
 */
import * as assert from 'node:assert';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbench, type Workbench } from './harness';

/** Presses Tab inside the webview until `matches` holds for the focused element (at most 20 presses). */
async function tabUntil(page: Page, grid: FrameLocator, test: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const hit = await grid.locator('body').evaluate((_b, t) => {
      const el = document.activeElement as HTMLElement | null;
      return !!el && el.matches(t);
    }, test);
    if (hit) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${test}`);
}

async function pickTheme(wb: Workbench, name: string): Promise<void> {
  await wb.runCommand('Preferences: Color Theme');
  const input = wb.page.locator('.quick-input-widget input');
  await input.fill(name);
  await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await input.press('Enter');
  await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

describe('accessibility and themes (e2e)', () => {
  it('sorts and walks the results grid by keyboard, in dark, light and high-contrast themes', async () => {
    const wb = await openWorkbench({ file: 'hunting-troubleshooting.kql' });
    const page = wb.page;
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await page.locator('.quick-input-widget', { hasText: /timespan/i }).waitFor({ timeout: 30_000 });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /Last 7 days/ }).first().click();
    const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: /Allow/ });
    await allow.click({ timeout: 10_000 }).catch(() => undefined);

    const grid = await wb.webview(/Results: hunting-troubleshooting\.kql/);
    await grid.locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 60_000 });
    const rowCount = Number(await grid.locator('#grid').getAttribute('aria-rowcount'));
    assert.ok(rowCount >= 2, `needs a row, aria-rowcount=${rowCount}`);
    const last = String(rowCount);

    // Into the page by keyboard: the filter box first, then Tab onwards to the first column header.
    await grid.locator('#filter').focus();
    await tabUntil(page, grid, '.colhead[aria-colindex="2"]');
    const timestamp = grid.locator('.colhead[aria-colindex="2"]');
    assert.equal(await timestamp.getAttribute('aria-sort'), 'none');
    await page.keyboard.press('Enter');
    assert.equal(await timestamp.getAttribute('aria-sort'), 'ascending');
    await page.keyboard.press(' ');
    assert.equal(await timestamp.getAttribute('aria-sort'), 'descending');

    // Back to the grid (Shift+Tab), then the rows: the focused row is the active descendant and is selected.
    await page.keyboard.press('Shift+Tab');
    await tabUntil(page, grid, '#grid');
    const activeRowIndex = async () =>
      grid.locator('#grid').evaluate((g) => {
        const id = g.getAttribute('aria-activedescendant');
        const row = id ? document.getElementById(id) : null;
        return row ? { index: row.getAttribute('aria-rowindex'), selected: row.getAttribute('aria-selected') } : undefined;
      });
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await activeRowIndex(), { index: '2', selected: 'true' });
    await page.keyboard.press('Control+End');
    assert.deepEqual(await activeRowIndex(), { index: last, selected: 'true' });
    await page.keyboard.press('Control+Home');
    assert.deepEqual(await activeRowIndex(), { index: '2', selected: 'true' });

    // Themes: the grid takes its colours from VS Code's theme variables.
    const background = () => grid.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    await pickTheme(wb, 'Dark Modern');
    await grid.locator('body.vscode-dark').waitFor({ timeout: 15_000 });
    await wb.screenshot('a11y-grid-dark');
    const dark = await background();
    try {
      await pickTheme(wb, 'Light Modern');
      await page.waitForFunction(() => document.body.classList.contains('vs'), undefined, { timeout: 15_000 }).catch(() => undefined);
      await grid.locator('body.vscode-light').waitFor({ timeout: 15_000 });
      // The theme's variables reach the webview a moment after its body class changes.
      let light = await background();
      for (let i = 0; i < 40 && light === dark; i++) {
        await page.waitForTimeout(250);
        light = await background();
      }
      assert.notEqual(light, dark, `the grid did not follow the light theme (background ${light})`);
      await wb.screenshot('a11y-grid-light');
      await pickTheme(wb, 'Dark High Contrast');
      await grid.locator('body.vscode-high-contrast').waitFor({ timeout: 15_000 });
      await wb.screenshot('a11y-grid-high-contrast');
    } finally {
      // Back to the profile's default (a light theme in the test profile).
      await pickTheme(wb, 'Light Modern');
    }
  });
});
