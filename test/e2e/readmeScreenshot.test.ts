import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, repoRoot } from './harness';

/**
 * README's screenshot (media/screenshots/defender-view.png) comes from here (issue #10, item 16): the Defender
 * view with This device and the Tenant devices row, once activation has finished. The lane always writes it to
 * test-results/; `DTM_UPDATE_SCREENSHOTS=1` also replaces the README's copy.
 */
describe('README screenshot (e2e)', () => {
  it('shows the Defender view with This device and Tenant devices, after activation', async () => {
    const wb = await openWorkbench({ file: 'sample.kql' });
    await wb.openDefenderView();
    const page = wb.page;
    await page.getByRole('treeitem', { name: /This device/ }).first().waitFor({ timeout: 60_000 });
    await page.getByRole('treeitem', { name: /Tenant devices/ }).first().waitFor({ timeout: 60_000 });
    // Nothing still loading in the status bar, no toast over the view.
    const activating = page.locator('.statusbar', { hasText: /Activating Extensions/ });
    for (let i = 0; i < 120 && (await activating.count()) > 0; i++) await page.waitForTimeout(500);
    assert.strictEqual(await activating.count(), 0, 'the status bar still says "Activating Extensions…"');
    await page.keyboard.press('Escape');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
    await page.waitForTimeout(1000);
    const file = await wb.screenshot('readme-defender-view');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot has content');
    if (process.env.DTM_UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(file, path.join(repoRoot, 'media', 'screenshots', 'defender-view.png'));
    }
  });
});
