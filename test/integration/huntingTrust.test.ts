import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { isDefenderToolError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { HuntingRunner, type RunnerDeps } from '../../src/hunting/runner';

/**
 * Restricted Mode (issue #10, item 3): every way to run a hunting query (the command, the panel's and the
 * history's "Run again", which call `run()` directly) stops before a token is asked for or a panel opens.
 */
describe('hunting in Restricted Mode (integration)', () => {
  it('run() itself refuses in an untrusted workspace: no token, no panel, no history entry', async () => {
    const calls: string[] = [];
    const record = (what: string) => () => {
      calls.push(what);
      throw new Error(`${what} must not be reached in Restricted Mode`);
    };
    const deps = {
      log: new MemoryLogger(),
      auth: { getToken: record('auth.getToken'), noteTokenRejected: record('auth.noteTokenRejected') },
      panels: { forDocument: record('panels.forDocument') },
      history: { add: record('history.add') },
      diagnostics: { clear: record('diagnostics.clear'), place: record('diagnostics.place') },
      memento: { get: () => undefined, update: async () => undefined, keys: () => [] },
      isTrusted: () => false,
    } as unknown as RunnerDeps;
    const runner = new HuntingRunner(deps);
    // What the history's "Run again" does: runner.run() with the stored query.
    const error = await runner
      .run({ documentUri: 'untitled:Untitled-1', query: 'DeviceEvents | take 1', origin: { line: 0, character: 0 }, timespan: 'P1D' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isDefenderToolError(error), `expected the Restricted Mode error, got ${String(error)}`);
    assert.strictEqual(error.code, 'untrusted');
    assert.deepStrictEqual(calls, []);
    assert.ok(vscode.workspace.isTrusted, 'the test workspace itself stays trusted');
  });
});
