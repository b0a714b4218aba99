import type { Context } from 'mocha';
import { stopDev } from './dev';
import { current, shutdown } from './harness';

/** Root hooks: a screenshot of every open workbench when a test fails, then one shutdown at the end
 * (`npm run dev` too, when a test started it). */
export const mochaHooks = {
  async afterEach(this: Context) {
    const failed = this.currentTest?.state === 'failed';
    for (const wb of [...current]) {
      if (failed) {
        const file = await wb.screenshot(`e2e-failure-${this.currentTest?.fullTitle() ?? 'test'}`).catch(() => undefined);
        if (file) console.log(`    screenshot: ${file}`);
      }
      await wb.close();
      current.delete(wb);
    }
  },
  async afterAll() {
    await stopDev();
    await shutdown();
  },
};
