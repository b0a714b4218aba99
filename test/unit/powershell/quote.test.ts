import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidPowerShellValueError, psBool, psInt, quotePs, quotePsList } from '../../../src/powershell/quote';

/**
 * An independent port of PowerShell's ScanStringLiteral (tokenizer.cs, see powershell.md §2): starting at an
 * opening single-quote-class char, every char is literal except a single-quote-class char; if the next char is
 * also one, the pair is an escape that keeps the second, otherwise the string ends there.
 */
const isSingleQuote = (c: string | undefined) =>
  c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B';

function scanSingleQuoted(text: string, start = 0): { value: string; end: number } {
  if (!isSingleQuote(text[start])) throw new Error('not at a quote');
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new Error('incomplete string: missing terminator');
    const c = text[i]!;
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

const QUOTES = ["'", '\u2018', '\u2019', '\u201A', '\u201B'];
const DOUBLE_QUOTES = ['"', '\u201C', '\u201D', '\u201E'];
const DASHES = ['-', '\u2013', '\u2014', '\u2015'];
const META = ['$', '`', ';', '|', '&', '#', '(', ')', '{', '}', '@', ' ', '\n', '\r', '\t', '\u00A0', '\u0085', 'a', 'Z', '\\', ':'];
const hostileChar = fc.constantFrom(...QUOTES, ...DOUBLE_QUOTES, ...DASHES, ...META);
// Control characters are rejected with a typed error (issue #10, item 7); the properties check that, and the
// round trip for everything else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const rejected = (s: string) => {
  assert.throws(() => quotePs(s), InvalidPowerShellValueError);
  return true;
};
const hostileString = fc.array(fc.oneof(hostileChar, fc.string({ maxLength: 3, unit: 'grapheme' })), { maxLength: 40 }).map((a) => a.join('').replace(/\0/g, ''));

describe('quotePs', () => {
  it('round-trips any text through PowerShell\'s single-quoted scanning rule (property)', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, ''))), (s) => {
        if (CONTROL.test(s)) return rejected(s);
        const lit = quotePs(s);
        const { value, end } = scanSingleQuoted(lit);
        assert.equal(value, s);
        assert.equal(end, lit.length, 'the literal must end exactly at its closing quote');
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the rest of a command line out of the literal (property)', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        if (CONTROL.test(s)) return rejected(s);
        const command = `Add-MpPreference -ExclusionPath ${quotePs(s)}; Write-Output 'tail'`;
        const start = command.indexOf("'");
        const { value, end } = scanSingleQuoted(command, start);
        assert.equal(value, s);
        assert.equal(command.slice(end), "; Write-Output 'tail'");
      }),
      { numRuns: 2000 },
    );
  });

  const hostile: [string, string][] = [
    ['sub-expression', 'C:\\x$(Start-Process calc)'],
    ['variable', '$env:USERPROFILE'],
    ['backtick escapes', 'a`nb`0c`'],
    ['statement injection', "C:\\a'; Remove-Item C:\\ -Recurse; '"],
    ['right single quote escape-out', 'C:\\a\u2019; Start-Process calc; \u2019'],
    ['left single quote', '\u2018C:\\a\u2018'],
    ['low-9 quote', 'x\u201Ay'],
    ['reversed-9 quote', 'x\u201By'],
    ['all quotes in a row', "'\u2018\u2019\u201A\u201B"],
    ['double quotes', '"\u201C\u201D\u201E'],
    ['dashes as parameters', '\u2013DisableRealtimeMonitoring \u2014x \u2015y -z'],
    ['semicolon and pipe', 'a; b | c & d'],
    ['here-string opener', "@'"],
    ['comment', '# not a comment'],
    ['empty', ''],
  ];
  for (const [name, input] of hostile) {
    it(`neutralises ${name}`, () => {
      const lit = quotePs(input);
      assert.ok(lit.startsWith("'") && lit.endsWith("'"));
      const { value, end } = scanSingleQuoted(lit);
      assert.equal(value, input);
      assert.equal(end, lit.length);
    });
  }

  it('doubles each of the five quote characters', () => {
    assert.equal(quotePs("it's"), "'it''s'");
    assert.equal(quotePs('a\u2019b'), "'a\u2019\u2019b'");
    assert.equal(quotePs('\u2018\u201A\u201B'), "'\u2018\u2018\u201A\u201A\u201B\u201B'");
  });

  it('rejects NUL with a clear error', () => {
    assert.throws(() => quotePs('a\0b'), /NUL/);
    assert.throws(() => quotePs('a\0b', 'path'), /NUL/);
  });

  it('rejects control characters in every kind of value, free text included', () => {
    assert.throws(() => quotePs('C:\\a\nb', 'path'), /control character \(U\+000A\)/);
    assert.throws(() => quotePs('MsMpEng\r', 'name'), /control character/);
    assert.throws(() => quotePs('a\u001Fb', 'name'), /control character/);
    for (const bad of ['a\nb', 'line1\r\nline2', '\u0003', '\u001b[2K', 'a\tb', 'x\u0085y', 'x\u009b2K', 'x\u2028y']) {
      assert.throws(() => quotePs(bad, 'text'), (e: unknown) => e instanceof InvalidPowerShellValueError && /control character/.test(e.message), JSON.stringify(bad));
    }
    assert.doesNotThrow(() => quotePs('caf\u00e9 \u2013 \u00a0x', 'text'));
    assert.equal(quotePs('C:\\Program Files\\App', 'path'), "'C:\\Program Files\\App'");
  });

  it('renders booleans, integers and lists only from validated values', () => {
    assert.equal(psBool(true), '$true');
    assert.equal(psBool(false), '$false');
    assert.equal(psInt(42), '42');
    assert.throws(() => psInt(1.5));
    assert.throws(() => psInt(Number.NaN));
    assert.equal(quotePsList(['.dbx', "o'k"]), "'.dbx', 'o''k'");
    assert.throws(() => quotePsList([]));
  });
});
