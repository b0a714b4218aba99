/**
 * README's first command, `npm run dev` (scripts/dev.mjs), as a user runs it: the e2e tests that need the sample
 * tenant start it (code-server, because desktop VS Code is not on CI), read the URL and the sample's emulator and
 * stand-in state from what it prints, and open that URL in chromium. One `npm run dev` serves every test of the
 * mocha process (the root hook stops it); a test that changes the sample for good (leaving it) calls stopDev()
 * afterwards, so the next one gets a fresh sample.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repoRoot, resultsDir } from './harness';

const launchers = () => import('../../scripts/lib/codeServer.mjs');

export interface DevSession {
  /** The workbench URL `npm run dev` printed. */
  readonly url: string;
  /** The sample tenant's API emulator (admin endpoints for what the portal would do). */
  readonly emulatorUrl: string;
  /** The PowerShell stand-in's state file: This device. */
  readonly stateFile: string;
  /** Everything `npm run dev` printed so far. */
  output(): string;
  /** A fresh browser context on the workbench, waiting until the Defender container is there and open. */
  openPage(): Promise<Page>;
}

interface Running extends DevSession {
  stop(): Promise<void>;
}

let running: Promise<Running> | undefined;

async function start(): Promise<Running> {
  const { freePort, launchBrowser } = await launchers();
  const port = await freePort();
  const dev: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'dev.mjs')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), DTM_FORCE_CODE_SERVER: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  dev.stdout?.on('data', (d) => (output += d));
  dev.stderr?.on('data', (d) => (output += d));
  const kill = async () => {
    if (!dev.pid) return;
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      try {
        process.kill(-dev.pid, signal);
      } catch {
        return; // already gone
      }
      await new Promise((r) => setTimeout(r, signal === 'SIGTERM' ? 2000 : 0));
    }
  };
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run dev printed no URL in 180 s:\n${output}`)), 180_000);
      const check = () => {
        const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      dev.stdout?.on('data', check);
      dev.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm run dev exited with ${code}:\n${output}`));
      });
    });
  } catch (err) {
    await kill();
    throw err;
  }
  dev.removeAllListeners('exit');
  const sample = /Sample tenant: \d+ devices from the API emulator at (http:\/\/\S+); This device is the PowerShell stand-in \((.+)\)\./.exec(output);
  if (!sample) {
    await kill();
    throw new Error(`npm run dev did not announce the sample tenant:\n${output}`);
  }
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  return {
    url,
    emulatorUrl: sample[1]!,
    stateFile: sample[2]!,
    output: () => output,
    async openPage() {
      browser ??= await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(url);
      const tab = page.getByRole('tab', { name: /^Defender/ }).first();
      await tab.waitFor({ timeout: 90_000 });
      if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
      return page;
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await kill();
    },
  };
}

/** The running `npm run dev` (started on first use). */
export function startDev(): Promise<DevSession> {
  running ??= start();
  return running;
}

/** Stops `npm run dev` and its browser (the root hook calls it; a test that changed the sample for good too). */
export async function stopDev(): Promise<void> {
  const r = running;
  running = undefined;
  const s = await r?.catch(() => undefined);
  await s?.stop();
}

/** Saves a screenshot of `page` as test-results/<name>.png. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
