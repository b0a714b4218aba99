/**
 * README's and the walkthrough's pictures (issue 11, item 5), taken on the sample tenant: the API emulator's devices
 * and This device played by the PowerShell stand-in as SAMPLE-WIN11 in troubleshooting mode, with the packaged VSIX
 * in code-server. One test walks the loop a user would and saves each picture, cropped to the part it shows, to
 * test-results/readme/<name>.png; `npm run screenshots` (scripts/screenshots.mjs) runs only this test and copies
 * them to media/screenshots/. The names are README_PICTURES (readmePictures.ts); test/unit/foundation/readmeImages.test.ts checks
 * that every picture the docs link exists.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { openWorkbench, resultsDir, type Page, type Workbench } from './harness';
import { activeSession, freshState, writeState, type StandinState } from '../doubles/powershell/standinState';
import type { PictureName } from './readmePictures';


const OUT = path.join(resultsDir, 'readme');

async function save(name: PictureName, target: Page | Locator): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.png`);
  await target.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 5_000, `${name}.png has content`);
}

/** The profile's user settings (settings.json of code-server's user data), for the sample tenant switch. */
function userSettingsFile(wb: Workbench): string {
  return path.join(wb.server.dirs.userData, 'User', 'settings.json');
}

async function quiet(page: Page): Promise<void> {
  // No toast, no open quick input, no hover over the picture.
  await page.keyboard.press('Escape');
  await page.mouse.move(1100, 16);
  const toasts = page.locator('.notification-toast .codicon-notifications-clear, .notification-toast .codicon-close');
  for (let i = 0; i < 5 && (await toasts.count()) > 0; i++) await toasts.first().click().catch(() => undefined);
}

async function pickQuick(page: Page, text: RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.click();
}

