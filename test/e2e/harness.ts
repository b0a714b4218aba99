/**
 * End-to-end harness: one code-server per mocha process with the packaged VSIX installed (DTM_VSIX, set by
 * scripts/test.mjs), Debian's chromium through playwright-core, and helpers that act like a user.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, FrameLocator, Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/lib/codeServer.mjs' with { 'resolution-mode': 'import' };

// The launchers are ES modules shared with scripts/; load them with import() from this CommonJS file.
const launchers = () => import('../../scripts/lib/codeServer.mjs');
const lanes = () => import('../../scripts/lib/lanes.mjs');

export const repoRoot = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');

interface Shared {
  server: CodeServer;
  browser: Browser;
  emulator: { url: string; stop(): Promise<void> };
  env: { DEFENDER_STANDIN_STATE: string };
}
let shared: Promise<Shared> | undefined;

async function startShared(): Promise<Shared> {
  const vsix = process.env.DTM_VSIX;
  if (!vsix || !fs.existsSync(vsix)) throw new Error('DTM_VSIX is not set: run the lane with `npm run test:e2e`');
  const { launchBrowser, startCodeServer } = await launchers();
  const { doubleEnvironment, startApiEmulatorIfPresent, testExtensions } = await lanes();
  const emulator = await startApiEmulatorIfPresent();
  const env = doubleEnvironment();
  const server = await startCodeServer({
    vsix: [vsix],
    extensions: testExtensions(),
    vars: { apiEmulatorUrl: emulator.url, standinState: env.DEFENDER_STANDIN_STATE },
    env: { ...env, DTM_API_EMULATOR_URL: emulator.url },
  });
  const browser = await launchBrowser();
  return { server, browser, emulator, env };
}

/** Stops the shared server and browser (root hook, after all tests). */
export async function shutdown(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  shared = undefined;
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await s.server.stop();
  await s.emulator.stop();
  (await lanes()).removeDoubleEnvironment(s.env);
}

export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  readonly emulatorUrl: string;
  readonly standinState: string;
  /** Runs a command from the palette by its title, e.g. "Defender: Show This Device". */
  runCommand(title: string): Promise<void>;
  /** Opens the Defender activity-bar container. */
  openDefenderView(): Promise<void>;
  /** The innermost frame of the webview whose panel title matches. */
  webview(title: RegExp): Promise<FrameLocator>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens a fresh workbench page (new browser context) on the shared server. */
export async function openWorkbench(options: { file?: string } = {}): Promise<Workbench> {
  shared ??= startShared();
  const { server, browser, emulator, env } = await shared;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.workbenchUrl());
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The workbench is interactive once the activity bar is there.
  await page.getByRole('tab', { name: /Explorer/ }).first().waitFor({ timeout: 60_000 });
  const wb: Workbench = {
    page,
    server,
    emulatorUrl: emulator.url,
    standinState: env.DEFENDER_STANDIN_STATE,
    async runCommand(title: string) {
      // Contributions appear once the extension host has scanned extensions: wait for our container first.
      await page.getByRole('tab', { name: /^Defender/ }).first().waitFor({ timeout: 60_000 });
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(`>${title}`);
        const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
        try {
          await row.waitFor({ timeout: 10_000 });
          await row.click();
          return;
        } catch (err) {
          await page.keyboard.press('Escape');
          if (attempt >= 3) throw err;
        }
      }
    },
    async openDefenderView() {
      const tab = page.getByRole('tab', { name: /^Defender/ }).first();
      await tab.waitFor({ timeout: 60_000 });
      const selected = await tab.getAttribute('aria-selected');
      if (selected !== 'true') await tab.click();
    },
    async webview(title: RegExp) {
      await page.locator('.tab', { hasText: title }).first().waitFor({ timeout: 60_000 });
      const frames = page.locator('iframe.webview.ready');
      await frames.first().waitFor({ timeout: 60_000 });
      return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
    },
    async screenshot(name: string) {
      fs.mkdirSync(resultsDir, { recursive: true });
      const file = path.join(resultsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
    },
  };
  if (options.file) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.fill(options.file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(options.file) }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: path.basename(options.file) }).first().waitFor();
  }
  current.add(wb);
  return wb;
}

/** Workbenches opened by the running test; hooks.ts screenshots them on failure and closes them. */
export const current = new Set<Workbench>();
export type { Frame, Page };
