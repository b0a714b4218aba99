import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from './harness';
import { openWorkbench } from './harness';

/** The emulator's admin routes (test/doubles/api-emulator): its clock and scripted troubleshooting sessions. */
async function admin(url: string, path: string, body?: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function clickIfShown(locator: ReturnType<Page['locator']>, timeout = 10_000): Promise<boolean> {
  try {
    await locator.waitFor({ timeout });
    await locator.click();
    return true;
  } catch {
    return false;
  }
}

// Near the top of the (virtualised) device list, so no scrolling is needed; its old sessions are a day old.
const DEVICE = 'srv-sql-02.contoso.local';

describe('session lifecycle (e2e)', () => {
  it('turns on troubleshooting mode for a device in the tree, then follows it: requested, active, ending soon, ended', async function () {
    this.timeout(300_000);
    const wb = await openWorkbench();
    const page = wb.page;
    await admin(wb.emulatorUrl, '/__admin/reset');
    // Portal pages the extension opens go to a new tab: close them.
    page.context().on('page', (p) => void p.close().catch(() => undefined));
    try {
      await wb.openDefenderView();
      // Sign in from the device list when needed (a previous test may have done it in this profile).
      await page.getByRole('treeitem', { name: /Sign in to list your tenant's devices|\.contoso\.local/ }).first().waitFor({ timeout: 90_000 });
      const signIn = page.getByRole('treeitem', { name: /Sign in to list your tenant's devices/ }).first();
      if (await clickIfShown(signIn, 1_000)) {
        await clickIfShown(page.locator('.monaco-dialog-box').getByRole('button', { name: 'Allow' }), 30_000);
      }
      const device = page.getByRole('treeitem', { name: new RegExp(DEVICE.replace(/\./g, '\\.')) }).first();
      await device.waitFor({ timeout: 60_000 });

      // The emulator's device activates 10 minutes after the request and lasts 4 hours.
      await admin(wb.emulatorUrl, '/__admin/troubleshooting', { deviceName: DEVICE, activationDelayMinutes: 10, durationMinutes: 240 });

      await device.click({ button: 'right' });
      await page.locator('.context-view .action-label', { hasText: 'Turn On Troubleshooting Mode…' }).first().click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      assert.match(await dialog.innerText(), /Turn on troubleshooting mode for srv-sql-02\.contoso\.local\?[\s\S]*prerequisites/);
      await dialog.getByRole('button', { name: 'Open Portal Page and Track' }).click();
      // code-server may ask before opening an external site: either answer is fine, the request is recorded.
      await clickIfShown(page.locator('.monaco-dialog-box').getByRole('button', { name: /^(Open|Cancel)$/ }).first(), 5_000);
      await page.locator('.notification-toast', { hasText: /Troubleshooting mode requested for srv-sql-02/ }).first().waitFor({ timeout: 30_000 });

      const sessionRow = () => page.locator('[id="workbench.view.extension.defenderTroubleshooting"] .monaco-list-row', { hasText: DEVICE }).filter({ hasText: /Requested|Active|Ending soon|Ended|Not activated/ });
      const expectStage = async (stage: RegExp) => {
        await page.waitForFunction(
          ([name, re]) =>
            Array.from(document.querySelectorAll('.monaco-list-row[role="treeitem"]')).some((el) => {
              const label = el.getAttribute('aria-label') ?? '';
              return label.startsWith(`${name}, `) && new RegExp(re).test(label.slice(name.length + 2));
            }),
          [DEVICE, stage.source] as const,
          { timeout: 60_000 },
        );
      };
      await expectStage(/^Requested · /);
      await wb.screenshot('session-requested');

      // 12 minutes later (the emulator's clock) the device reports it active.
      await admin(wb.emulatorUrl, '/__admin/clock', { advanceMinutes: 12 });
      await wb.runCommand('Defender: Refresh Sessions');
      await expectStage(/^Active · 3 h 5\d min left$/);
      await page.locator('.notification-toast', { hasText: /Troubleshooting mode is active on srv-sql-02/ }).first().waitFor({ timeout: 30_000 });
      const statusItem = page.locator('.statusbar-item', { hasText: /TS \d:\d\d:\d\d/ }).first();
      await statusItem.waitFor({ timeout: 30_000 });

      // Ending soon (30 minutes before its expiry, the default setting).
      await admin(wb.emulatorUrl, '/__admin/clock', { advanceMinutes: 215 });
      await wb.runCommand('Defender: Refresh Sessions');
      await expectStage(/^Ending soon · \d+ min left$/);
      await page.locator('.notification-toast', { hasText: /Troubleshooting mode on srv-sql-02\.contoso\.local ends in/ }).first().waitFor({ timeout: 30_000 });
      await wb.screenshot('session-ending-soon');

      // Ended: the message says what the docs say happens.
      await admin(wb.emulatorUrl, '/__admin/clock', { advanceMinutes: 30 });
      await wb.runCommand('Defender: Refresh Sessions');
      await expectStage(/^Ended (<1 min|\d{1,2} min) ago$/);
      const ended = page.locator('.notification-toast', { hasText: /Troubleshooting mode on srv-sql-02\.contoso\.local has ended/ }).first();
      await ended.waitFor({ timeout: 30_000 });
      assert.match(await ended.innerText(), /revert back to how the device was configured/);
      assert.ok((await sessionRow().count()) >= 1);
      await wb.screenshot('session-ended');
    } catch (err) {
      // The extension's log (its LogOutputChannel file in the profile) says what the tracker did.
      const logs = (fs.readdirSync(wb.server.dirs.userData, { recursive: true }) as string[]).filter((f) => /Defender Troubleshooting\.log$/.test(f));
      for (const f of logs) console.log(`--- ${f}\n${fs.readFileSync(path.join(wb.server.dirs.userData, f), 'utf8').split('\n').slice(-60).join('\n')}`);
      throw err;
    } finally {
      await admin(wb.emulatorUrl, '/__admin/reset').catch(() => undefined);
    }
  });
});
