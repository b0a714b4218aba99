import * as assert from 'node:assert/strict';
import { AuthRequiredError, DefenderApiError, NetworkError, parseErrorBody } from '../../../src/api/errors';
import { GraphHuntingClient } from '../../../src/api/graph';
import { RestClient } from '../../../src/api/http';
import {
  classifyHuntingError,
  limitNotices,
  locateName,
  positionFrom,
  toDocumentPosition,
  waitText,
} from '../../../src/hunting/model/errors';
import { startApiEmulator } from '../../doubles/api-emulator/server';

const NOW = Date.parse('2025-05-01T10:00:00');

function apiError(status: number, body: unknown, retryAfter?: number): DefenderApiError {
  const parsed = parseErrorBody(body);
  return new DefenderApiError({ status, apiCode: parsed.code, message: parsed.message ?? 'x', requestId: parsed.requestId, retryAfter, details: parsed.details });
}

describe('(unit) hunting error mapping', () => {
  it('places a syntax error at its token: Kusto reports line 1-based and pos 0-based', () => {
    const query = 'DeviceEvents\n| where (ActionType == "x"\n| take 1';
    const f = classifyHuntingError(
      apiError(400, { error: { code: 'BadRequest', message: "Query could not be parsed at '(' on line [2,8]" } }),
      query,
      NOW,
    );
    assert.equal(f.kind, 'syntax');
    assert.deepEqual(f.position, { line: 1, column: 8, length: 1 });
    assert.equal(f.message, "Query could not be parsed at '('");
  });

  it('reads the position from a nested innererror (line/pos/token) too', () => {
    const f = classifyHuntingError(
      apiError(400, {
        error: {
          code: 'BadArgumentError',
          message: 'The request had some invalid properties',
          innererror: { code: 'SyntaxError', message: 'A recognition error occurred.', innererror: { code: 'SYN0002', message: "Query could not be parsed at 'invalid' on line [1,11]", line: 1, pos: 11, token: 'invalid' } },
        },
      }),
      'completely invalid syntax',
      NOW,
    );
    assert.equal(f.kind, 'syntax');
    assert.deepEqual(f.position, { line: 0, column: 11, length: 7 });
  });

  it('clamps an end-of-query position onto the last character', () => {
    assert.deepEqual(positionFrom('T | where', 1, 99, '<EOF>'), { line: 0, column: 8, length: 1 });
    assert.deepEqual(positionFrom('a\nb', 9, 0, 'x'), { line: 1, column: 0, length: 1 });
  });

  it('places an unknown table or column at its first use outside comments and strings', () => {
    const query = '// DeviceEvent is a typo below\nlet x = "DeviceEvent";\nDeviceEvent\n| take 1';
    const f = classifyHuntingError(
      apiError(400, { error: { code: 'BadRequest', message: "Failed to resolve table or column expression named 'DeviceEvent'" } }),
      query,
      NOW,
    );
    assert.equal(f.kind, 'semantic');
    assert.deepEqual(f.position, { line: 2, column: 0, length: 11 });
    assert.deepEqual(locateName('T | project Foo, FooBar', 'FooBar'), { line: 0, column: 17, length: 6 });
    assert.equal(locateName('T', 'Missing'), undefined);
  });

  it('turns a quota 429 into a retry time', () => {
    const f = classifyHuntingError(
      apiError(429, { error: { code: 'TooManyRequests', message: 'You have exceeded processing resources allocated to this tenant. You can run queries again in 00:12:00.' } }, 720),
      'q',
      NOW,
    );
    assert.equal(f.kind, 'quota');
    assert.equal(f.retryAfterSec, 720);
    assert.equal(f.retryAt, NOW + 720_000);
    assert.match(f.message, /run queries again at 10:12 \(in 12 min\)/);
    const rate = classifyHuntingError(apiError(429, { error: { code: 'TooManyRequests', message: 'Rate limit is exceeded. Try again in 30 seconds.' } }, 30), 'q', NOW);
    assert.equal(rate.kind, 'throttled');
    assert.match(rate.message, /45 calls a minute/);
    assert.match(rate.message, /at 10:00 \(in 30 s\)/);
  });

  it('names the 124 MB result-size limit and the time limit', () => {
    const size = classifyHuntingError(
      apiError(400, { error: { code: 'BadRequest', message: 'Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again.' } }),
      'q',
      NOW,
    );
    assert.equal(size.kind, 'size-limit');
    assert.match(size.title, /124 MB/);
    assert.match(size.message, /124 MB result-size limit/);
    const timeout = classifyHuntingError(apiError(400, { error: { code: 'BadRequest', message: 'Query exceeded the timeout period.' } }), 'q', NOW);
    assert.equal(timeout.kind, 'timeout');
    assert.match(timeout.message, /200 s/);
  });

  it('maps auth, permission, network and server failures', () => {
    assert.equal(classifyHuntingError(new AuthRequiredError(), 'q', NOW).kind, 'auth');
    const forbidden = classifyHuntingError(apiError(403, { error: { code: 'Forbidden', message: 'Missing role.' } }), 'q', NOW);
    assert.equal(forbidden.kind, 'forbidden');
    assert.match(forbidden.message, /ThreatHunting\.Read\.All/);
    assert.equal(classifyHuntingError(new NetworkError('down', false), 'q', NOW).kind, 'network');
    assert.equal(classifyHuntingError(new NetworkError('slow', true), 'q', NOW).kind, 'timeout');
    const server = classifyHuntingError(apiError(500, { error: { code: 'InternalServerError', message: 'Oops', innerError: { 'request-id': 'r1' } } }), 'q', NOW);
    assert.equal(server.kind, 'service');
    assert.equal(server.requestId, 'r1');
    assert.equal(classifyHuntingError(new Error('boom'), 'q', NOW).kind, 'service');
  });

  it('names the 100,000-row limit when a result reaches it, and the grid cap', () => {
    assert.deepEqual(limitNotices(10, 10, 'last 7 days'), []);
    const full = limitNotices(100_000, 50_000, 'last 7 days');
    assert.deepEqual(full.map((n) => n.code), ['row-limit', 'grid-limit']);
    assert.match(full[0]!.text, /100,000-row limit/);
    assert.match(full[1]!.text, /first 50,000 of 100,000/);
    assert.equal(limitNotices(0, 0, 'last hour')[0]!.code, 'no-rows');
  });

  it('maps query positions into the document, including a query that starts mid-line', () => {
    assert.deepEqual(toDocumentPosition({ line: 10, character: 0 }, { line: 1, column: 8, length: 1 }), { line: 11, character: 8, endCharacter: 9 });
    assert.deepEqual(toDocumentPosition({ line: 3, character: 4 }, { line: 0, column: 2, length: 3 }), { line: 3, character: 6, endCharacter: 9 });
    assert.equal(waitText(30), '30 s');
    assert.equal(waitText(720), '12 min');
    assert.equal(waitText(7200), '2 h 0 min');
  });

  it('end to end with the emulator: a malformed snippet comes back with a position in the query', async () => {
    const emu = await startApiEmulator();
    try {
      const client = new GraphHuntingClient(new RestClient({ baseUrl: emu.url, getToken: async () => 't' }));
      const query = 'DeviceEvents\n| where ActionType == "AntivirusTroubleshootModeEvent"\n| project Timestamp, DeviceName)';
      const err = await client.runHuntingQuery(query).catch((e: unknown) => e);
      const f = classifyHuntingError(err, query, Date.now());
      assert.equal(f.kind, 'syntax');
      assert.deepEqual(f.position, { line: 2, column: 31, length: 1 });
      const unknown = 'DeviceEvnts | take 1';
      const f2 = classifyHuntingError(await client.runHuntingQuery(unknown).catch((e: unknown) => e), unknown, Date.now());
      assert.equal(f2.kind, 'semantic');
      assert.deepEqual(f2.position, { line: 0, column: 0, length: 11 });
    } finally {
      await emu.close();
    }
  });
});
