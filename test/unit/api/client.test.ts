import * as assert from 'node:assert/strict';
import { isCancellation } from '../../../src/core/errors';
import { MemoryLogger } from '../../../src/core/logger';
import { AuthRequiredError, DefenderApiError, NetworkError } from '../../../src/api/errors';
import { GraphHuntingClient } from '../../../src/api/graph';
import { RestClient, type RetryNotice } from '../../../src/api/http';
import { MdeClient } from '../../../src/api/mde';
import { FIXTURE_DEVICES } from '../../doubles/api-emulator/dataset';
import { startApiEmulator, type EmulatorOptions, type RunningEmulator } from '../../doubles/api-emulator/server';
import { FakeClock, TEST_TOKEN, tokenSource } from './helpers';

const TS_QUERY = `DeviceEvents
| where ActionType == "AntivirusTroubleshootModeEvent"
| extend _tsmodeproperties = parse_json(AdditionalFields)
| project Timestamp, DeviceId, DeviceName, _tsmodeproperties,
  _tsmodeproperties.TroubleshootingStateChangeReason`;

describe('(unit) api client against the emulator', () => {
  let emu: RunningEmulator;
  let clock: FakeClock;
  let log: MemoryLogger;

  async function start(options: EmulatorOptions = {}): Promise<void> {
    clock = new FakeClock();
    log = new MemoryLogger();
    emu = await startApiEmulator({ clock, ...options });
  }

  function rest(getToken = tokenSource().getToken, extra: Partial<ConstructorParameters<typeof RestClient>[0]> = {}) {
    return new RestClient({ baseUrl: emu.url, getToken, clock, log, ...extra });
  }

  afterEach(async () => {
    await emu?.close();
  });

  describe('runHuntingQuery', () => {
    it('returns the schema and rows of a troubleshooting snippet, sending Query, Timespan and a Bearer token', async () => {
      await start();
      const client = new GraphHuntingClient(rest());
      const result = await client.runHuntingQuery(TS_QUERY, { timespan: 'P7D' });
      assert.deepEqual(
        result.schema.map((c) => c.name),
        ['Timestamp', 'DeviceId', 'DeviceName', '_tsmodeproperties', '_tsmodeproperties_TroubleshootingStateChangeReason'],
      );
      assert.equal(result.schema[0]!.type, 'DateTime');
      assert.equal(result.schema[3]!.type, 'Object');
      const names = new Set(result.results.map((r) => r.DeviceName));
      assert.ok(names.has(FIXTURE_DEVICES.active));
      assert.ok(names.has(FIXTURE_DEVICES.expiring));
      assert.ok(result.results.every((r) => typeof r.Timestamp === 'string'));
      const req = emu.requests.at(-1)!;
      assert.equal(req.path, '/v1.0/security/runHuntingQuery');
      assert.equal(req.bearer, true);
      assert.equal(req.kql, TS_QUERY);
      assert.equal(req.timespan, 'P7D');
      assert.ok(result.requestId, 'request-id header is surfaced');
    });

    it('reads Name/Type descriptors as well as name/type', async () => {
      await start({ schemaKeyCase: 'upper' });
      const result = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | project DeviceName, OSBuild | take 2');
      assert.deepEqual(result.schema, [
        { name: 'DeviceName', type: 'String' },
        { name: 'OSBuild', type: 'Int64' },
      ]);
      assert.equal(result.results.length, 2);
    });

    it('turns a syntax error into a typed 400 that keeps the position text', async () => {
      await start();
      const err = await new GraphHuntingClient(rest())
        .runHuntingQuery('DeviceEvents\n| where (ActionType == "x"\n| take 1')
        .catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.status, 400);
      assert.equal(err.apiCode, 'BadRequest');
      assert.match(err.message, /Query could not be parsed at '\(' on line \[2,8\]/);
      assert.ok(err.requestId);
    });

    it('names an unknown table the way Kusto does', async () => {
      await start();
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceEvent | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.match(err.message, /Failed to resolve table or column expression named 'DeviceEvent'/);
    });

    it('waits out a 429 for exactly Retry-After, then succeeds', async () => {
      await start({ huntingPerMinute: 2 });
      const notices: RetryNotice[] = [];
      const client = new GraphHuntingClient(rest());
      await client.runHuntingQuery('DeviceInfo | take 1');
      clock.current += 10_000;
      await client.runHuntingQuery('DeviceInfo | take 1');
      const third = await client.runHuntingQuery('DeviceInfo | take 1', { onRetry: (n) => notices.push(n) });
      assert.equal(third.results.length, 1);
      assert.equal(notices.length, 1);
      assert.equal(notices[0]!.status, 429);
      // The first call left the 60-second window 50 s after the second one.
      assert.deepEqual(clock.sleeps, [50_000]);
      assert.deepEqual(
        emu.requests.map((r) => r.status),
        [200, 200, 429, 200],
      );
    });

    it('does not wait out a quota Retry-After longer than the bound; the error carries retryAfter', async () => {
      await start();
      emu.addFaults([{ kind: 'quota', retryAfter: 720 }]);
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfter, 720);
      assert.deepEqual(clock.sleeps, []);
      assert.match(err.message, /run queries again in 00:12:00/);
    });

    it('reads the retry time from the quota message when there is no Retry-After header', async () => {
      await start();
      emu.addFaults([{ kind: 'quota' }]);
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.retryAfter, 720);
    });

    it('retries 503 with exponential backoff and gives up after maxRetries', async () => {
      await start();
      emu.addFaults([{ kind: '503', count: 2 }]);
      const ok = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1');
      assert.equal(ok.results.length, 1);
      assert.deepEqual(clock.sleeps, [1000, 2000]);

      emu.addFaults([{ kind: '503', count: 10 }]);
      clock.sleeps.length = 0;
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.status, 503);
      assert.deepEqual(clock.sleeps, [1000, 2000, 4000]);
    });

    it('does not retry a 500; the error is typed with code and request id', async () => {
      await start();
      emu.addFaults([{ kind: '500' }]);
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.status, 500);
      assert.equal(err.apiCode, 'InternalServerError');
      assert.ok(err.requestId);
      assert.equal(emu.requests.length, 1);
    });

    it('refreshes the token once after a 401 and carries on', async () => {
      await start();
      emu.addFaults([{ kind: '401' }]);
      const tokens = tokenSource(['old-token', 'new-token']);
      const result = await new GraphHuntingClient(rest(tokens.getToken)).runHuntingQuery('DeviceInfo | take 1');
      assert.equal(result.results.length, 1);
      assert.deepEqual(tokens.calls, [{ refresh: false }, { refresh: true }]);
    });

    it('turns a second 401 into AuthRequiredError with a Sign In action', async () => {
      await start({ requiredToken: 'the-right-token' });
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1').catch((e: unknown) => e);
      assert.ok(err instanceof AuthRequiredError);
      assert.equal(err.status, 401);
      assert.equal(err.action?.command, 'defenderTroubleshooting.signIn');
      assert.equal(emu.requests.length, 2);
    });

    it('asks for sign-in without calling the service when there is no token', async () => {
      await start();
      const err = await new GraphHuntingClient(rest(tokenSource([undefined]).getToken))
        .runHuntingQuery('DeviceInfo | take 1')
        .catch((e: unknown) => e);
      assert.ok(err instanceof AuthRequiredError);
      assert.equal(emu.requests.length, 0);
    });

    it('cuts results at the 100,000-row limit', async function () {
      this.timeout(60_000);
      await start({ dataset: { processEvents: 100_050 } });
      const result = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceProcessEvents | project Timestamp, DeviceName, FileName');
      assert.equal(result.results.length, 100_000);
    });

    it('answers an oversized result with the documented result-size error', async () => {
      await start({ maxResultBytes: 10_000 });
      const err = await new GraphHuntingClient(rest()).runHuntingQuery('DeviceEvents | take 500').catch((e: unknown) => e);
      assert.ok(err instanceof DefenderApiError);
      assert.equal(err.status, 400);
      assert.match(err.message, /exceeded the allowed result size/);
    });

    it('never writes the token to the log', async () => {
      await start();
      emu.addFaults([{ kind: '503' }, { kind: '401' }]);
      await new GraphHuntingClient(rest()).runHuntingQuery('DeviceInfo | take 1');
      assert.ok(log.lines.length > 0);
      for (const l of log.lines) assert.ok(!l.message.includes(TEST_TOKEN), l.message);
      assert.ok(!JSON.stringify(emu.requests).includes(TEST_TOKEN));
    });
  });

  describe('machines', () => {
    it('follows @odata.nextLink across pages', async () => {
      await start({ dataset: { machines: 25 } });
      const client = new MdeClient(rest());
      const pages: number[] = [];
      for await (const page of client.pages({ pageSize: 10 })) pages.push(page.length);
      assert.deepEqual(pages, [10, 10, 5]);
      assert.deepEqual(
        emu.requests.map((r) => new URLSearchParams(r.query).get('$skip')),
        [null, '10', '20'],
      );
      const all = await client.listMachines({ pageSize: 10 });
      assert.equal(new Set(all.map((m) => m.id)).size, 25);
      assert.equal(all[0]!.computerDnsName, FIXTURE_DEVICES.active);
      assert.match(all[0]!.id, /^[0-9a-f]{40}$/);
    });

    it('falls back to $skip when pages carry no nextLink, and honours maxItems', async () => {
      await start({ dataset: { machines: 23 }, nextLink: false });
      const client = new MdeClient(rest());
      const all = await client.listMachines({ pageSize: 10 });
      assert.equal(all.length, 23);
      assert.deepEqual(
        emu.requests.map((r) => new URLSearchParams(r.query).get('$skip')),
        [null, '10', '20'],
      );
      const some = await client.listMachines({ pageSize: 10, maxItems: 12 });
      assert.equal(some.length, 12);
    });

    it('serves the versioned path, applies $filter, and treats "no recent machines" (404) as an empty list', async () => {
      await start({ dataset: { machines: 12 } });
      const versioned = await rest().request<{ value: unknown[] }>('api/v1.0/machines', { query: { $top: 5 } });
      assert.equal(versioned.body.value.length, 5);
      const client = new MdeClient(rest());
      const windows11 = await client.listMachines({ filter: "osPlatform eq 'Windows11'" });
      assert.ok(windows11.length > 0 && windows11.every((m) => m.osPlatform === 'Windows11'));
      assert.deepEqual(await client.listMachines({ filter: "healthStatus eq 'Nope'" }), []);
    });

    it('honours Retry-After on the machines budget', async () => {
      await start({ machinesPerMinute: 1, dataset: { machines: 15 } });
      const all = await new MdeClient(rest()).listMachines({ pageSize: 10 });
      assert.equal(all.length, 15);
      assert.deepEqual(clock.sleeps, [60_000]);
    });

    it('times out a request that never answers, as a NetworkError', async () => {
      await start();
      emu.addFaults([{ kind: 'timeout' }]);
      const client = new MdeClient(rest(undefined, { timeoutMs: 200 }));
      const err = await client.listMachines().catch((e: unknown) => e);
      assert.ok(err instanceof NetworkError);
      assert.equal(err.timedOut, true);
    });

    it('stops when its AbortSignal fires, as a cancellation', async () => {
      await start();
      emu.addFaults([{ kind: 'timeout' }]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await new MdeClient(rest()).listMachines({ signal: controller.signal }).catch((e: unknown) => e);
      assert.ok(isCancellation(err), String(err));
    });

    it('retries a dropped connection and then reports a NetworkError', async () => {
      await start();
      emu.addFaults([{ kind: 'reset', count: 4 }]);
      const err = await new MdeClient(rest()).listMachines().catch((e: unknown) => e);
      assert.ok(err instanceof NetworkError);
      assert.equal(err.timedOut, false);
      assert.deepEqual(clock.sleeps, [1000, 2000, 4000]);
    });
  });
});

