import * as assert from 'node:assert/strict';
import { AuthRequiredError } from '../../../src/api/errors';
import { DefenderToolError, isExpectedCondition, WorkspaceNotTrustedError } from '../../../src/core/errors';
import { logFailure, MemoryLogger } from '../../../src/core/logger';
import { NotElevatedError, NotWindowsError, PowerShellScriptError } from '../../../src/powershell/errors';

/** Expected conditions are logged at info without a stack (issue #10, item 14). */
describe('(unit) logging failures', () => {
  it('logs "this host is not Windows" and other expected conditions at info, message only', () => {
    for (const err of [new NotWindowsError('Linux'), new NotElevatedError(), new WorkspaceNotTrustedError('Running PowerShell'), new AuthRequiredError()]) {
      const log = new MemoryLogger();
      logFailure(log, '[cmd] ', err);
      assert.deepEqual(log.lines, [{ level: 'info', message: `[cmd] ${err.message}` }]);
      assert.ok(!/\n\s+at /.test(log.lines[0]!.message), 'no stack');
    }
  });

  it('logs real faults at error, with the stack', () => {
    for (const err of [new Error('boom'), new PowerShellScriptError('Access denied', 'X'), new TypeError('x is undefined')]) {
      const log = new MemoryLogger();
      logFailure(log, '[cmd] ', err);
      assert.equal(log.lines.length, 1);
      assert.equal(log.lines[0]!.level, 'error');
      assert.match(log.lines[0]!.message, /\n\s+at /);
    }
  });

  it('recognises expected conditions by shape (errors from a lazily loaded bundle)', () => {
    const foreign = Object.assign(new Error('Defender cmdlets need Windows; this host is Linux.'), { code: 'notWindows', expected: true });
    assert.equal(isExpectedCondition(foreign), true);
    assert.equal(isExpectedCondition(new DefenderToolError('x', 'y')), false);
    assert.equal(isExpectedCondition('notWindows'), false);
  });
});
