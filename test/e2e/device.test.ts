import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench } from './harness';
import { activeSession, freshState, readState, writeState } from '../doubles/powershell/standinState';

describe('device playbooks (e2e, real PowerShell 7 behind the stand-in)', () => {
  it('clicks a playbook under This device, confirms the exact command and reads the verified result', async function () {
    // Each device operation starts a real pwsh (about 2 s idle, much more on a busy machine).
    this.timeout(420_000);
    const wb = await openWorkbench();
    writeState(wb.standinState, freshState({ troubleshooting: activeSession(), tamperProtected: false }));
    const globalStorage = path.join(wb.server.dirs.userData, 'User', 'globalStorage', 'defender-tools.defender-troubleshooting');
    try {
      const page = wb.page;
      await wb.openDefenderView();
      const device = page.getByRole('treeitem', { name: /This device, Troubleshooting mode · \dh \d\dm left · TP off · RTP on/ }).first();
      await device.waitFor({ timeout: 120_000 });
      if ((await device.getAttribute('aria-expanded')) !== 'true') await device.click();

      const playbook = page.getByRole('treeitem', { name: /^Network protection blocks a domain/ }).first();
      await playbook.waitFor({ timeout: 30_000 });
      await playbook.click();

      const dialog = page.locator('.monaco-dialog-box').first();
      await dialog.waitFor({ timeout: 120_000 });
      assert.match(await dialog.innerText(), /Set-MpPreference -EnableNetworkProtection 'Disabled'/);
      await wb.screenshot('device-playbook-confirm');
      await dialog.getByRole('button', { name: 'Run' }).click();

      const toast = page.locator('.notification-toast', { hasText: /Set network protection to off: (applied|blocked|did not)/ }).first();
      await toast.waitFor({ timeout: 240_000 });
      const text = await toast.innerText();
      assert.match(text, /Set network protection to off: applied/);
      await wb.screenshot('device-playbook-result');
      assert.strictEqual(readState(wb.standinState).preferences?.EnableNetworkProtection, 0);
    } finally {
      // Leave the shared server as the other e2e tests expect it: no session, no snapshots.
      writeState(wb.standinState, freshState());
      fs.rmSync(path.join(globalStorage, 'snapshots'), { recursive: true, force: true });
    }
  });
});
