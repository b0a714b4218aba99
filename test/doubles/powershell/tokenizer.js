'use strict';
/**
 * A PowerShell tokenizer for the subset the extension's scripts use, following PowerShell's own character classes
 * (CharTraits.cs; /work/shared/reference/powershell.md §2):
 *   single quote: ' U+2018 U+2019 U+201A U+201B     double quote: " U+201C U+201D U+201E
 *   dash: - U+2013 U+2014 U+2015                     whitespace adds NBSP, NEL and Unicode separators > U+0100
 * Single-quoted strings follow ScanStringLiteral exactly: any single-quote-class char ends the string unless the
 * next char is also one, in which case the pair is an escape that keeps the second char. So a quoting bug in the
 * product (say, escaping only ASCII ') changes what this stand-in executes, as it would in PowerShell.
 */

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const DOUBLE_QUOTES = new Set(['"', '\u201C', '\u201D', '\u201E']);
const DASHES = new Set(['-', '\u2013', '\u2014', '\u2015']);

const isSingleQuote = (c) => c !== undefined && SINGLE_QUOTES.has(c);
const isDoubleQuote = (c) => c !== undefined && DOUBLE_QUOTES.has(c);
const isDash = (c) => c !== undefined && DASHES.has(c);
const isNewline = (c) => c === '\r' || c === '\n';
function isWhitespace(c) {
  if (c === undefined) return false;
  if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00A0' || c === '\u0085') return true;
  return c.charCodeAt(0) > 0x100 && /\p{Z}/u.test(c);
}
const isIdentChar = (c) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
/** Chars that end a bareword (generic token) in command mode. */
const isBarewordBreak = (c) =>
  c === undefined || isWhitespace(c) || isNewline(c) || '{}();,|&'.includes(c) || isSingleQuote(c) || isDoubleQuote(c);

class PsSyntaxError extends Error {
  constructor(message) {
    super(message);
    this.errorId = 'ParseException';
    this.category = 'ParserError';
  }
}

/** Scans a single-quoted literal starting at `start` (an opening quote-class char). */
function scanSingleQuoted(text, start) {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new PsSyntaxError('The string is missing the terminator: \'.');
    const c = text[i];
    if (isSingleQuote(c)) {
      if (isSingleQuote(text[i + 1])) {
        value += text[i + 1];
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i += 1;
  }
}

/**
 * Scans a double-quoted (expandable) string. Doubled quote-class chars and backtick escapes are handled; the
 * parts are returned so the interpreter can refuse expansion it does not model (the product never sends any).
 */
function scanDoubleQuoted(text, start) {
  let value = '';
  let expandable = false;
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new PsSyntaxError('The string is missing the terminator: ".');
    const c = text[i];
    if (c === '`') {
      const n = text[i + 1];
      const map = { n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };
      value += n in map ? map[n] : n;
      i += 2;
      continue;
    }
    if (isDoubleQuote(c)) {
      if (isDoubleQuote(text[i + 1])) {
        value += text[i + 1];
        i += 2;
        continue;
      }
      return { value, expandable, end: i + 1 };
    }
    if (c === '$' && (isIdentChar(text[i + 1]) || text[i + 1] === '(' || text[i + 1] === '{')) expandable = true;
    value += c;
    i += 1;
  }
}

