import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, repoRoot } from './harness';
import { activeSession, freshState, writeState, type StandinState } from '../doubles/powershell/standinState';

/** The real-PowerShell stand-in (DtmStandIn) answers the performance cmdlets; the JavaScript one does not. */
const realStandIn = fs.existsSync(path.join(repoRoot, 'test', 'doubles', 'powershell', 'Modules', 'DtmStandIn', 'DtmStandIn.psm1'));

describe('issue 9 on This device (e2e)', () => {
  it('writes the session report and opens its Markdown preview', async () => {
    const wb = await openWorkbench();
    writeState(wb.standinState, freshState({ troubleshooting: activeSession(), tamperProtected: false }));
    const globalStorage = path.join(wb.server.dirs.userData, 'User', 'globalStorage', 'defender-tools.defender-troubleshooting');
    try {
      await wb.runCommand('Defender: Write Session Report');
      const preview = await wb.webview(/Preview session-report-/);
      await preview.locator('h1', { hasText: /Troubleshooting session report/ }).waitFor({ timeout: 60_000 });
      await preview.locator('h2', { hasText: 'Make permanent through policy' }).waitFor({ timeout: 10_000 });
      await wb.screenshot('session-report-preview');
      const dir = path.join(globalStorage, 'snapshots');
      const reports = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => /session-report-.*\.md$/.test(f));
      assert.strictEqual(reports.length, 1, 'written beside the snapshots');
    } finally {
      writeState(wb.standinState, freshState());
      fs.rmSync(path.join(globalStorage, 'snapshots'), { recursive: true, force: true });
    }
  });

  it('records, draws the performance report, and "Add as Exclusion…" ends verified', async function () {
    if (!realStandIn) this.skip();
    const wb = await openWorkbench();
    writeState(wb.standinState, freshState({ troubleshooting: activeSession(), tamperProtected: false, performance: { sleepMs: 300 } } as StandinState));
    const globalStorage = path.join(wb.server.dirs.userData, 'User', 'globalStorage', 'defender-tools.defender-troubleshooting');
    const page = wb.page;
    try {
      await wb.runCommand('Defender: Record Defender Performance…');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: '30 seconds' }).first().click();
      const notice = page.locator('.monaco-dialog-box').first();
      await notice.waitFor({ timeout: 60_000 });
      assert.match(await notice.innerText(), /personal data/);
      assert.match(await notice.innerText(), /does not need troubleshooting mode/);
      await notice.getByRole('button', { name: 'Record' }).click();
      const report = await wb.webview(/Performance: /);
      await report.locator('canvas').first().waitFor({ timeout: 120_000 });
      assert.ok((await report.locator('canvas').count()) >= 5);
      await report.locator('#table-topPaths tbody tr').first().getByRole('button', { name: 'Add as Exclusion…' }).click();
      const confirm = page.locator('.monaco-dialog-box').first();
      await confirm.waitFor({ timeout: 60_000 });
      assert.match(await confirm.innerText(), /Add-MpPreference -ExclusionPath '/);
      await confirm.getByRole('button', { name: 'Run' }).click();
      await report.locator('#table-topPaths .result.ok', { hasText: /verified/ }).first().waitFor({ timeout: 120_000 });
      await wb.screenshot('performance-report-exclusion-verified');
    } finally {
      writeState(wb.standinState, freshState());
      fs.rmSync(path.join(globalStorage, 'snapshots'), { recursive: true, force: true });
      fs.rmSync(path.join(globalStorage, 'performance'), { recursive: true, force: true });
    }
  });
});
