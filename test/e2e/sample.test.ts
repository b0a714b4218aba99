/**
 * README's first command on this checkout: `npm run dev` (scripts/dev.mjs) opens VS Code on the sample tenant.
 * The test runs it as a user would (code-server, because desktop VS Code is not on CI), opens the printed URL in
 * chromium and checks that the sample is there and says so.
 */
import * as assert from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, resultsDir } from './harness';

const launchers = () => import('../../scripts/lib/codeServer.mjs');

describe('sample tenant from `npm run dev` (e2e)', function () {
  this.timeout(300_000);
  let dev: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let output = '';

  before(async () => {
    const { freePort, launchBrowser } = await launchers();
    const port = await freePort();
    dev = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'dev.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, PORT: String(port), DTM_FORCE_CODE_SERVER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    dev.stdout?.on('data', (d) => (output += d));
    dev.stderr?.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run dev printed no URL in 180 s:\n${output}`)), 180_000);
      const check = () => {
        const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      dev?.stdout?.on('data', check);
      dev?.on('exit', (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
    });
    assert.match(output, /Sample tenant: \d+ devices/);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url);
    await page.getByRole('tab', { name: /^Defender/ }).first().waitFor({ timeout: 90_000 });
    const tab = page.getByRole('tab', { name: /^Defender/ }).first();
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  });

  after(async () => {
    await page?.screenshot({ path: path.join(resultsDir, 'sample-tenant.png') }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (dev?.pid) {
      try {
        process.kill(-dev.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 2000));
      try {
        process.kill(-dev.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
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
