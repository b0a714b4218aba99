import * as assert from 'node:assert';
import type { Page } from 'playwright-core';
import { openWorkbench } from './harness';

const FILE = 'kql-schema-refresh.kql';
/** The DeviceEvents column the emulated tenant has and the shipped schema lacks (EXTRA_TENANT_COLUMN). */
const COLUMN = 'InitiatingProcessUniqueId';
const REFRESH = 'Defender: Refresh KQL Schema from Advanced Hunting';

interface EmulatorRequest {
  readonly path: string;
  readonly status: number;
  readonly bearer: boolean;
  readonly kql?: string;
}

/**
 * Runs the refresh the way a user gets it done: if the extension is not signed in yet, the error offers
 * "Sign In" (then VS Code asks whether the extension may use the account: Allow) and the user runs the command
 * again; if it is (an earlier test in this run signed in), it just runs. Resolves on the success message.
 */
async function refreshSchema(page: Page, run: () => Promise<void>): Promise<string> {
  const success = page.locator('.notification-toast', { hasText: /KQL schema refreshed from your tenant/ }).first();
  const signIn = page.locator('.notification-toast', { hasText: /Sign in to Microsoft to read the advanced hunting schema/ }).first();
  const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: /Allow/ });
  await run();
  const deadline = Date.now() + 90_000;
  let signIns = 0;
  while (!(await success.isVisible())) {
    if (Date.now() > deadline) throw new Error('no "KQL schema refreshed" message within 90 s');
    if (await allow.isVisible()) {
      await allow.click();
    } else if (await signIn.isVisible()) {
      assert.ok(++signIns <= 2, 'asked to sign in again after signing in');
      await signIn.getByRole('button', { name: 'Sign In' }).click();
      await allow.waitFor({ timeout: 10_000 }).then(() => allow.click(), () => undefined);
      // Signed in (or the account was already allowed): run the command again.
      await page.locator('.monaco-dialog-box').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      await run();
    } else {
      await page.waitForTimeout(250);
    }
  }
  console.log(`    ${signIns ? 'signed in from the command\'s "Sign In" first' : 'already signed in'}`);
  return success.innerText();
}

describe('KQL schema refresh (e2e)', () => {
  it('learns a column the shipped schema lacks from advanced hunting: the "unknown column" error goes away', async () => {
    const wb = await openWorkbench({ file: FILE });
    const page = wb.page;

    // With the shipped schema the column is unknown: a squiggle, and a problem naming it.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 90_000 });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: COLUMN }).first();
    await problem.waitFor({ timeout: 60_000 });
    const before = await problem.innerText();
    assert.match(before, /does not refer to any known column/);
    await wb.screenshot('kql-schema-before-refresh');

    const message = await refreshSchema(page, () => wb.runCommand(REFRESH));
    // DeviceEvents, DeviceInfo and DeviceProcessEvents are the tables the emulator has columns for.
    assert.match(message, /3 tables updated/);

    // What reached the API: the fuzzy getschema union, with the token, answered in one query.
    const log = (await (await fetch(`${wb.emulatorUrl}/__admin/requests`)).json()) as { requests: EmulatorRequest[] };
    const hunting = log.requests.filter((r) => r.path.endsWith('/security/runHuntingQuery'));
    const isUnion = (r: EmulatorRequest) => /^union isfuzzy=true\n\s+\(\w+ \| getschema \| extend TableName = "\w+"\)/.test(r.kql ?? '');
    const unionAt = hunting.map(isUnion).lastIndexOf(true);
    assert.ok(unionAt >= 0, `no getschema union among ${hunting.length} hunting requests`);
    assert.strictEqual(hunting[unionAt]!.status, 200);
    assert.ok(hunting[unionAt]!.bearer, 'the union carried a bearer token');
    assert.deepStrictEqual(hunting.slice(unionAt + 1).filter((r) => /getschema/.test(r.kql ?? '')), [], 'no per-table fallback');

    // The language server re-checks the open document against the refreshed schema.
    await page.locator('.markers-panel .monaco-list-row', { hasText: COLUMN }).first().waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 30_000 });
    await wb.screenshot('kql-schema-after-refresh');

    // And knows its type now: the hover on the column says so.
    await page.locator('.monaco-editor .view-line span span', { hasText: new RegExp(`^${COLUMN}$`) }).last().hover();
    const hover = page.locator('.monaco-hover', { hasText: `${COLUMN}: long` }).first();
    await hover.waitFor({ timeout: 30_000 }).catch(async (err: unknown) => {
      const shown = await page.locator('.monaco-hover').allInnerTexts().catch(() => []);
      throw new Error(`${String(err)}\nhover shows: ${JSON.stringify(shown)}\nproblem before the refresh: ${before}`);
    });
  });
});
