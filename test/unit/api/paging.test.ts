import * as assert from 'node:assert/strict';
import { PagingError } from '../../../src/api/errors';
import { RestClient } from '../../../src/api/http';
import { MdeClient } from '../../../src/api/mde';
import { TEST_TOKEN } from './helpers';

const BASE = 'https://api.security.microsoft.com';

/** A service whose pages come from `page(n)` (n = 0, 1, …); counts the requests. */
function service(page: (n: number, url: string) => unknown) {
  const urls: string[] = [];
  const fetchImpl = async (url: string) => {
    // Without a bound the client would page for ever: end the test instead of hanging it.
    if (urls.length >= 2000) throw new Error('runaway paging: 2,000 requests');
    const body = page(urls.length, url);
    urls.push(url);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  const client = new MdeClient(new RestClient({ baseUrl: BASE, getToken: async () => TEST_TOKEN, fetch: fetchImpl }));
  return { client, urls };
}

/** Paging that never ends (issue #10, item 6). */
describe('(unit) machine paging is bounded', () => {
  it('stops with a PagingError when empty pages keep carrying a new nextLink', async () => {
    const { client, urls } = service((n) => ({ value: [], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=${n + 1}` }));
    const err = await client.listMachines().catch((e: unknown) => e);
    assert.ok(err instanceof PagingError, `expected a PagingError, got ${String(err)}`);
    assert.equal(err.reason, 'no-progress');
    assert.equal(err.code, 'paging');
    assert.match(err.message, /added nothing/);
    assert.ok(urls.length <= 5, `${urls.length} requests`);
  });

  it('stops when the same machines come back on every page', async () => {
    const { client, urls } = service((n) => ({ value: [{ id: 'a' }, { id: 'b' }], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=${n + 1}` }));
    const err = await client.listMachines().catch((e: unknown) => e);
    assert.ok(err instanceof PagingError);
    assert.ok(urls.length <= 5, `${urls.length} requests`);
  });

  it('stops when the service ignores $skip and sends the same full page without a nextLink', async () => {
    const { client, urls } = service(() => ({ value: [{ id: 'a' }] }));
    const err = await client.listMachines({ pageSize: 1 }).catch((e: unknown) => e);
    assert.ok(err instanceof PagingError);
    assert.ok(urls.length <= 5, `${urls.length} requests`);
  });

  it('stops after maxPages even when every page makes progress', async () => {
    const { client, urls } = service((n) => ({ value: [{ id: `m${n}` }], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=${n + 1}` }));
    const err = await client.listMachines({ maxPages: 50 }).catch((e: unknown) => e);
    assert.ok(err instanceof PagingError);
    assert.equal(err.reason, 'too-many-pages');
    assert.equal(urls.length, 50);
  });

  it('still reads ordinary pages, with an empty page or two in between', async () => {
    const pages = [
      { value: [{ id: 'a' }], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=1` },
      { value: [], '@odata.nextLink': `${BASE}/api/machines?$skiptoken=2` },
      { value: [{ id: 'b' }, { id: 'c' }] },
    ];
    const { client } = service((n) => pages[n]);
    assert.deepEqual((await client.listMachines()).map((m) => m.id), ['a', 'b', 'c']);
  });
});
