/**
 * Scrubs credentials from text before it reaches a log or the audit file. Defence in depth: tokens should never
 * be passed to a logger in the first place.
 *
 * Secrets are recognised by what they are, never by looking like a path or a product name:
 * - the value of a known secret key (`accessToken`, `access_token`, `refresh_token`, `clientSecret`,
 *   `client_secret`, `password`…) as `key=value`, `key: value`, `"key":"value"` or escaped JSON
 *   `\"key\":\"value\"`;
 * - an `Authorization:` header value, and a `Bearer` token;
 * - OAuth's `code` and a SAS `sig` only as URL query parameters (`?code=` / `&sig=`);
 * - JWT-shaped tokens (`eyJ….….…`).
 * So `D:\build\code=release\app.exe` and `Microsoft Visual Basic 6.0` stay as they are: the audit records
 * exactly what ran.
 *
 * Every pattern is linear in the length of the text (no nested or overlapping quantifiers that can backtrack),
 * and JWTs are found by a single scan over token-character runs (test/unit/foundation/redact.test.ts times
 * 100,000-character inputs).
 */

const SECRET_KEYS = [
  'access[_-]?token',
  'refresh[_-]?token',
  'id[_-]?token',
  'client[_-]?secret',
  'client[_-]?assertion',
  'password',
  'passwd',
  'account[_-]?key',
  'shared[_-]?access[_-]?key',
  'api[_-]?key',
].join('|');

// Optional backslashes before a quote cover escaped JSON (`\"accessToken\":\"…\"`, also doubly escaped).
const Q = `\\\\*["']?`;

const PATTERNS: readonly [RegExp, string][] = [
  // Known secret keys, as a whole name (`\b`, or after `_` / a lowercase letter as in `userPassword`… no: a whole
  // name only, so `exitCode` or `passwordPolicy` is not a secret).
  [new RegExp(`(\\b(?:${SECRET_KEYS})${Q}\\s*[:=]\\s*${Q})[^"'&\\s,;}\\\\]+`, 'gi'), '$1<redacted>'],
  // Authorization header values (any scheme).
  [new RegExp(`(\\bAuthorization${Q}\\s*[:=]\\s*${Q}(?:(?:Bearer|Basic|Negotiate|NTLM|Digest)[ \\t]+)?)[^"'\\s,;}\\\\]+`, 'gi'), '$1<redacted>'],
  // A bearer token anywhere (token-shaped: at least 16 characters, so prose like "Bearer tokens" stays).
  [/\b(Bearer[ \t]+)[A-Za-z0-9\-._~+/]{16,}=*/gi, '$1<redacted>'],
  // OAuth authorization codes and SAS signatures: only as URL query parameters.
  [/([?&](?:code|sig)=)[^&#\s"']+/gi, '$1<redacted>'],
];

// Runs of the characters a JWT is made of (base64url and the dots). One greedy class, matched once per run.
const TOKEN_RUN = /[A-Za-z0-9_.-]+/g;

/**
 * Replaces JWTs (three base64url segments, the first starting with `eyJ` at a word start, each segment at least
 * 5 characters after the prefix) inside one run of token characters. Linear: the run is split at its dots once.
 */
function redactJwtsInRun(run: string): string {
  if (!run.includes('eyJ')) return run;
  const segs = run.split('.');
  const out: string[] = [];
  let i = 0;
  while (i < segs.length) {
    const seg = segs[i]!;
    const at = jwtStart(seg);
    if (at >= 0 && i + 2 < segs.length && segs[i + 1]!.length >= 5 && segs[i + 2]!.length >= 5) {
      out.push(`${seg.slice(0, at)}<redacted-jwt>`);
      i += 3;
      continue;
    }
    out.push(seg);
    i++;
  }
  return out.join('.');
}

/** Where a JWT's first segment starts in `seg` (`eyJ` at a word start, 5+ more characters), or -1. */
function jwtStart(seg: string): number {
  let from = 0;
  for (;;) {
    const at = seg.indexOf('eyJ', from);
    if (at < 0) return -1;
    // A word start: the previous character is not a word character (only `-` can precede it in a run).
    if ((at === 0 || seg[at - 1] === '-') && seg.length - at - 3 >= 5) return at;
    from = at + 3;
  }
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) {
    out = out.replace(re, replacement);
  }
  if (out.includes('eyJ')) out = out.replace(TOKEN_RUN, redactJwtsInRun);
  return out;
}