/** Token kinds: newline, semi, pipe, comma, lcurly, rcurly, lparen, rparen, atcurly, atparen, equals,
 * coloncolon, dot, string, number, variable, parameter, type, bareword, lbracket, rbracket. */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  const push = (kind, value, start, extra) => tokens.push({ kind, value, start, end: i, ...extra });
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (isWhitespace(c)) { i++; continue; }
    if (c === '`' && isNewline(text[i + 1])) { i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2; continue; }
    if (isNewline(c)) { i++; push('newline', '\n', start); continue; }
    if (c === '<' && text[i + 1] === '#') {
      const close = text.indexOf('#>', i + 2);
      if (close < 0) throw new PsSyntaxError('Missing the closing #> of a block comment.');
      i = close + 2;
      continue;
    }
    if (c === '#') { while (i < text.length && !isNewline(text[i])) i++; continue; }
    if (isSingleQuote(c)) {
      const { value, end } = scanSingleQuoted(text, i);
      i = end;
      push('string', value, start, { quoted: 'single' });
      continue;
    }
    if (isDoubleQuote(c)) {
      const { value, expandable, end } = scanDoubleQuoted(text, i);
      i = end;
      push('string', value, start, { quoted: 'double', expandable });
      continue;
    }
    if (c === '@' && text[i + 1] === '{') { i += 2; push('atcurly', '@{', start); continue; }
    if (c === '@' && text[i + 1] === '(') { i += 2; push('atparen', '@(', start); continue; }
    if (c === ':' && text[i + 1] === ':') { i += 2; push('coloncolon', '::', start); continue; }
    const single = { ';': 'semi', '|': 'pipe', ',': 'comma', '{': 'lcurly', '}': 'rcurly', '(': 'lparen', ')': 'rparen', '=': 'equals' };
    if (single[c]) { i++; push(single[c], c, start); continue; }
    if (c === '[') {
      // A type literal: [Name.Space.Type] (no spaces), e.g. [datetime], [ordered], [System.Text.UTF8Encoding].
      const m = /^\[([A-Za-z_][\w.]*)\]/.exec(text.slice(i));
      if (m) { i += m[0].length; push('type', m[1], start); continue; }
      i++; push('lbracket', '[', start); continue;
    }
    if (c === ']') { i++; push('rbracket', ']', start); continue; }
    if (c === '$') {
      if (text[i + 1] === '{') {
        const close = text.indexOf('}', i + 2);
        if (close < 0) throw new PsSyntaxError('Missing closing } in a variable name.');
        const name = text.slice(i + 2, close);
        i = close + 1;
        push('variable', name, start);
        continue;
      }
      let j = i + 1;
      if (text[j] === '_' && !isIdentChar(text[j + 1])) { i = j + 1; push('variable', '_', start); continue; }
      while (isIdentChar(text[j]) || (text[j] === ':' && isIdentChar(text[j + 1]) && text[j + 1] !== undefined)) j++;
      const name = text.slice(i + 1, j);
      if (!name) throw new PsSyntaxError('Variable reference is not valid.');
      i = j;
      push('variable', name, start);
      continue;
    }
    if (c === '.' && isIdentChar(text[i + 1]) && tokens.length && ['variable', 'rparen', 'rbracket', 'type'].includes(tokens[tokens.length - 1].kind) && tokens[tokens.length - 1].end === i) {
      i++; push('dot', '.', start); continue;
    }
    if (isDash(c) && /[\p{L}_?]/u.test(text[i + 1] ?? '')) {
      // A parameter: any dash-class char followed by a name (powershell.md §2.7: an en dash IS a parameter dash).
      let j = i + 1;
      while (isIdentChar(text[j]) || text[j] === '-') {
        if (text[j] === '-' ) break;
        j++;
      }
      let name = text.slice(i + 1, j);
      let colon = false;
      if (text[j] === ':') { colon = true; j++; }
      i = j;
      push('parameter', name, start, { colon });
      continue;
    }
    if (/[0-9]/.test(c) || (isDash(c) && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^[-\u2013\u2014\u2015]?[0-9]+(\.[0-9]+)?(KB|MB|GB)?(?=[\s;,|)}\]]|$)/i.exec(text.slice(i));
      if (m) {
        let n = Number(m[0].replace(/^[\u2013\u2014\u2015]/, '-').replace(/(KB|MB|GB)$/i, ''));
        const unit = (m[2] ?? '').toUpperCase();
        if (unit) n *= { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit];
        i += m[0].length;
        push('number', n, start);
        continue;
      }
    }
    // Anything else: a bareword (command name, enum value, unquoted path...).
    let j = i;
    while (!isBarewordBreak(text[j])) j++;
    if (j === i) throw new PsSyntaxError(`Unexpected character '${c}'.`);
    const word = text.slice(i, j);
    i = j;
    push('bareword', word, start);
  }
  return tokens;
}

module.exports = { tokenize, scanSingleQuoted, isSingleQuote, isDoubleQuote, isDash, PsSyntaxError };