describe('(unit) api client without a server', () => {
  it('refuses to follow a nextLink to another origin (the token stays home)', async () => {
    const urls: string[] = [];
    const fetchImpl = async (url: string) => {
      urls.push(url);
      return new Response(
        JSON.stringify({ value: [{ id: 'a' }], '@odata.nextLink': 'https://evil.example/api/machines?$skip=1' }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      );
    };
    const client = new MdeClient(
      new RestClient({ baseUrl: 'https://api.security.microsoft.com', getToken: async () => TEST_TOKEN, fetch: fetchImpl }),
    );
    const err = await client.listMachines({ pageSize: 1 }).catch((e: unknown) => e);
    assert.ok(err instanceof DefenderApiError);
    assert.equal(err.apiCode, 'ForeignOrigin');
    assert.equal(urls.length, 1);
  });

  it('reports a non-JSON success as InvalidResponse', async () => {
    const client = new GraphHuntingClient(
      new RestClient({
        baseUrl: 'https://graph.microsoft.com',
        getToken: async () => TEST_TOKEN,
        fetch: async () => new Response('<html>gateway</html>', { status: 200 }),
      }),
    );
    const err = await client.runHuntingQuery('x').catch((e: unknown) => e);
    assert.ok(err instanceof DefenderApiError);
    assert.equal(err.apiCode, 'InvalidResponse');
  });
});
