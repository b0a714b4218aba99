/**
 * README's first command on this checkout: `npm run dev` (scripts/dev.mjs) opens VS Code on the sample tenant.
 * The test runs it as a user would (test/e2e/dev.ts: code-server, because desktop VS Code is not on CI), opens the
 * printed URL in chromium and checks that the sample is there and says so.
 */
import * as assert from 'node:assert';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startDev } from './dev';
import { resultsDir } from './harness';

describe('sample tenant from `npm run dev` (e2e)', function () {
  this.timeout(300_000);
  let page: Page;

  before(async () => {
    const dev = await startDev();
    assert.match(dev.output(), /Sample tenant: \d+ devices/);
    page = await dev.openPage();
  });

  after(async () => {
    await page?.screenshot({ path: path.join(resultsDir, 'sample-tenant.png') }).catch(() => undefined);
    await page?.context().close().catch(() => undefined);
  });

  it('labels the views and the status bar as the sample tenant', async () => {
    await page.locator('.pane-header', { hasText: /Devices/ }).filter({ hasText: /Sample tenant/ }).first().waitFor({ timeout: 60_000 });
    await page.locator('.pane-header', { hasText: /Sessions/ }).filter({ hasText: /Sample tenant/ }).first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().waitFor({ timeout: 30_000 });
  });

  it('lists the sample tenant\'s devices without signing in, and plays This device in troubleshooting mode', async () => {
    await page.getByRole('treeitem', { name: /\.contoso\.local/ }).first().waitFor({ timeout: 60_000 });
    const thisDevice = page.getByRole('treeitem', { name: /This device/ }).first();
    await thisDevice.waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('[role="treeitem"]')).some((e) => /This device/.test(e.getAttribute('aria-label') ?? '') && /troubleshooting mode/i.test(e.textContent ?? '')),
      undefined,
      { timeout: 90_000 },
    );
    await page.getByRole('treeitem', { name: /SAMPLE-WIN11/ }).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(resultsDir, 'sample-tenant.png') });
  });

  it('offers to leave the sample from the status bar', async () => {
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: /Leave the sample tenant/ });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().waitFor({ timeout: 10_000 });
  });
});
