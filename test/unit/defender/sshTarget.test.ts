import * as assert from 'node:assert/strict';
import { dnsHostName, InvalidHostNameError, remoteSshUri } from '../../../src/defender/sshTarget';

/** The host name passed to Remote - SSH comes from the API (issue #10, item 9). */
describe('(unit) Remote-SSH target', () => {
  it('accepts DNS names', () => {
    for (const h of ['pc1', 'PC-01', 'ws1.contoso.com', 'a.b-c.example.', `${'a'.repeat(63)}.example.com`]) assert.ok(dnsHostName(h), h);
  });

  it('refuses everything else', () => {
    for (const h of [
      '', ' pc1', 'pc1 ', 'user@pc1', 'pc1:22', 'pc1/x', 'pc1%2F', '-oProxyCommand=calc', 'pc1 -oProxyCommand=x', 'pc_1',
      '-pc1', 'pc1-', 'a..b', '.pc1', 'pc\u00e9', 'pc1\n', '10.0.0.1', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`, 'pc+1',
    ]) {
      assert.equal(dnsHostName(h), undefined, JSON.stringify(h));
      assert.throws(() => remoteSshUri(h, 'C:\\'), InvalidHostNameError);
    }
  });

  it('builds the URI Remote - SSH opens, the folder as a path', () => {
    assert.equal(remoteSshUri('ws1.contoso.com', 'C:\\'), 'vscode-remote://ssh-remote+ws1.contoso.com/C%3A/');
    assert.equal(remoteSshUri('pc1', 'D:\\work dir\\a#b'), 'vscode-remote://ssh-remote+pc1/D%3A/work%20dir/a%23b');
  });
});
