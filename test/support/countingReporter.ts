import Mocha from 'mocha';

/**
 * Mocha's spec reporter plus one machine-readable line at the end, `@@RESULT {"passed":n,"failed":n,...}`,
 * that the lane runner (scripts/test.mjs) adds up. Used by all three lanes.
 */
export class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failures: { title: string; error: string }[] = [];
    runner.on('fail', (test, err: Error) => {
      failures.push({ title: test.fullTitle(), error: (err?.message ?? String(err)).split('\n')[0] ?? '' });
    });
    runner.once('end', () => {
      const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      console.log(`@@RESULT ${JSON.stringify({ passed: s.passes, failed: s.failures, skipped: s.pending, failures })}`);
    });
  }
}

export default CountingReporter;
