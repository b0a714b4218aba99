import * as assert from 'node:assert/strict';
import { DefenderApiError, parseErrorBody, retryAfterFromMessage } from '../../../src/api/errors';
import { redactSecrets } from '../../../src/core/redact';
import { classifyHuntingError } from '../../../src/hunting/model/errors';

const N = 100_000;

/**
 * Fails when `fn` takes 50 ms or more (issue #10, item 4). The best of three runs, after a warm-up, so a busy
 * machine does not fail a linear pattern; a backtracking one takes seconds every time.
 */
function fast(label: string, fn: () => unknown): void {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3 && best >= 50; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  assert.ok(best < 50, `${label} took ${best.toFixed(1)} ms on ${N.toLocaleString('en-US')} characters`);
}

/** Inputs shaped to make backtracking patterns slow. */
const HOSTILE: Record<string, string> = {
  'eyJ repeated': 'eyJ'.repeat(N / 3),
  'eyJ- repeated': 'eyJaa-'.repeat(N / 6),
  'one long segment': `eyJ${'a'.repeat(N)}`,
  'dots without segments': `eyJaaaaa.${'.a'.repeat(N / 2)}`,
  'base64 run': 'A'.repeat(N),
  'bearer and spaces': `Bearer${' '.repeat(N)}`,
  'bearers': 'Bearer '.repeat(N / 7),
  'keys without values': 'access_token='.repeat(N / 13),
  'escaped quotes': `"password":${'\\'.repeat(N)}`,
  'authorization': `Authorization: ${' '.repeat(N)}`,
  'again in': 'again in '.repeat(N / 9),
  'digits': `You can run queries again in ${'1'.repeat(N)}`,
  'digits and dots': `again in ${'1.'.repeat(N / 2)}`,
  'spaces': `again in${' '.repeat(N)}x`,
  'parsed at': "Query could not be parsed at '".repeat(N / 30),
  'parsed at spaces': `could not be parsed at '${"' ".repeat(N / 2)}`,
  'on line': `could not be parsed at 'x' on line [1,2]${' '.repeat(N)}on line [`,
  'resolve': "Failed to resolve table named '".repeat(N / 31),
};

describe('(unit) regular expressions on outside text are linear (issue #10, item 4)', () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`redactSecrets: ${name}`, () => fast('redactSecrets', () => redactSecrets(text)));
    it(`quota message parser: ${name}`, () => fast('retryAfterFromMessage', () => retryAfterFromMessage(text)));
    it(`hunting error classification: ${name}`, () =>
      fast('classifyHuntingError', () => {
        for (const status of [400, 429]) {
          const body = parseErrorBody({ error: { code: 'BadRequest', message: text, innerError: { message: text } } });
          const err = new DefenderApiError({ status, message: body.message ?? '', details: body.details });
          classifyHuntingError(err, 'DeviceEvents | take 1', 0);
        }
      }));
  }

  it('still reads the quota message durations', () => {
    assert.equal(retryAfterFromMessage('You have exceeded the CPU quota. You can run queries again in 00:12:30.'), 750);
    assert.equal(retryAfterFromMessage('You can run queries again in 1 hour and 5 minutes.'), 3900);
    assert.equal(retryAfterFromMessage('Try again in 45 seconds'), 45);
    assert.equal(retryAfterFromMessage('no duration here'), undefined);
  });
});

describe('(unit) redaction by what a secret is (issue #10, item 5)', () => {
  it('leaves ordinary paths, product names and command lines alone', () => {
    for (const text of [
      'Add-MpPreference -ExclusionPath \'D:\\build\\code=release\\app.exe\'',
      'Add-MpPreference -ExclusionProcess \'C:\\Program Files\\Microsoft Visual Basic 6.0\\vb6.exe\'',
      'Set-MpPreference -DisableRealtimeMonitoring $true',
      'C:\\tools\\sig=1\\x.exe and D:\\a\\password\\readme.txt',
      '{"exitCode":0,"errorCode":"x","codePage":65001}',
      'Bearer tokens are sent in the Authorization header',
      'https://learn.microsoft.com/en-us/defender-endpoint/?view=o365-worldwide#code',
    ]) {
      assert.equal(redactSecrets(text), text);
    }
  });

  it('redacts known secret keys in every spelling and quoting', () => {
    const cases: [string, string][] = [
      ['{"accessToken":"tok-123"}', 'tok-123'],
      ['{"access_token": "tok-456"}', 'tok-456'],
      ['refresh_token=rt-1&x=1', 'rt-1'],
      ['{"refreshToken":"rt-2"}', 'rt-2'],
      ['clientSecret=cs~1', 'cs~1'],
      ['client_secret: cs-2', 'cs-2'],
      ["password='hunter2'", 'hunter2'],
      ['{\\"accessToken\\":\\"escaped-1\\"}', 'escaped-1'],
      ['{\\"client_secret\\":\\"escaped-2\\"}', 'escaped-2'],
      ['"{\\\\\\"password\\\\\\":\\\\\\"twice-escaped\\\\\\"}"', 'twice-escaped'],
      ['Authorization: Bearer abc.def-123', 'abc.def-123'],
      ['{"Authorization":"Bearer hdr-token-1"}', 'hdr-token-1'],
      ['Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
      ['curl -H "Bearer 0123456789abcdefXYZ"', '0123456789abcdefXYZ'],
      ['https://login/cb?code=0.AAAbbb&state=1', '0.AAAbbb'],
      ['https://x.blob/c?sv=1&sig=abcd%3D', 'abcd%3D'],
    ];
    for (const [text, secret] of cases) {
      const out = redactSecrets(text);
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
      assert.match(out, /<redacted>/, text);
    }
  });

  it('redacts JWT shapes, also inside other text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    for (const text of [jwt, `token ${jwt} end`, `x-${jwt}.more`, `"${jwt}"`]) {
      const out = redactSecrets(text);
      assert.ok(!out.includes(jwt), out);
      assert.ok(out.includes('<redacted-jwt>'), out);
    }
    // Not a JWT: no word start, or segments too short.
    for (const text of ['keyJabcdefg.hijklmn.opqrstu', 'eyJab.cd.ef', 'eyJabcdefg.hijklmn']) assert.equal(redactSecrets(text), text);
  });
});
