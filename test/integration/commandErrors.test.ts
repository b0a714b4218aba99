import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { DefenderToolError, UserCancelledError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { registerCommand } from '../../src/infra/commandRunner';

describe('command error path (integration)', () => {
  const log = new MemoryLogger();
  const disposables: vscode.Disposable[] = [];
  after(() => disposables.forEach((d) => d.dispose()));

  it('returns promptly from a failing command and logs the typed error once', async () => {
    disposables.push(registerCommand('dtmTest.fail', () => { throw new DefenderToolError('boom', 'A readable failure.\nsecond line'); }, log));
    const started = Date.now();
    const result = await vscode.commands.executeCommand('dtmTest.fail');
    assert.strictEqual(result, undefined);
    assert.ok(Date.now() - started < 5000, 'the command must not wait for the notification to be dismissed');
    const errors = log.lines.filter((l) => l.level === 'error');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /\[dtmTest\.fail\] DefenderToolError: A readable failure/);
  });

  it('stays silent when the user cancels', async () => {
    const before = log.lines.length;
    disposables.push(registerCommand('dtmTest.cancel', () => { throw new UserCancelledError(); }, log));
    assert.strictEqual(await vscode.commands.executeCommand('dtmTest.cancel'), undefined);
    const added = log.lines.slice(before);
    assert.deepStrictEqual(added.map((l) => l.level), ['debug']);
  });

  it('passes results through', async () => {
    disposables.push(registerCommand('dtmTest.ok', (a: number, b: number) => a + b, log));
    assert.strictEqual(await vscode.commands.executeCommand('dtmTest.ok', 2, 3), 5);
  });
});
