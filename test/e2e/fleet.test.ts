import * as assert from 'node:assert';
import { openWorkbench } from './harness';

describe('tenant devices (e2e)', () => {
  it('signs in from the Devices view and lists the tenant\'s devices from the MDE API', async () => {
    const wb = await openWorkbench();
    const page = wb.page;
    await wb.openDefenderView();
    const signIn = page.getByRole('treeitem', { name: /Sign in to list your tenant's devices/ }).first();
    await signIn.waitFor({ timeout: 60_000 });
    await signIn.click();
    // VS Code asks the user to let this extension use the account.
    const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: 'Allow' });
    await allow.waitFor({ timeout: 30_000 });
    await allow.click();
    const device = page.getByRole('treeitem', { name: /\.contoso\.local/ }).first();
    await device.waitFor({ timeout: 60_000 });
    const label = (await device.getAttribute('aria-label')) ?? '';
    assert.match(label, /Windows|Linux|mac/i, `device row: ${label}`);
    await wb.screenshot('tenant-devices');
  });
});
