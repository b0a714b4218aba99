import * as assert from 'node:assert';
import { describeError, DefenderToolError, isCancellation, isDefenderToolError, UserCancelledError, WorkspaceNotTrustedError } from '../../../src/core/errors';
import { assessHost, describeRemote } from '../../../src/core/host';
import { Disposable, disposeAll, toDisposable } from '../../../src/core/lifecycle';
import { componentLogger, MemoryLogger } from '../../../src/core/logger';
import { redactSecrets } from '../../../src/core/redact';
import { thisDeviceNode } from '../../../src/defender/deviceNodes';

describe('core (unit)', () => {
  describe('host assessment', () => {
    it('says plainly why Defender cmdlets cannot run on Linux', () => {
      const h = assessHost({ platform: 'linux', hostname: 'jump', release: '6.1', remoteName: 'ssh-remote' });
      assert.strictEqual(h.supported, false);
      assert.strictEqual(h.reason, 'Defender cmdlets need Windows; this host is linux.');
      assert.match(h.summary, /jump \(linux, Remote-SSH\)/);
    });
    it('accepts Windows, local or remote', () => {
      assert.strictEqual(assessHost({ platform: 'win32', hostname: 'pc', release: '10.0.22631', remoteName: undefined }).supported, true);
      assert.match(assessHost({ platform: 'win32', hostname: 'pc', release: '10.0.22631', remoteName: 'ssh-remote' }).summary, /Remote-SSH/);
    });
    it('names remote kinds', () => {
      assert.strictEqual(describeRemote(undefined), 'local');
      assert.strictEqual(describeRemote('wsl'), 'WSL');
      assert.strictEqual(describeRemote('weird'), 'remote (weird)');
    });
    it('builds the This device row from the assessment', () => {
      const row = thisDeviceNode(assessHost({ platform: 'darwin', hostname: 'mac', release: '23', remoteName: undefined }));
      assert.strictEqual(row.label, 'This device');
      assert.strictEqual(row.description, 'Defender cmdlets need Windows; this host is darwin.');
      assert.match(row.contextValue ?? '', /\bunsupported\b/);
    });
  });

  describe('redaction', () => {
    it('removes bearer tokens, JWTs and secret fields', () => {
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
      const text = `Authorization: Bearer abc.def-123 and ${jwt} then {"access_token":"s3cr3t","client_secret": "x"} url?sig=abcd&x=1`;
      const out = redactSecrets(text);
      for (const secret of ['abc.def-123', jwt, 's3cr3t', '"x"', 'abcd']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
      assert.match(out, /Bearer <redacted>/);
      assert.match(out, /x=1/);
    });
    it('matches whole names only: an OAuth code goes, an exit code stays', () => {
      const out = redactSecrets('redirect?code=0.AAAbbb&state=1 {"exitCode":0,"errorCode":"x"}');
      assert.ok(!out.includes('0.AAAbbb'), out);
      assert.match(out, /"exitCode":0,"errorCode":"x"/);
    });
    it('is applied by component loggers', () => {
      const mem = new MemoryLogger();
      componentLogger(mem, 'api').info('GET /machines Authorization: Bearer zzz');
      assert.deepStrictEqual(mem.lines, [{ level: 'info', message: '[api] GET /machines Authorization: Bearer <redacted>' }]);
    });
  });

  describe('errors', () => {
    it('treats user cancellation and aborts as silent', () => {
      assert.ok(isCancellation(new UserCancelledError()));
      const abort = new Error('aborted');
      abort.name = 'AbortError';
      assert.ok(isCancellation(abort));
      assert.ok(!isCancellation(new DefenderToolError('x', 'boom')));
    });
    it('recognises typed errors thrown by another bundle (its own copy of the classes) by shape', () => {
      class ForeignCancelled extends Error {
        readonly code = 'cancelled';
      }
      class ForeignTyped extends Error {
        readonly code = 'no-results';
        readonly action = { title: 'Open Setting', command: 'workbench.action.openSettings' };
      }
      assert.ok(isCancellation(new ForeignCancelled('x')));
      assert.ok(isDefenderToolError(new ForeignTyped('y')));
      assert.ok(!isCancellation(new ForeignTyped('y')));
      assert.ok(!isDefenderToolError(new Error('plain')));
    });
    it('describes errors on one short line', () => {
      assert.strictEqual(describeError(new Error('first\nsecond')), 'first');
      assert.strictEqual(describeError('plain'), 'plain');
      assert.strictEqual(describeError(new Error('x'.repeat(400))).length, 300);
    });
    it('carries an action for untrusted workspaces', () => {
      const e = new WorkspaceNotTrustedError('Running PowerShell');
      assert.strictEqual(e.code, 'untrusted');
      assert.strictEqual(e.action?.command, 'workbench.trust.manage');
      assert.strictEqual(e.name, 'WorkspaceNotTrustedError');
    });
  });

  describe('lifecycle', () => {
    it('disposes what it owns once, and late registrations at once', () => {
      const calls: string[] = [];
      class Owner extends Disposable {
        add(name: string) {
          return this.register(toDisposable(() => calls.push(name)));
        }
      }
      const o = new Owner();
      o.add('a');
      o.add('b');
      o.dispose();
      o.dispose();
      assert.deepStrictEqual(calls.sort(), ['a', 'b']);
      o.add('late');
      assert.deepStrictEqual(calls.sort(), ['a', 'b', 'late']);
    });
    it('disposes everything even when one throws', () => {
      const calls: string[] = [];
      assert.throws(() => disposeAll([toDisposable(() => { throw new Error('x'); }), toDisposable(() => calls.push('second'))]), /x/);
      assert.deepStrictEqual(calls, ['second']);
    });
  });
});
