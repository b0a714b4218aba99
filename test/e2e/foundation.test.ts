import * as assert from 'node:assert';
import { openWorkbench } from './harness';

describe('foundation (e2e)', () => {
  it('opens the Defender view with Devices, Sessions and This device', async () => {
    const wb = await openWorkbench();
    await wb.openDefenderView();
    const page = wb.page;
    await page.getByRole('button', { name: /Devices/ }).first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /Sessions/ }).first().waitFor({ timeout: 30_000 });
    const row = page.getByRole('treeitem', { name: /This device/ }).first();
    await row.waitFor({ timeout: 60_000 });
    const label = (await row.getAttribute('aria-label')) ?? '';
    assert.match(label, /This device/);
    await wb.screenshot('defender-view');
  });

  it('runs a command from the palette and shows its result', async () => {
    const wb = await openWorkbench();
    await wb.runCommand('Defender: Show This Device');
    const toast = wb.page.locator('.notification-toast', { hasText: /This device:/ }).first();
    await toast.waitFor({ timeout: 30_000 });
    const text = (await toast.innerText()).trim();
    assert.match(text, /This device: .+/);
  });

  it('shows the Sessions welcome content with a portal link while no session is tracked', async () => {
    const wb = await openWorkbench();
    await wb.openDefenderView();
    const welcome = wb.page.locator('.welcome-view-content', { hasText: /No troubleshooting sessions/ }).first();
    await welcome.waitFor({ timeout: 60_000 });
    await welcome.getByRole('button', { name: /Open the Defender portal/ }).waitFor();
  });
});
