/**
 * Issue #11, Tests: README's first command (`npm run dev`, test/e2e/dev.ts) on this checkout, then the walkthrough
 * "Defender troubleshooting mode: the whole loop" on the sample tenant, step by step as a user goes through it:
 * open the step, press its button (the real command), do what the step asks on the sample, and see the step
 * ticked (its completionEvents). Every step leaves a screenshot test-results/walkthrough-NN-<step>.png. At the end,
 * signing in to a real tenant leaves the sample: its labels, its devices and its status-bar item go.
 *
 * The Defender portal is outside VS Code: where the step says "turn it on in the portal", the test does what the
 * portal would (the sample emulator's admin route makes the device report the session), as sessions.test.ts does.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import type { Context } from 'mocha';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { keepScreenshot, startDev, stopDev, type DevSession } from './dev';

/** The emulator's admin routes (test/doubles/api-emulator/README.md). */
async function admin(url: string, route: string, body?: unknown): Promise<void> {
  const res = await fetch(`${url}${route}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(res.ok, `${route}: ${res.status} ${await res.text()}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('walkthrough on the sample tenant from `npm run dev` (e2e)', function () {
  // Each step runs real PowerShell (a few seconds each on a busy 2-core machine); the whole walk is one session.
  this.timeout(240_000);
  let dev: DevSession;
  let page: Page;
  let broken = false;
  let shot = 0;
  let deviceName = '';

  const step = (id: string): Locator => page.locator(`.getting-started-step[data-step-id$="#${id}"]`).first();
  const dialog = (): Locator => page.locator('.monaco-dialog-box').first();
  const toast = (text: RegExp): Locator => page.locator('.notification-toast', { hasText: text }).first();
  const quickRow = (text: string | RegExp): Locator => page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();

  /** Opens the step (its description and button show), presses the button named `button`. */
  async function pressStepButton(id: string, button: string | RegExp): Promise<void> {
    const s = step(id);
    // Back on the Welcome page (Escape there leaves the walkthrough): open the walkthrough again.
    const card = page.locator('.getting-started-category', { hasText: /Defender troubleshooting mode/ }).first();
    if (!(await s.isVisible()) && (await card.isVisible())) await card.click();
    await s.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await s.getAttribute('aria-expanded')) !== 'true') await s.click();
    const b = page.locator('.getting-started-step.expanded').getByRole('button', { name: button }).first();
    await b.waitFor({ timeout: 15_000 });
    await b.click();
  }

  /** The step is ticked: VS Code marks it done when one of its completionEvents happened. */
  async function expectDone(id: string, name: string): Promise<void> {
    // The picture is of what the step opened (a diff, a panel, a preview); the tick is on the walkthrough's tab.
    await keepScreenshot(page, `walkthrough-${String(++shot).padStart(2, '0')}-${name}`);
    if (!(await page.locator('.gettingStartedContainer').first().isVisible())) await backToWalkthrough();
    await page.waitForFunction(
      (stepId) => {
        const el = document.querySelector(`.getting-started-step[data-step-id$="#${stepId}"]`);
        return !!el && (el.classList.contains('complete') || el.getAttribute('aria-checked') === 'true');
      },
      id,
      { timeout: 30_000 },
    );
  }

  /** Back to the walkthrough's editor tab after a step opened something else. */
  async function backToWalkthrough(): Promise<void> {
    const tab = page.locator('.tab', { hasText: /the whole loop|Walkthrough|Welcome/ }).first();
    await tab.click();
    await page.locator('.gettingStartedContainer').first().waitFor({ timeout: 15_000 });
  }

  /** Runs a command from the palette by its title (again if the palette did not open or find it at once). */
  async function runCommand(title: string): Promise<void> {
    const input = page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await input.isVisible())) await page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(`>${title}`);
        await quickRow(title).waitFor({ timeout: 10_000 });
        await input.press('Enter');
        return;
      } catch (err) {
        // Escape only for the palette: on the walkthrough page it goes back to the Welcome page.
        if (await input.isVisible()) await page.keyboard.press('Escape');
        if (attempt >= 3) throw err;
      }
    }
  }

  /** The innermost frame of the newest ready webview (results grid, event list, report, Markdown preview). */
  async function webview(tabTitle: RegExp): Promise<FrameLocator> {
    await page.locator('.tab', { hasText: tabTitle }).first().waitFor({ timeout: 60_000 });
    await page.locator('iframe.webview.ready').first().waitFor({ timeout: 60_000 });
    return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }

  async function runAndConfirm(expectCommand: RegExp): Promise<void> {
    const d = dialog();
    await d.waitFor({ timeout: 120_000 });
    assert.match(await d.innerText(), expectCommand);
    await d.getByRole('button', { name: 'Run' }).click();
    await d.waitFor({ state: 'hidden', timeout: 15_000 });
  }

  async function clearToasts(): Promise<void> {
    await runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  before(async function () {
    this.timeout(300_000);
    dev = await startDev();
    // The recording waits as long as asked (30 s at the least); the sample's stand-in may take less, to keep CI short.
    const state = JSON.parse(fs.readFileSync(dev.stateFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(dev.stateFile, JSON.stringify({ ...state, performance: { ...(state.performance as object), sleepMs: 1500 } }, null, 2));
    page = await dev.openPage();
    // External pages (the portal, the docs) open in new tabs: close them.
    page.context().on('page', (p) => void p.close().catch(() => undefined));
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().waitFor({ timeout: 60_000 });
    await runCommand('Welcome: Open Walkthrough...');
    await quickRow(/the whole loop/).click();
    await step('signIn').waitFor({ timeout: 60_000 });
  });

  beforeEach(function () {
    if (broken) this.skip();
  });

  afterEach(async function (this: Context) {
    if (this.currentTest?.state === 'failed') {
      broken = true;
      await keepScreenshot(page, `walkthrough-failure-${this.currentTest.title.replace(/\W+/g, '_')}`).catch(() => undefined);
    }
  });

  after(async () => {
    await page?.context().close().catch(() => undefined);
    // The last step left the sample for good: the next test that needs it gets a fresh `npm run dev`.
    await stopDev();
  });

  it('1. sign in, or stay on the sample tenant', async () => {
    await pressStepButton('signIn', 'Sign In to Microsoft');
    await dialog().waitFor({ timeout: 30_000 });
    assert.match(await dialog().innerText(), /You are using the sample tenant\. Signing in to your tenant leaves the sample/);
    await keepScreenshot(page, 'walkthrough-01a-sign-in-offers-to-leave');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await expectDone('signIn', 'sign-in');
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().waitFor({ timeout: 5_000 });
  });

  it('2. find a device and its prerequisites', async () => {
    // The Devices view lists the sample tenant's devices; take the first Windows device not yet in a session (its
    // description starts with the platform, not a stage). Troubleshooting mode is Windows only, and the view's order
    // depends on what earlier tests did in the same `npm run dev` (its grouping, the sessions they tracked).
    const first = page.getByRole('treeitem', { name: /^[\w-]+\.contoso\.local, Windows1[01] · / }).first();
    await first.waitFor({ timeout: 90_000 });
    deviceName = /^([\w-]+\.contoso\.local)/.exec((await first.getAttribute('aria-label')) ?? '')![1]!;
    await pressStepButton('findDevice', 'Search Tenant Devices');
    await page.locator('.quick-input-widget input').fill(deviceName.split('.')[0]!);
    await quickRow(deviceName).click();
    await toast(new RegExp(escape(deviceName))).waitFor({ timeout: 15_000 });
    // Expand the device: its prerequisites for troubleshooting mode.
    const device = page.getByRole('treeitem', { name: new RegExp(`^${escape(deviceName)}`) }).first();
    if ((await device.getAttribute('aria-expanded')) !== 'true') await device.click();
    await page.getByRole('treeitem', { name: /Troubleshooting-mode prerequisites/ }).first().waitFor({ timeout: 30_000 });
    await expectDone('findDevice', 'find-device');
    await clearToasts();
  });

  it('3. turn on troubleshooting mode and watch it become active', async () => {
    // From the walkthrough there is no device row: the command asks which device (the tree's context menu gives it).
    await pressStepButton('turnOn', 'Turn On Troubleshooting Mode');
    await page.locator('.quick-input-widget', { hasText: /which device/ }).waitFor({ timeout: 30_000 });
    await page.locator('.quick-input-widget input').fill(deviceName);
    await quickRow(deviceName).click();
    await dialog().waitFor({ timeout: 30_000 });
    assert.match(await dialog().innerText(), new RegExp(`Turn on troubleshooting mode for ${escape(deviceName)}\\?`));
    await dialog().getByRole('button', { name: 'Open Portal Page and Track' }).click();
    // code-server may ask before opening the portal: either answer records the request.
    const external = page.locator('.monaco-dialog-box').getByRole('button', { name: /^(Open|Cancel)$/ }).first();
    await external.click({ timeout: 5_000 }).catch(() => undefined);
    await toast(new RegExp(`Troubleshooting mode requested for ${escape(deviceName)}`)).waitFor({ timeout: 30_000 });
    const stage = (re: RegExp) =>
      page.waitForFunction(
        ([name, source]) =>
          Array.from(document.querySelectorAll('.monaco-list-row[role="treeitem"]')).some((el) => {
            const label = el.getAttribute('aria-label') ?? '';
            return label.startsWith(`${name}, `) && new RegExp(source).test(label.slice(name.length + 2));
          }),
        [deviceName, re.source] as const,
        { timeout: 60_000 },
      );
    await stage(/^Requested · /);
    // What the portal does: the device reports troubleshooting mode started (the sample emulator's admin route).
    await admin(dev.emulatorUrl, '/__admin/troubleshooting', { deviceName, activationDelayMinutes: 0, durationMinutes: 240 });
    await runCommand('Defender: Refresh Sessions');
    await stage(/^Active · /);
    await expectDone('turnOn', 'turn-on-active');
    await clearToasts();
  });

  it('4. check tamper protection', async () => {
    await pressStepButton('tamper', 'Refresh This Device');
    const thisDevice = page.getByRole('treeitem', { name: /This device, .*TP on/ }).first();
    await thisDevice.waitFor({ timeout: 120_000 });
    await expectDone('tamper', 'tamper');
  });

  it('5. run a playbook: a silent tamper-protection block, then turned off and applied', async function () {
    // Four playbook runs, each several PowerShell runs (status, snapshot, change, read-back, events).
    this.timeout(480_000);
    // Exclusions are tamper-protected: with tamper protection on, the change "succeeds" and nothing changes (5013).
    await runCommand('Defender: Playbook: High CPU from MsMpEng.exe (Add Exclusions)');
    const input = page.locator('.quick-input-widget input');
    // Three input boxes one after the other: answer each once its title shows (Enter again if it came too early).
    const answer = async (title: RegExp, value: string, next: () => Promise<boolean>) => {
      const current = page.locator('.quick-input-widget .quick-input-title', { hasText: title });
      await current.waitFor({ timeout: 120_000 });
      await input.fill(value);
      await input.press('Enter');
      // Enter again only while this same box is still open (it came too early), never into what opened next: an
      // Enter on the confirmation dialog would press its Run button. On a loaded machine the next step can take long.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (await next()) return;
        if (await current.isVisible()) {
          await input.fill(value);
          await input.press('Enter');
        }
      }
      throw new Error(`the input box ${title.source} did not take the answer`);
    };
    const shows = (title: RegExp) => () => page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 3_000 }).then(() => true, () => false);
    await answer(/: paths to exclude/, 'C:\\Data\\Sales', shows(/: file extensions to exclude/));
    await answer(/: file extensions to exclude/, '', shows(/: processes/));
    await answer(/: processes/, '', () => dialog().waitFor({ timeout: 3_000 }).then(() => true, () => false));
    await runAndConfirm(/Add-MpPreference -ExclusionPath 'C:\\Data\\Sales'/);
    const blocked = toast(/blocked by tamper protection/);
    await blocked.waitFor({ timeout: 180_000 });
    await keepScreenshot(page, `walkthrough-${String(++shot).padStart(2, '0')}-playbook-tamper-blocked`);
    await clearToasts();

    // The step's button: real-time protection off needs tamper protection off first, which the message offers.
    await pressStepButton('playbook', /Application Slow/);
    const needsOff = toast(/Tamper protection is still on/);
    await needsOff.waitFor({ timeout: 120_000 });
    await needsOff.getByRole('button', { name: 'Turn Off Tamper Protection' }).click();
    await runAndConfirm(/Set-MpPreference -DisableTamperProtection \$true/);
    await toast(/: applied/).waitFor({ timeout: 180_000 });
    await clearToasts();
    await pressStepButton('playbook', /Application Slow/);
    await runAndConfirm(/Set-MpPreference -DisableRealtimeMonitoring \$true/);
    await toast(/: applied/).waitFor({ timeout: 180_000 });
    await expectDone('playbook', 'playbook-applied');
    await clearToasts();
  });

  it('6. compare the snapshots', async () => {
    await runCommand('Defender: Take Defender Settings Snapshot');
    const saved = toast(/Snapshot of SAMPLE-WIN11 saved/);
    if (!(await saved.waitFor({ timeout: 90_000 }).then(() => true, () => false))) {
      // Seen once on CI (21:52 UTC 2026-12-02): no message and no second snapshot after 120 s. Say what the window
      // showed, for the next person, and run the command once more.
      const shown = await page.locator('.notification-toast').allInnerTexts();
      console.log(`[walkthrough] no "Snapshot saved" after 90 s; notifications: ${JSON.stringify(shown)}`);
      await keepScreenshot(page, 'walkthrough-06-no-snapshot-message');
      await runCommand('Defender: Take Defender Settings Snapshot');
      await saved.waitFor({ timeout: 120_000 });
    }
    await clearToasts();
    await pressStepButton('snapshots', 'Compare Snapshots');
    await page.locator('.quick-input-widget', { hasText: /Pick two snapshots to compare/ }).waitFor({ timeout: 60_000 });
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.nth(0).click();
    await rows.nth(1).click();
    await page.locator('.quick-input-widget input').press('Enter');
    await page.locator('.tab', { hasText: /Defender settings: .*↔/ }).first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
    await expectDone('snapshots', 'snapshots');
    await backToWalkthrough();
  });

  it('7. read the session\'s events (the 5013 of the silent block among them)', async () => {
    await pressStepButton('events', 'Show Defender Events');
    await quickRow('This troubleshooting session').click();
    // Sample data says so in the panel's title, as in the views and the status bar.
    const grid = await webview(/Session events.* · Sample tenant/);
    await grid.locator('[role="row"]', { hasText: '5013' }).first().waitFor({ timeout: 120_000 });
    await expectDone('events', 'events');
    await backToWalkthrough();
  });

  it('8. record a performance report', async () => {
    await pressStepButton('performance', 'Record Defender Performance');
    await quickRow('30 seconds').click({ timeout: 120_000 });
    await dialog().waitFor({ timeout: 60_000 });
    assert.match(await dialog().innerText(), /personal data/);
    await dialog().getByRole('button', { name: 'Record' }).click();
    const report = await webview(/Performance: .* · Sample tenant/);
    await report.locator('canvas').first().waitFor({ timeout: 120_000 });
    await expectDone('performance', 'performance');
    await backToWalkthrough();
  });

  it('9. run a hunting snippet', async () => {
    await pressStepButton('hunting', 'New KQL File');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('tsmode-now', { delay: 20 });
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'tsmode-now' }).first().click({ timeout: 30_000 });
    await page.keyboard.press('Escape'); // out of the snippet's placeholders
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    const span = quickRow(/Last 7 days/);
    await span.click({ timeout: 15_000 }).catch(() => undefined);
    const grid = await webview(/Results: .* · Sample tenant/);
    await grid.locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 60_000 });
    await expectDone('hunting', 'hunting');
    await backToWalkthrough();
  });

  it('10. create a detection rule', async () => {
    await pressStepButton('detectionRule', /Create Detection Rule/);
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: /name/ }).waitFor({ timeout: 30_000 });
    await input.press('Enter');
    await quickRow('Every 3 hours').click({ timeout: 15_000 });
    await quickRow(/^high/).click({ timeout: 15_000 });
    // Only if the rule's checks found something to warn about.
    await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Create Anyway' }).click({ timeout: 3_000 }).catch(() => undefined);
    const create = dialog().getByRole('button', { name: 'Create Rule' });
    await create.waitFor({ timeout: 30_000 });
    // The dialog is tall (it shows the request body): its default button has the focus, Enter presses it.
    await create.focus();
    await page.keyboard.press('Enter');
    await toast(/Custom detection rule .* created/).waitFor({ timeout: 60_000 });
    await expectDone('detectionRule', 'detection-rule');
    await clearToasts();
  });

  it('11. read the session report', async () => {
    await pressStepButton('sessionReport', 'Write Session Report');
    const preview = await webview(/Preview session-report-/);
    await preview.locator('h1', { hasText: /Troubleshooting session report/ }).waitFor({ timeout: 120_000 });
    const text = await preview.locator('body').innerText();
    assert.match(text, /SAMPLE-WIN11 · Sample tenant/);
    assert.match(text, /Sample tenant: sample data/);
    assert.match(text, /blocked by tamper protection/);
    await expectDone('sessionReport', 'session-report');
    await backToWalkthrough();
  });

  it('12. what happens at expiry', async () => {
    await pressStepButton('expiry', 'Read About Troubleshooting Mode');
    const external = page.locator('.monaco-dialog-box').getByRole('button', { name: /^(Cancel)$/ }).first();
    await external.click({ timeout: 5_000 }).catch(() => undefined);
    await expectDone('expiry', 'expiry');
  });

  it('signing in to a real tenant leaves the sample: labels, devices and the status-bar item go', async () => {
    await pressStepButton('signIn', 'Sign In to Microsoft');
    await dialog().getByRole('button', { name: 'Leave Sample and Sign In' }).click({ timeout: 30_000 });
    // The real sign-in (Microsoft's provider) is not available here: cancel whatever it asks.
    await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Cancel' }).first().click({ timeout: 10_000 }).catch(() => undefined);
    await page.locator('.statusbar-item', { hasText: 'Sample tenant' }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await page.locator('.pane-header', { hasText: /Sample tenant/ }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('treeitem', { name: /\.contoso\.local/ }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await keepScreenshot(page, 'walkthrough-13-left-the-sample');
  });
});
