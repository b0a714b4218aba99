import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCancellation } from '../../../src/core/errors';
import { NetworkError } from '../../../src/api/errors';
import { RestClient } from '../../../src/api/http';
import { TEST_TOKEN } from './helpers';

/**
 * A server that sends status and headers, one byte of a JSON body, and then nothing: the timeout and Cancel
 * must cover the body read, not only the wait for headers (issue #10, item 1).
 */
describe('(unit) api client: a body that stalls after the headers', () => {
  let server: http.Server;
  let url: string;
  const open = new Set<http.ServerResponse>();

  before(async () => {
    server = http.createServer((_req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{');
      // …and never end it.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(timeoutMs: number): RestClient {
    return new RestClient({ baseUrl: url, getToken: async () => TEST_TOKEN, timeoutMs, retry: { maxRetries: 0 } });
  }

  it('times out with a typed NetworkError (timedOut) while reading the body', async () => {
    const started = Date.now();
    const err = await client(300)
      .request('/stall')
      .catch((e: unknown) => e);
    assert.ok(err instanceof NetworkError, `expected a NetworkError, got ${String(err)}`);
    assert.equal(err.timedOut, true);
    assert.ok(Date.now() - started < 5000, 'the timeout ended the call');
  });

  it('Cancel during the body read ends the call as a cancellation', async () => {
    const controller = new AbortController();
    const pending = client(60_000)
      .request('/stall', { signal: controller.signal })
      .then(
        () => 'resolved',
        (e: unknown) => e,
      );
    setTimeout(() => controller.abort(), 200);
    const winner = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
    assert.notEqual(winner, 'still waiting', 'Cancel did nothing');
    assert.ok(isCancellation(winner), `expected a cancellation, got ${String(winner)}`);
  });
});
