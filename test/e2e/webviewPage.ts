/**
 * A product webview in a real browser without code-server: the panel's HTML and its script bundle served on
 * 127.0.0.1, and a page with a stand-in for the webview API that records what the webview posts to the host
 * and what it keeps with setState.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, resultsDir } from './harness';

// The launchers are ES modules shared with scripts/; load them with import() from this CommonJS file.
const launchers = () => import('../../scripts/lib/codeServer.mjs');

/** The origin serveWebview listens on: the cspSource to render the page with, so its CSP allows the bundle. */
export const servedCspSource = 'http://127.0.0.1';

export interface Posted {
  type: string;
  [k: string]: unknown;
}

declare global {
  interface Window {
    /** Every message the webview posted, in order. */
    __posted: Posted[];
    /** What the webview last kept with setState. */
    __state: unknown;
    /** Each securitypolicyviolation event the page saw, as "directive blocked-URI". */
    __csp: string[];
  }
}

/** Bundles src/webview-ui/<folder>/main.ts the way the extension ships it: one minified iife for the browser. */
export async function bundleWebviewScript(folder: string): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [path.join(repoRoot, 'src', 'webview-ui', folder, 'main.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
  });
  return out.outputFiles[0]!.text;
}

export interface ServedWebview {
  /** The page's address on 127.0.0.1. */
  url: string;
  /** Debian's chromium through playwright-core, as the rest of the e2e lane launches it. */
  browser: Browser;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/**
 * Serves the script at scriptPath (the scriptUri the HTML was rendered with) and the HTML at every other path,
 * and launches a browser to open it in. Makes test-results/ too, for the pictures the tests keep.
 */
export async function serveWebview({ html, script, scriptPath }: { html: string; script: string; scriptPath: string }): Promise<ServedWebview> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const server = http.createServer((req, res) => {
    if (req.url === scriptPath) {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `${servedCspSource}:${(server.address() as AddressInfo).port}/`;
  let browser: Browser;
  try {
    browser = await (await launchers()).launchBrowser();
  } catch (err) {
    server.close();
    throw err;
  }
  return {
    url,
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface WebviewPageOptions {
  viewport: { width: number; height: number };
  /** Called with each Content Security Policy violation the browser logs to the console. */
  onCspViolation?: (text: string) => void;
}

/** A new page at the served webview with the webview API stand-in installed before the page's own script runs. */
export async function openWebviewPage(webview: ServedWebview, options: WebviewPageOptions): Promise<Page> {
  const page = await webview.browser.newPage({ viewport: options.viewport });
  const onCspViolation = options.onCspViolation;
  if (onCspViolation) {
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) onCspViolation(m.text());
    });
  }
  // tsx (esbuild keepNames) wraps functions in __name(); the page needs it for evaluate() callbacks.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  // One stand-in for every webview: the report only posts; the results grid also keeps its view with setState.
  await page.addInitScript(() => {
    window.__posted = [];
    window.__state = undefined;
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
      postMessage: (m: Posted) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s: unknown) => {
        window.__state = s;
      },
    });
  });
  await page.goto(webview.url);
  return page;
}

/** The messages of one type the webview has posted so far. */
export function postedMessages(page: Page, type: string): Promise<Posted[]> {
  return page.evaluate((t) => window.__posted.filter((m) => m.type === t), type);
}

/** When the test failed, a picture of the page in test-results/<prefix>-failure-<test title>.png. */
export async function screenshotIfFailed(page: Page, test: Mocha.Test | undefined, prefix: string): Promise<void> {
  if (test?.state !== 'failed') return;
  await page.screenshot({ path: path.join(resultsDir, `${prefix}-failure-${test.title.replace(/\W+/g, '_')}.png`) }).catch(() => undefined);
}
