import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbench, type Workbench } from './harness';

const FILE = 'hunting-troubleshooting.kql';
const RESULTS_TAB = /Results: hunting-troubleshooting\.kql/;

/** VS Code asks once whether the extension may use the (test) sign-in; a user clicks Allow. */
async function allowSignInIfAsked(page: Page): Promise<void> {
  const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: /Allow/ });
  try {
    await allow.waitFor({ timeout: 10_000 });
    await allow.click();
  } catch {
    // Not asked: access was granted before in this profile.
  }
}

/** Accepts the timespan picker's preselected choice. */
async function acceptTimespan(page: Page, choice?: RegExp): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget', { hasText: /timespan/i }).waitFor({ timeout: 30_000 });
  if (choice) await page.locator('.quick-input-widget .monaco-list-row', { hasText: choice }).first().click();
  else await input.press('Enter');
}

async function resultsGrid(wb: Workbench): Promise<FrameLocator> {
  return wb.webview(RESULTS_TAB);
}

describe('hunting (e2e)', () => {
  it('runs a troubleshooting snippet from its code lens and shows the rows in the results grid', async () => {
    const wb = await openWorkbench({ file: FILE });
    const page = wb.page;
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await acceptTimespan(page, /Last 7 days/);
    await allowSignInIfAsked(page);

    const grid = await resultsGrid(wb);
    const firstRow = grid.locator('[role="row"][aria-rowindex="2"]');
    await firstRow.waitFor({ timeout: 60_000 });
    assert.match(await firstRow.innerText(), /ws-fin-01\.contoso\.local/);
    const header = await grid.locator('#grid-header').innerText();
    for (const column of ['Timestamp', 'DeviceName', '_tsmodeproperties_TroubleshootingStateChangeReason']) {
      assert.ok(header.includes(column), `column ${column} missing from the header: ${header}`);
    }
    assert.match(await grid.locator('#count').innerText(), /\d+ rows?/);
    await wb.screenshot('hunting-results');

    // Filtering narrows the rows; sorting by a column header keeps them.
    await grid.locator('#filter').fill('started');
    await grid.locator('#count').filter({ hasText: / of \d+ rows/ }).waitFor({ timeout: 10_000 }).catch(() => undefined);
    assert.match(await grid.locator('[role="row"][aria-rowindex="2"]').innerText(), /started/);

    // Export goes through VS Code's save dialog and writes the rows shown (filtered), formula-safe.
    await grid.locator('#export-csv').click();
    const dialog = page.locator('.quick-input-widget input');
    await dialog.waitFor({ timeout: 30_000 });
    // The simple file dialog fills in the folder first, then the suggested name.
    await page.waitForFunction(
      () => /hunting-troubleshooting-results-\d+\.csv$/.test((document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await dialog.press('Enter');
    await page.locator('.notification-toast', { hasText: /Exported \d+ rows? to hunting-troubleshooting-results-/ }).first().waitFor({ timeout: 30_000 });
    const written = fs.readdirSync(wb.server.workspace).filter((f) => /^hunting-troubleshooting-results-\d+\.csv$/.test(f));
    try {
      assert.equal(written.length, 1, `exported files: ${written.join(', ')}`);
      const csv = fs.readFileSync(path.join(wb.server.workspace, written[0]!), 'utf8');
      const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      assert.match(lines[0]!, /^Timestamp,DeviceId,DeviceName,_tsmodeproperties,/);
      assert.ok(lines.length >= 2 && lines.slice(1).every((l) => l.includes('started')), csv);
    } finally {
      for (const f of written) fs.rmSync(path.join(wb.server.workspace, f), { force: true });
    }

    // The snippet's events feed the Sessions view.
    await wb.openDefenderView();
    const session = page.getByRole('treeitem', { name: /ws-fin-01\.contoso\.local/ }).first();
    await session.waitFor({ timeout: 30_000 });
    assert.match((await session.getAttribute('aria-label')) ?? '', /Active/);
  });

  it('shows a syntax error where it is: in the editor and in the results panel', async () => {
    const wb = await openWorkbench({ file: 'hunting-errors.kql' });
    const page = wb.page;
    // Put the cursor in the query, then run the command from the palette.
    await page.locator('.monaco-editor .view-line', { hasText: 'take 5' }).first().click();
    await wb.runCommand('Defender: Run Hunting Query');
    await acceptTimespan(page);
    await allowSignInIfAsked(page);

    const grid = await wb.webview(/Results: hunting-errors\.kql/);
    const message = grid.locator('#message.error');
    await message.waitFor({ timeout: 60_000 });
    const text = await message.innerText();
    assert.match(text, /Syntax error/);
    assert.match(text, /could not be parsed at '\('/);
    assert.match(text, /Where: line 3, column 9/);
    // The diagnostic sits in the editor (a squiggle) and in the Problems panel, from "Defender hunting".
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: /Defender hunting/ }).first();
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), /Syntax error[\s\S]*\[Ln 3, Col 9\]/);
    await wb.screenshot('hunting-syntax-error');
  });

  it('restores the results panel after a reload and runs the query again from it', async () => {
    const wb = await openWorkbench({ file: FILE });
    const page = wb.page;
    // Run the second query (devices currently in troubleshooting mode) from its code lens.
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).nth(1);
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await acceptTimespan(page);
    await allowSignInIfAsked(page);
    let grid = await resultsGrid(wb);
    await grid.locator('#grid-header', { hasText: 'count_' }).waitFor({ timeout: 60_000 });

    // An orderly reload (state is saved first), as a user does with Developer: Reload Window.
    await wb.runCommand('Developer: Reload Window');
    await page.waitForEvent('load', { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    grid = await resultsGrid(wb);
    const gone = grid.locator('#message', { hasText: 'These results are gone' });
    await gone.waitFor({ timeout: 60_000 });
    await gone.getByRole('button', { name: 'Run again' }).click();
    await allowSignInIfAsked(page);
    await grid.locator('#grid-header', { hasText: 'count_' }).waitFor({ timeout: 60_000 });
    assert.match(await grid.locator('[role="row"][aria-rowindex="2"]').innerText(), /[0-9a-f]{40}/);
  });

  it('names the quota with when to retry, then the 100,000-row limit, and still shows all 100,000 rows', async () => {
    const wb = await openWorkbench({ file: 'hunting-limits.kql' });
    const page = wb.page;
    // The tenant's CPU quota is used up for 12 minutes (the emulator answers the next call with 429).
    const fault = await fetch(`${wb.emulatorUrl}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'quota', retryAfter: 720, path: '/v1.0/security/runHuntingQuery' }] }),
    });
    assert.equal(fault.status, 200);
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await acceptTimespan(page);
    await allowSignInIfAsked(page);
    const grid = await wb.webview(/Results: hunting-limits\.kql/);
    const message = grid.locator('#message.error');
    await message.waitFor({ timeout: 60_000 });
    assert.match(await message.innerText(), /quota reached[\s\S]*in 12 min[\s\S]*Queries can run again after/);

    // Run again (the quota is back in the emulator): the result hits the row limit, which is named.
    await message.getByRole('button', { name: 'Run again' }).click();
    await grid.locator('#count', { hasText: /^100,000 rows$/ }).waitFor({ timeout: 120_000 });
    assert.match(await grid.locator('#notices').innerText(), /100,000-row limit/);
    const rendered = await grid.locator('#grid-body [role="row"]:not(.hidden)').count();
    assert.ok(rendered < 100, `${rendered} row elements for 100,000 rows`);
    // Scroll to the end (again after each frame: the list's height settles once the last rows are in).
    await grid.locator('#grid').evaluate(async (g) => {
      for (let i = 0; i < 30; i++) {
        g.scrollTop = g.scrollHeight;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    await grid.locator('[role="row"][aria-rowindex="100001"]').waitFor({ timeout: 10_000 });
    await wb.screenshot('hunting-100k-rows');
  });
});