describe('README screenshots (e2e, sample tenant)', () => {
  it('takes the README and walkthrough pictures: devices, playbook, snapshot diff, events, performance report, hunting grid, session report', async function () {
    // Every device operation is a real pwsh run (seconds each on a busy machine), and the recording lasts 30 s.
    this.timeout(900_000);
    const wb = await openWorkbench();
    const page = wb.page;
    await page.setViewportSize({ width: 1280, height: 760 });
    const settingsFile = userSettingsFile(wb);
    const settingsBefore = fs.readFileSync(settingsFile, 'utf8');
    const globalStorage = path.join(wb.server.dirs.userData, 'User', 'globalStorage', 'defender-tools.defender-troubleshooting');
    // SAMPLE-WIN11 as `npm run dev` plays it (scripts/lib/sample.mjs), with tamper protection off so a change applies.
    // A few of the session's Defender events as the device would log them (the playbook adds its own 5007).
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    const key = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender';
    const events: NonNullable<StandinState['events']> = [
      { Id: 5013, TimeCreated: ago(31), RecordId: 101, Message: 'Tamper protection blocked a change to Microsoft Defender Antivirus.', Data: { Value: `${key}\\Real-Time Protection\\DisableRealtimeMonitoring = (Current)` } },
      { Id: 5007, TimeCreated: ago(22), RecordId: 102, Message: 'Microsoft Defender Antivirus Configuration has changed.', Data: { 'Old Value': '', 'New Value': `${key}\\Exclusions\\Paths\\C:\\Data\\Sales = 0x0` } },
      { Id: 5007, TimeCreated: ago(18), RecordId: 103, Message: 'Microsoft Defender Antivirus Configuration has changed.', Data: { 'Old Value': `${key}\\MpEngine\\MpEnablePus = 0x1`, 'New Value': `${key}\\MpEngine\\MpEnablePus = 0x0` } },
      { Id: 1116, TimeCreated: ago(12), RecordId: 104, Message: 'Microsoft Defender Antivirus has detected malware or other potentially unwanted software.', Data: { 'Threat Name': 'PUA:Win32/Presenoker', Path: 'file:_C:\\Users\\alex\\Downloads\\setup.exe' } },
    ];
    writeState(wb.standinState, freshState({ computerName: 'SAMPLE-WIN11', elevated: true, tamperProtected: false, troubleshooting: activeSession(new Date(), 35), events }));
    // Portal pages the extension may open go to a new tab: close them.
    page.context().on('page', (p) => void p.close().catch(() => undefined));
    // Each picture is a step; a failed step is recorded and the next one still runs, so one run shows every problem.
    const failed: string[] = [];
    const step = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failed.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        await wb.screenshot(`readme-failed-${name}`).catch(() => undefined);
        await page.keyboard.press('Escape').catch(() => undefined);
        await page.keyboard.press('Escape').catch(() => undefined);
      }
    };
    try {
      // The sample tenant: its label everywhere, devices without signing in, grouped by troubleshooting state.
      const settings = JSON.parse(settingsBefore) as Record<string, unknown>;
      fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'defenderTroubleshooting.sample.enabled': true, 'defenderTroubleshooting.devices.groupBy': 'troubleshootingState' }, null, 2));
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await wb.openDefenderView();
      const sidebar = page.locator('[id="workbench.parts.sidebar"]');
      const editor = page.locator('[id="workbench.parts.editor"]');
      await page.locator('.pane-header', { hasText: /Devices/ }).filter({ hasText: /Sample tenant/ }).first().waitFor({ timeout: 90_000 });
      // A wider side bar, so the rows' descriptions show: drag the sash between it and the editor.
      const box = await sidebar.boundingBox();
      if (box) {
        await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width + 160, box.y + box.height / 2, { steps: 8 });
        await page.mouse.up();
      }
      const device = page.getByRole('treeitem', { name: /This device, Troubleshooting mode · \dh \d\dm left · TP off/ }).first();
      const playbook = page.getByRole('treeitem', { name: /^Network protection blocks a domain/ }).first();
      /** Scrolls the Devices view until the row is rendered (the tree only renders what is in view). */
      const reveal = async (row: Locator) => {
        const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Devices/ }) }).first().locator('.monaco-list').first();
        for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
          await pane.hover();
          await page.mouse.wheel(0, 120);
          await page.waitForTimeout(300);
        }
        await row.waitFor({ timeout: 30_000 });
      };

      // 1. This device in troubleshooting mode, its playbooks; the Sessions view.
      await step('defender-view', async () => {
        await device.waitFor({ timeout: 180_000 });
        if ((await device.getAttribute('aria-expanded')) !== 'true') await device.click();
        await page.getByRole('treeitem', { name: /^Playbooks/ }).first().waitFor({ timeout: 60_000 });
        await quiet(page);
        await page.waitForTimeout(1000);
        await save('defender-view', sidebar);
      });

      // 2. Tenant devices grouped by troubleshooting state (collapse This device to make room, open a group).
      await step('tenant-devices', async () => {
        if ((await device.getAttribute('aria-expanded')) === 'true') await device.click();
        // The troubleshooting query has run once the Sessions view lists the tenant's sessions; then the groups have them.
        await page.getByRole('treeitem', { name: /^ws-fin-01\.contoso\.local, / }).first().waitFor({ timeout: 120_000 }).catch(() => undefined);
        const inMode = page.getByRole('treeitem', { name: /^(In troubleshooting mode|Ending soon)\b/ }).first();
        const group = (await inMode.waitFor({ timeout: 60_000 }).then(() => true, () => false)) ? inMode : page.getByRole('treeitem', { name: /troubleshooting mode/ }).first();
        await group.waitFor({ timeout: 90_000 });
        if ((await group.getAttribute('aria-expanded')) !== 'true') await group.click();
        await page.getByRole('treeitem', { name: /\.contoso\.local/ }).first().waitFor({ timeout: 60_000 });
        await quiet(page);
        await page.waitForTimeout(1000);
        await save('tenant-devices', sidebar);
        await group.click();
      });

      // 3. A playbook: the exact command first, then the verified result.
      await step('device-playbook', async () => {
        await page.locator('.pane-header', { hasText: /Devices/ }).first().hover();
        if ((await device.getAttribute('aria-expanded')) !== 'true') await device.click();
        await reveal(playbook);
        await playbook.click();
        const dialog = page.locator('.monaco-dialog-box').first();
        await dialog.waitFor({ timeout: 180_000 });
        assert.match(await dialog.innerText(), /Set-MpPreference -EnableNetworkProtection 'Disabled'/);
        await save('device-playbook-confirm', page);
        await dialog.getByRole('button', { name: 'Run' }).click();
        const toast = page.locator('.notification-toast', { hasText: /Set network protection to off: (applied|blocked|did not)/ }).first();
        await toast.waitFor({ timeout: 300_000 });
        assert.match(await toast.innerText(), /applied/);
        await save('device-playbook-result', page);
        await quiet(page);
      });

      // The editor's pictures without the side bar: the grids and reports get the window's width.
      await wb.runCommand('View: Toggle Primary Side Bar Visibility').catch(() => undefined);

      // 4. The snapshot before the change against one taken now, in the diff editor.
      await step('snapshot-diff', async () => {
        await wb.runCommand('Defender: Take Defender Settings Snapshot');
        await page.locator('.notification-toast', { hasText: /[Ss]napshot/ }).first().waitFor({ timeout: 180_000 }).catch(() => undefined);
        await quiet(page);
        await wb.runCommand('Defender: Compare Defender Settings Snapshots');
        // A multi-select quick pick: a click on a row ticks it.
        const picks = page.locator('.quick-input-widget .monaco-list-row', { hasText: /SAMPLE-WIN11/ });
        await picks.nth(1).waitFor({ timeout: 120_000 });
        await picks.nth(0).click();
        await picks.nth(1).click();
        await page.locator('.quick-input-widget', { hasText: /2 Selected/ }).waitFor({ timeout: 10_000 });
        await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
        await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 60_000 });
        await page.locator('.monaco-diff-editor .line-delete, .monaco-diff-editor .char-delete, .monaco-diff-editor .line-insert').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(1500);
        await save('snapshot-diff', editor);
      });

      // 5. The session's events in the grid (from the palette: the range picker offers the session first).
      await step('event-list', async () => {
        await wb.runCommand('View: Close All Editors');
        await wb.runCommand('Defender: Show Defender Events…');
        await pickQuick(page, /This troubleshooting session/);
        const events = await wb.webview(/Session events/);
        await events.locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 180_000 });
        await page.waitForTimeout(1000);
        await quiet(page);
        await save('event-list', editor);
      });

      // 6. A 30-second performance recording and its report.
      await step('performance-report', async () => {
        await wb.runCommand('View: Close All Editors');
        await wb.runCommand('Defender: Record Defender Performance…');
        await pickQuick(page, /^30 seconds/);
        const record = page.locator('.monaco-dialog-box').first();
        await record.waitFor({ timeout: 180_000 });
        await record.getByRole('button', { name: 'Record' }).click();
        const report = await wb.webview(/Performance: /);
        await report.locator('canvas').first().waitFor({ timeout: 400_000 });
        await page.waitForTimeout(2000);
        await quiet(page);
        await save('performance-report', editor);
      });

      // 7. A troubleshooting hunting query and its rows (no sign-in on the sample tenant).
      await step('hunting-results', async () => {
        await wb.runCommand('View: Close All Editors');
        await page.keyboard.press('Control+P');
        await page.locator('.quick-input-widget input').fill('hunting-troubleshooting.kql');
        await pickQuick(page, /hunting-troubleshooting\.kql/);
        const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run query' }).first();
        await lens.waitFor({ timeout: 90_000 });
        await lens.click();
        await page.locator('.quick-input-widget', { hasText: /timespan/i }).waitFor({ timeout: 30_000 });
        await pickQuick(page, /Last 7 days/);
        const grid = await wb.webview(/Results: hunting-troubleshooting\.kql/);
        await grid.locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 90_000 });
        await page.waitForTimeout(1000);
        await quiet(page);
        await save('hunting-results', editor);
      });

      // 8. The session report in the Markdown preview.
      await step('session-report', async () => {
        await wb.runCommand('View: Close All Editors');
        await wb.runCommand('Defender: Write Session Report');
        await page.locator('.tab', { hasText: /Preview session-report-/ }).first().waitFor({ timeout: 300_000 });
        await page.waitForTimeout(3000);
        // Past the title and the prerequisites, to the commands and their verified results.
        const box = await editor.boundingBox();
        if (box) {
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
          await page.mouse.wheel(0, 380);
          await page.waitForTimeout(1000);
        }
        await quiet(page);
        await save('session-report', editor);
      });
      assert.deepStrictEqual(failed, [], `pictures not taken (see test-results/readme-failed-*.png):\n${failed.join('\n')}`);
    } finally {
      fs.writeFileSync(settingsFile, settingsBefore);
      // Leave the shared server as the other e2e tests expect it: no session, no snapshots or reports.
      writeState(wb.standinState, freshState());
      for (const d of ['snapshots', 'performance']) fs.rmSync(path.join(globalStorage, d), { recursive: true, force: true });
    }
  });
});
