import * as assert from 'node:assert/strict';
import { graphHuntingScope, huntingScopeForSetting, normalizeEndpoint } from '../../../src/api/endpoints';
import { parseErrorBody, parseRetryAfter, retryAfterFromMessage } from '../../../src/api/errors';
import { parseHuntingResponse } from '../../../src/api/graph';
import { describeTimespan, durationMs, validateTimespan } from '../../../src/api/timespan';

describe('(unit) api parsing', () => {
  it('reads Graph, MDE and nested Log Analytics error bodies', () => {
    const graph = parseErrorBody({
      error: { code: 'BadRequest', message: 'Bad', innerError: { date: 'd', 'request-id': 'r-1', 'client-request-id': 'c' } },
    });
    assert.equal(graph.code, 'BadRequest');
    assert.equal(graph.message, 'Bad');
    assert.equal(graph.requestId, 'r-1');

    const mde = parseErrorBody({ error: { code: 'TooManyRequests', message: 'Slow down', target: 'corr-9' } });
    assert.equal(mde.requestId, 'corr-9');

    const nested = parseErrorBody({
      error: {
        message: 'The request had some invalid properties',
        code: 'BadArgumentError',
        correlationId: 'x',
        innererror: {
          code: 'SyntaxError',
          message: 'A recognition error occurred in the query.',
          innererror: { code: 'SYN0002', message: "Query could not be parsed at 'invalid' on line [1,11]", line: 1, pos: 11, token: 'invalid' },
        },
      },
    });
    assert.deepEqual(nested.details.codes, ['BadArgumentError', 'SyntaxError', 'SYN0002']);
    assert.equal(nested.details.line, 1);
    assert.equal(nested.details.pos, 11);
    assert.equal(nested.details.token, 'invalid');
    assert.deepEqual(parseErrorBody('nonsense').details.messages, []);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('reads "You can run queries again in …" in clock and word forms', () => {
    assert.equal(retryAfterFromMessage('You can run queries again in 00:12:30.'), 750);
    assert.equal(retryAfterFromMessage('You can run queries again in 1 hour and 5 minutes.'), 3900);
    assert.equal(retryAfterFromMessage('Rate limit is exceeded. Try again in 12 seconds.'), 12);
    assert.equal(retryAfterFromMessage('Nothing here'), undefined);
  });

  it('parses huntingQueryResults with either descriptor casing and tolerates odd rows', () => {
    const parsed = parseHuntingResponse({
      Schema: [{ Name: 'A', Type: 'String' }, { name: 'B' }, {}],
      Results: [{ A: 'x' }, null, [1], { A: 'y' }],
    });
    assert.deepEqual(parsed.schema, [
      { name: 'A', type: 'String' },
      { name: 'B', type: 'String' },
      { name: 'Column3', type: 'String' },
    ]);
    assert.equal(parsed.results.length, 2);
    assert.throws(() => parseHuntingResponse({ results: [] }), /no schema/);
  });

  it('validates Graph timespans', () => {
    for (const ok of ['P30D', 'PT4H15M', 'P1DT2H', '2024-02-01T08:00:00Z', '2024-02-01T08:00:00Z/2024-02-15T08:00:00Z', 'P30D/2024-02-15T08:00:00Z', '2024-02-01T08:00:00Z/P30D']) {
      assert.equal(validateTimespan(ok), undefined, ok);
    }
    for (const bad of ['', '30d', 'P', 'PT', 'P1H', '2024-02-15T08:00:00Z/2024-02-01T08:00:00Z', 'a/b/c']) {
      assert.ok(validateTimespan(bad), bad);
    }
    assert.equal(durationMs('PT4H15M'), (4 * 60 + 15) * 60_000);
    assert.equal(describeTimespan('PT4H15M'), '4 h 15 min');
    assert.equal(describeTimespan('P30D'), '30 days');
    assert.equal(describeTimespan('P1D'), '1 day');
  });

  it('requires https for endpoints except on loopback, and maps sovereign Graph hosts to their scope', () => {
    assert.equal(normalizeEndpoint('https://graph.microsoft.us/', 'x', 's'), 'https://graph.microsoft.us');
    assert.equal(normalizeEndpoint('http://127.0.0.1:4000', 'x', 's'), 'http://127.0.0.1:4000');
    assert.equal(normalizeEndpoint('', 'https://graph.microsoft.com', 's'), 'https://graph.microsoft.com');
    assert.throws(() => normalizeEndpoint('http://graph.example', 'x', 'defenderTroubleshooting.graph.endpoint'), /https/);
    assert.throws(() => normalizeEndpoint('not a url', 'x', 's'), /not a URL/);
    assert.throws(() => normalizeEndpoint('https://user:pw@graph.example', 'x', 's'), /plain base address/);
    assert.equal(graphHuntingScope('https://graph.microsoft.us'), 'https://graph.microsoft.us/ThreatHunting.Read.All');
    assert.equal(graphHuntingScope('https://dod-graph.microsoft.us'), 'https://dod-graph.microsoft.us/ThreatHunting.Read.All');
    assert.equal(graphHuntingScope('http://127.0.0.1:3000'), 'https://graph.microsoft.com/ThreatHunting.Read.All');
  });
});

describe('sign-in scope for the graph.endpoint setting (unit)', () => {
  it('follows the cloud of the configured endpoint, and the public cloud when empty', () => {
    assert.strictEqual(huntingScopeForSetting('https://graph.microsoft.us'), 'https://graph.microsoft.us/ThreatHunting.Read.All');
    assert.strictEqual(huntingScopeForSetting(' https://dod-graph.microsoft.us '), 'https://dod-graph.microsoft.us/ThreatHunting.Read.All');
    assert.strictEqual(huntingScopeForSetting(''), 'https://graph.microsoft.com/ThreatHunting.Read.All');
    assert.strictEqual(huntingScopeForSetting(undefined), 'https://graph.microsoft.com/ThreatHunting.Read.All');
  });
});
