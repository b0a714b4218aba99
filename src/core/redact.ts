/**
 * Scrubs credentials from text before it reaches a log or the audit file. Defence in depth: tokens
 * should never be passed to a logger in the first place.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 <redacted>'],
  // JWTs (three base64url segments, the first starting with eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '<redacted-jwt>'],
  // key=value / "key": "value" pairs with sensitive names.
  [
    // \b: a whole name only (`code` is OAuth's authorization code; `exitCode` is not a secret).
    /(\b(?:access_token|refresh_token|id_token|client_secret|password|sig|code)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
    '$1<redacted>',
  ],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) {
    out = out.replace(re, replacement);
  }
  return out;
}
