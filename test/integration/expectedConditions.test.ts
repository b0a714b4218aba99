import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { MemoryLogger } from '../../src/core/logger';
import { reportCommandError } from '../../src/infra/commandRunner';
import { NotWindowsError } from '../../src/powershell/errors';

/** The command error path logs expected conditions at info without a stack (issue #10, item 14). */
describe('command errors: expected conditions (integration)', () => {
  it('"this host is not Windows" is shown once and logged at info, without a stack', async () => {
    const shown: string[] = [];
    const original = vscode.window.showErrorMessage;
    vscode.window.showErrorMessage = (async (message: string) => {
      shown.push(message);
      return undefined;
    }) as typeof vscode.window.showErrorMessage;
    try {
      const log = new MemoryLogger();
      await reportCommandError('defenderTroubleshooting.device.refreshStatus', new NotWindowsError('Linux'), log);
      assert.deepStrictEqual(log.lines, [{ level: 'info', message: '[defenderTroubleshooting.device.refreshStatus] Defender cmdlets need Windows; this host is Linux.' }]);
      assert.deepStrictEqual(shown, ['Defender cmdlets need Windows; this host is Linux.']);
    } finally {
      vscode.window.showErrorMessage = original;
    }
  });
});
