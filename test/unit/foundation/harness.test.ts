import * as assert from 'node:assert/strict';

type CodeServerLib = typeof import('../../../scripts/lib/codeServer.mjs', { with: { 'resolution-mode': 'import' } });
type SummaryLib = typeof import('../../../scripts/lib/summary.mjs', { with: { 'resolution-mode': 'import' } });

/** The test harness for a first-time user (issue #10, item 10). */
describe('(unit) test harness', () => {
  let codeServerEnv: CodeServerLib['codeServerEnv'];
  let CODE_SERVER_ENV_OVERRIDES: CodeServerLib['CODE_SERVER_ENV_OVERRIDES'];
  let summarize: SummaryLib['summarize'];
  before(async () => {
    ({ codeServerEnv, CODE_SERVER_ENV_OVERRIDES } = await import('../../../scripts/lib/codeServer.mjs'));
    ({ summarize } = await import('../../../scripts/lib/summary.mjs'));
  });

  describe('code-server environment', () => {
    const dirs = { tmp: '/t/tmp', config: '/t/config', data: '/t/data' };

    it('drops PORT and the other variables code-server prefers to its command line', () => {
      const env = codeServerEnv(
        { PATH: '/usr/bin', PORT: '8080', CODE_SERVER_HOST: '0.0.0.0', PASSWORD: 'x', HASHED_PASSWORD: 'y', VSCODE_IPC_HOOK_CLI: '/s' },
        { DTM_FOO: '1' },
        dirs,
      );
      for (const name of ['PORT', 'CODE_SERVER_HOST', 'PASSWORD', 'HASHED_PASSWORD', 'VSCODE_IPC_HOOK_CLI']) assert.equal(env[name], undefined, name);
      assert.equal(env.PATH, '/usr/bin');
      assert.equal(env.DTM_FOO, '1');
      assert.equal(env.TMPDIR, '/t/tmp');
      assert.equal(env.XDG_CONFIG_HOME, '/t/config');
    });

    it('also when the caller passes PORT in its own env', () => {
      assert.equal(codeServerEnv({}, { PORT: '9' }, dirs).PORT, undefined);
      assert.ok(CODE_SERVER_ENV_OVERRIDES.includes('PORT'));
    });
  });

  describe('the final line', () => {
    it('adds the counts of the lanes', () => {
      const s = summarize(['unit', 'integration'], { unit: { passed: 400, failed: 0 }, integration: { passed: 3, failed: 1, skipped: 2 } });
      assert.equal(s.line, '403 passed, 1 failed, 2 skipped');
      assert.equal(s.exitCode, 1);
    });

    it('counts a lane that did not start as 1 failed', () => {
      const s = summarize(['unit', 'integration', 'e2e'], { unit: { passed: 403, failed: 0 } }, ['integration: code-server did not start in 60 s']);
      assert.equal(s.line, '403 passed, 2 failed');
      assert.equal(s.exitCode, 1);
      assert.equal(s.problems.length, 2);
      assert.match(s.problems[1]!, /^e2e: /);
    });

    it('is all green only when every lane reported and nothing failed', () => {
      const s = summarize(['unit'], { unit: { passed: 3, failed: 0 } });
      assert.equal(s.line, '3 passed, 0 failed');
      assert.equal(s.exitCode, 0);
    });
  });
});
