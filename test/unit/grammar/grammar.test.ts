/**
 * Scopes of syntaxes/kql.tmLanguage.json, asserted with vscode-textmate + vscode-oniguruma (VS Code's engine).
 */
import * as assert from 'node:assert';
import type { IGrammar } from 'vscode-textmate';
import { type Token, ourGrammar, tokenize, tokenizeLines } from './tokenize';

let grammar: IGrammar;

/** The `nth` token whose text (trimmed) is `text`. */
function tokenOf(tokens: Token[], text: string, nth = 0): Token {
  const found = tokens.filter((t) => t.text.trim() === text);
  assert.ok(found.length > nth, `no token ${JSON.stringify(text)} (#${nth}) in ${dump(tokens)}`);
  return found[nth];
}

function dump(tokens: Token[]): string {
  return tokens
    .filter((t) => t.text.trim())
    .map((t) => `${JSON.stringify(t.text)}=${t.scopes.slice(1).join(' ')}`)
    .join('\n  ');
}

/** Asserts that in `src`, the (nth) token `text` has every scope of `scopes` (exact names) in its scope list. */
function expectScopes(src: string, text: string, scopes: string | string[], nth = 0): void {
  const tokens = tokenize(grammar, src);
  const t = tokenOf(tokens, text, nth);
  for (const scope of Array.isArray(scopes) ? scopes : [scopes]) {
    assert.ok(t.scopes.includes(scope), `${JSON.stringify(text)} in ${JSON.stringify(src)}: expected ${scope}, got ${t.scopes.join(' ')}`);
  }
}

/** Asserts that no token of `src` has `scopePrefix` (a scope name or its prefix). */
function expectNoScope(src: string, text: string, scopePrefix: string, nth = 0): void {
  const t = tokenOf(tokenize(grammar, src), text, nth);
  assert.ok(
    !t.scopes.some((s) => s === scopePrefix || s.startsWith(scopePrefix + '.')),
    `${JSON.stringify(text)} in ${JSON.stringify(src)}: unexpected ${scopePrefix} in ${t.scopes.join(' ')}`,
  );
}

describe('KQL grammar (syntaxes/kql.tmLanguage.json)', () => {
  before(async () => {
    grammar = await ourGrammar();
  });

  it('has the scope name source.kql', () => {
    const t = tokenize(grammar, 'x')[0];
    assert.strictEqual(t.scopes[0], 'source.kql');
  });

  describe('strings', () => {
    it("'..' and \"..\" with their quotes", () => {
      expectScopes("print 'abc'", 'abc', 'string.quoted.single.kql');
      expectScopes("print 'abc'", "'", ['string.quoted.single.kql', 'punctuation.definition.string.begin.kql'], 0);
      expectScopes("print 'abc'", "'", ['string.quoted.single.kql', 'punctuation.definition.string.end.kql'], 1);
      expectScopes('print "abc"', 'abc', 'string.quoted.double.kql');
      expectScopes('print "abc"', '"', 'punctuation.definition.string.begin.kql', 0);
      expectScopes('print "abc"', '"', 'punctuation.definition.string.end.kql', 1);
    });

    it('escape sequences inside quoted strings', () => {
      const src = String.raw`print "a\"b\\c", 'd\'e'`;
      expectScopes(src, String.raw`\"`, ['string.quoted.double.kql', 'constant.character.escape.kql']);
      expectScopes(src, String.raw`\\`, ['string.quoted.double.kql', 'constant.character.escape.kql']);
      expectScopes(src, 'c', 'string.quoted.double.kql');
      expectScopes(src, String.raw`\'`, ['string.quoted.single.kql', 'constant.character.escape.kql']);
      expectScopes(src, ',', 'punctuation.separator.comma.kql');
    });

    it("verbatim @'..' and @\"..\" (backslash is literal, doubled quote is a quote)", () => {
      expectScopes(String.raw`print @"C:\Windows\"`, String.raw`C:\Windows\ `.trim(), 'string.quoted.double.verbatim.kql');
      expectScopes(String.raw`print @"C:\Windows\"`, '@', ['string.quoted.double.verbatim.kql', 'storage.modifier.verbatim.kql']);
      expectScopes(String.raw`print @"C:\Windows\"`, '"', 'punctuation.definition.string.end.kql', 1);
      expectScopes("print @'it''s'", "it''s", 'string.quoted.single.verbatim.kql');
      expectScopes("print @'it''s', x", 'x', 'variable.other.column.kql');
    });

    it("obfuscated h'..', h\"..\", h@'..', H@\"..\"", () => {
      const src = String.raw`where x in (h'secret', h"two", h@'C:\', H@"D:\")`;
      expectScopes(src, 'secret', 'string.quoted.single.obfuscated.kql');
      expectScopes(src, 'h', ['string.quoted.single.obfuscated.kql', 'storage.modifier.obfuscated.kql'], 0);
      expectScopes(src, 'two', 'string.quoted.double.obfuscated.kql');
      expectScopes(src, String.raw`C:\ `.trim(), 'string.quoted.single.obfuscated.kql');
      expectScopes(src, '@', 'storage.modifier.verbatim.kql', 0);
      expectScopes(src, String.raw`D:\ `.trim(), 'string.quoted.double.obfuscated.kql');
      expectScopes(src, ')', 'punctuation.section.parens.end.kql');
    });

    it('multi-line ``` strings, also obfuscated h```', () => {
      const lines = tokenizeLines(grammar, 'let s = ```first\n| where x\nlast```;\nprint h```y```');
      const all = lines.flat();
      assert.ok(tokenOf(all, '```', 0).scopes.includes('punctuation.definition.string.begin.kql'));
      assert.ok(tokenOf(all, '| where x').scopes.includes('string.quoted.triple.kql'), 'second line is inside the string');
      assert.ok(tokenOf(all, 'last').scopes.includes('string.quoted.triple.kql'));
      assert.ok(tokenOf(all, '```', 1).scopes.includes('punctuation.definition.string.end.kql'));
      assert.ok(tokenOf(all, ';').scopes.includes('punctuation.terminator.statement.kql'));
      assert.ok(tokenOf(all, 'h').scopes.includes('storage.modifier.obfuscated.kql'));
      assert.ok(tokenOf(all, 'y').scopes.includes('string.quoted.triple.kql'));
    });

    it('an unterminated string ends at the end of its line', () => {
      const lines = tokenizeLines(grammar, 'print "abc\n| take 1');
      assert.ok(tokenOf(lines[0], 'abc').scopes.includes('string.quoted.double.kql'));
      assert.ok(tokenOf(lines[1], 'take').scopes.includes('keyword.other.operator.kql'));
    });
  });

  describe('comments', () => {
    it('// to the end of the line, also after code', () => {
      expectScopes('// hello', '//', ['comment.line.double-slash.kql', 'punctuation.definition.comment.kql']);
      expectScopes('// hello', 'hello', 'comment.line.double-slash.kql');
      expectScopes("| where x // it's \"fine\"", `it's "fine"`, 'comment.line.double-slash.kql');
      expectScopes("| where x // it's \"fine\"", 'x', 'variable.other.column.kql');
    });

    it('// inside a string is not a comment', () => {
      expectScopes('| where Url startswith "https://example.com" | take 1', 'https://example.com', 'string.quoted.double.kql');
      expectScopes('| where Url startswith "https://example.com" | take 1', 'take', 'keyword.other.operator.kql');
    });
  });

  describe('let statements and lambdas', () => {
    it('let name = value; spans to the semicolon', () => {
      const src = 'let MaxAge = ago(1d);';
      expectScopes(src, 'let', ['meta.let.kql', 'keyword.control.let.kql']);
      expectScopes(src, 'MaxAge', ['meta.let.kql', 'entity.name.variable.kql']);
      expectScopes(src, '=', 'keyword.operator.assignment.kql');
      expectScopes(src, 'ago', ['meta.let.kql', 'support.function.kql']);
      expectScopes(src, ';', ['meta.let.kql', 'punctuation.terminator.statement.kql']);
      const lines = tokenizeLines(grammar, 'let T = DeviceEvents\n| where x;\nT');
      assert.ok(tokenOf(lines[1], 'where').scopes.includes('meta.let.kql'), 'second line still in the let');
      assert.ok(!tokenOf(lines[2], 'T').scopes.includes('meta.let.kql'), 'after ; the let is over');
    });

    it('lambda: function name, parameters with types and defaults, tabular parameters, body', () => {
      const src = 'let f = (T:(*), name:string, n:int = 5) { T | where Name == name | take n };';
      expectScopes(src, 'f', 'entity.name.function.kql');
      expectScopes(src, '(', ['meta.parameters.kql', 'punctuation.section.parameters.begin.kql'], 0);
      expectScopes(src, 'T', ['meta.parameters.kql', 'variable.parameter.kql'], 0);
      expectScopes(src, '*', 'keyword.operator.wildcard.kql');
      expectScopes(src, 'name', 'variable.parameter.kql', 0);
      expectScopes(src, 'string', 'storage.type.kql');
      expectScopes(src, 'int', 'storage.type.kql');
      expectScopes(src, '5', 'constant.numeric.integer.kql');
      expectScopes(src, '{', 'punctuation.section.braces.begin.kql');
      expectScopes(src, 'where', 'keyword.other.operator.kql');
      expectScopes(src, '}', 'punctuation.section.braces.end.kql');
    });

    it('view lambdas and nested lets', () => {
      const src = 'let v = view () { let inner = 3; DeviceEvents | take inner };';
      expectScopes(src, 'v', 'entity.name.function.kql');
      expectScopes(src, 'view', 'keyword.control.view.kql');
      expectScopes(src, 'inner', 'entity.name.variable.kql', 0);
      expectScopes(src, 'DeviceEvents', 'support.class.table.defender.kql');
    });

    it('a parenthesised tabular value is not a lambda', () => {
      const src = 'let T = (DeviceEvents | take 1);';
      expectScopes(src, 'T', 'entity.name.variable.kql');
      expectNoScope(src, 'DeviceEvents', 'variable.parameter');
      expectScopes(src, '(', 'punctuation.section.parens.begin.kql');
    });
  });

  describe('tabular operators', () => {
    const ops = [
      'where', 'project', 'project-away', 'project-rename', 'project-reorder', 'project-keep', 'extend', 'summarize',
      'join', 'lookup', 'union', 'mv-expand', 'mv-apply', 'make-series', 'parse', 'parse-where', 'order', 'sort',
      'top', 'top-nested', 'take', 'limit', 'count', 'distinct', 'evaluate', 'invoke', 'render', 'sample', 'serialize',
      'getschema', 'as', 'search', 'find', 'facet', 'fork', 'partition', 'scan', 'range', 'print', 'datatable',
      'externaldata', 'mvexpand', 'filter',
    ];
    for (const op of ops) {
      it(`| ${op}`, () => expectScopes(`T | ${op} x`, op, 'keyword.other.operator.kql'));
    }

    it('the pipe is punctuation, also without spaces', () => {
      expectScopes('T |where x', '|', 'punctuation.separator.pipe.kql');
      expectScopes('T |where x', 'where', 'keyword.other.operator.kql');
    });

    it('operators at the start of a line (pipe on the line before) and before (', () => {
      expectScopes('where x', 'where', 'keyword.other.operator.kql');
      expectScopes('union (A), (B)', 'union', 'keyword.other.operator.kql');
      expectScopes('T | join(B) on x', 'join', 'keyword.other.operator.kql');
    });

    it('count / range / take: operators alone, functions before (', () => {
      expectScopes('T | count', 'count', 'keyword.other.operator.kql');
      expectScopes('T | summarize n = count()', 'count', 'support.function.aggregation.kql');
      expectScopes('range x from 1 to 10 step 1', 'range', 'keyword.other.operator.kql');
      expectScopes('print r = range(1, 10, 2)', 'range', 'support.function.kql');
    });

    it('clause words', () => {
      const src = 'T | order by Count desc nulls last | top 3 by x asc | make-series c = count() default = 0 on Timestamp from ago(7d) to now() step 1d with_itemindex';
      for (const w of ['by', 'desc', 'nulls', 'last', 'asc', 'default', 'on', 'from', 'to', 'step', 'with_itemindex']) {
        expectScopes(src, w, 'keyword.other.clause.kql');
      }
      expectScopes('T | parse x with * "a" y', 'with', 'keyword.other.clause.kql');
      expectScopes('union withsource=Src isfuzzy=true A, B', 'withsource', 'keyword.other.clause.kql');
    });

    it('join kind=..., hint.strategy=..., parse kind=regex flags=...', () => {
      const src = 'T | join kind=leftouter hint.strategy=shuffle (B) on $left.a == $right.b';
      expectScopes(src, 'kind', 'keyword.other.option.kql');
      expectScopes(src, 'leftouter', 'constant.language.option.kql');
      expectScopes(src, 'hint.strategy', 'keyword.other.option.kql');
      expectScopes(src, 'shuffle', 'constant.language.option.kql');
      expectScopes('T | join kind= inner (B) on x', 'inner', 'constant.language.option.kql');
      expectScopes('T | parse kind=regex flags=U x with * "a" y:string', 'regex', 'constant.language.option.kql');
      expectScopes('T | parse kind=regex flags=U x with * "a" y:string', 'flags', 'keyword.other.option.kql');
    });

    it('render chart types, evaluate plugins, Defender functions', () => {
      expectScopes('T | render timechart with (title="t")', 'timechart', 'support.constant.chart.kql');
      expectScopes('T | render timechart', 'render', 'keyword.other.operator.kql');
      expectScopes('T | evaluate bag_unpack(x)', 'bag_unpack', 'support.function.plugin.kql');
      expectScopes('T | invoke FileProfile(SHA1, 1000)', 'FileProfile', 'support.function.defender.kql');
      expectScopes('print DeviceFromIP("10.0.0.1")', 'DeviceFromIP', 'support.function.defender.kql');
    });

    it('statements: set, declare query_parameters, alias', () => {
      expectScopes('set querytrace;', 'set', 'keyword.control.statement.kql');
      expectScopes('declare query_parameters(d:datetime);', 'query_parameters', 'keyword.control.statement.kql');
      expectScopes('declare query_parameters(d:datetime);', 'datetime', 'storage.type.kql');
    });
  });

  describe('functions', () => {
    it('scalar functions, including ones other grammars flag as deprecated', () => {
      for (const f of ['parse_json', 'todynamic', 'replace', 'tostring', 'iff', 'isnotempty', 'extract', 'strcat', 'bin', 'parsejson', 'materialize', 'toscalar']) {
        expectScopes(`print x = ${f}(y)`, f, 'support.function.kql');
        expectNoScope(`print x = ${f}(y)`, f, 'invalid');
      }
    });

    it('aggregation functions', () => {
      for (const f of ['count', 'countif', 'dcount', 'dcountif', 'sum', 'avg', 'min', 'max', 'arg_max', 'arg_min', 'make_set', 'make_list', 'makeset', 'makelist', 'any', 'take_any', 'percentile']) {
        expectScopes(`T | summarize ${f}(x) by y`, f, 'support.function.aggregation.kql');
      }
      expectNoScope('T | summarize any(x)', 'any', 'invalid');
    });

    it('the ( after a function name', () => {
      expectScopes('print tolower (x)', '(', 'punctuation.section.parens.begin.kql');
      expectScopes('print tolower (x)', ')', 'punctuation.section.parens.end.kql');
    });

    it('user-defined and unknown functions', () => {
      expectScopes('MyFunction(1) | take 1', 'MyFunction', 'entity.name.function.kql');
      expectScopes('print my_func (x)', 'my_func', 'entity.name.function.kql');
    });
  });

  describe('literals', () => {
    it('timespans: 1d 4h 15m 1.5d 100ms 10tick 30min, composite 4h15m', () => {
      for (const ts of ['1d', '4h', '15m', '1.5d', '100ms', '10tick', '30min', '2hours', '5seconds', '4h15m']) {
        expectScopes(`print ago(${ts})`, ts, 'constant.numeric.timespan.kql');
      }
      expectScopes('| where t between (0min..3min)', '3min', 'constant.numeric.timespan.kql');
      expectScopes('| where t between (0min..3min)', '..', 'keyword.operator.range.kql');
    });

    it('datetime(...), timespan(...), guid(...) literals', () => {
      expectScopes('print datetime(2024-01-01T10:00:00Z)', 'datetime', 'storage.type.kql');
      expectScopes('print datetime(2024-01-01T10:00:00Z)', '2024-01-01T10:00:00Z', 'constant.numeric.datetime.kql');
      expectScopes('print datetime(2024-01-01 10:00)', '2024-01-01 10:00', 'constant.numeric.datetime.kql');
      expectScopes('print datetime(null)', 'null', 'constant.language.null.kql');
      expectScopes('print timespan(1.02:03:04)', '1.02:03:04', 'constant.numeric.timespan.kql');
      expectScopes('print guid(74be27de-1e4e-49d9-b579-fe0b331d3642)', '74be27de-1e4e-49d9-b579-fe0b331d3642', 'constant.other.guid.kql');
      expectScopes('print todatetime(x)', 'todatetime', 'support.function.kql');
    });

    it('numbers', () => {
      expectScopes('print 42', '42', 'constant.numeric.integer.kql');
      expectScopes('print 1.5', '1.5', 'constant.numeric.decimal.kql');
      expectScopes('print 1e5', '1e5', 'constant.numeric.decimal.kql');
      expectScopes('print .5', '.5', 'constant.numeric.decimal.kql');
      expectScopes('print 0x1F', '0x1F', 'constant.numeric.hex.kql');
      expectScopes('print x - 1', '-', 'keyword.operator.arithmetic.kql');
    });

    it('true, false, null', () => {
      expectScopes('print true', 'true', 'constant.language.boolean.kql');
      expectScopes('print false', 'false', 'constant.language.boolean.kql');
      expectScopes('print null', 'null', 'constant.language.null.kql');
    });

    it('dynamic literals: arrays, property bags, nested values', () => {
      const src = 'print d = dynamic({"a": [1, 2.5, true, null], "b": "x"})';
      expectScopes(src, 'dynamic', 'storage.type.kql');
      expectScopes(src, '{', 'punctuation.section.braces.begin.kql');
      expectScopes(src, 'a', 'string.quoted.double.kql');
      expectScopes(src, ':', 'punctuation.separator.colon.kql');
      expectScopes(src, '[', 'punctuation.section.brackets.begin.kql');
      expectScopes(src, '2.5', 'constant.numeric.decimal.kql');
      expectScopes(src, 'true', 'constant.language.boolean.kql');
      expectScopes(src, ']', 'punctuation.section.brackets.end.kql');
      expectScopes(src, '}', 'punctuation.section.braces.end.kql');
      expectScopes("where x in (dynamic(['a', 'b']))", 'a', 'string.quoted.single.kql');
    });

    it('types', () => {
      for (const t of ['string', 'int', 'long', 'dynamic', 'datetime', 'timespan', 'bool', 'real', 'decimal', 'guid']) {
        expectScopes(`let T = datatable(c:${t}) [];`, t, 'storage.type.kql');
      }
      expectScopes('print int(null)', 'int', 'storage.type.kql');
      expectScopes('T | mv-expand x to typeof(long)', 'long', 'storage.type.kql');
      expectScopes('T | mv-expand x to typeof(double), y to typeof(time)', 'double', 'storage.type.kql');
      expectScopes('T | mv-expand x to typeof(double), y to typeof(time)', 'time', 'storage.type.kql');
      expectScopes('T | parse x with * "u=" User:string', 'string', 'storage.type.kql');
    });
  });

  describe('names', () => {
    it('Defender tables are known, other identifiers are columns', () => {
      for (const t of ['DeviceProcessEvents', 'DeviceEvents', 'EmailEvents', 'IdentityLogonEvents', 'AlertInfo', 'AADSignInEventsBeta', 'CloudAppEvents', 'UrlClickEvents']) {
        expectScopes(`${t} | take 1`, t, 'support.class.table.defender.kql');
      }
      expectScopes('SecurityEvent | take 1', 'SecurityEvent', 'variable.other.column.kql');
      expectScopes('DeviceEventsX | take 1', 'DeviceEventsX', 'variable.other.column.kql');
      expectScopes('T | where ProcessCommandLine has "x"', 'ProcessCommandLine', 'variable.other.column.kql');
      expectScopes('T | project 5Minutebin', '5Minutebin', 'variable.other.column.kql');
    });

    it('$left / $right', () => {
      const src = 'A | join B on $left.DeviceId == $right.DeviceId';
      expectScopes(src, 'left', 'variable.language.kql');
      expectScopes(src, '$', ['variable.language.kql', 'punctuation.definition.variable.kql'], 0);
      expectScopes(src, 'right', 'variable.language.kql');
      expectScopes(src, '.', 'punctuation.accessor.kql', 0);
      expectScopes(src, 'DeviceId', 'variable.other.property.kql', 0);
    });

    it("bracketed names ['..'] and [\"..\"]; an index x['key'] stays a string", () => {
      const src = `T | project ['Column name'], ["Other"]`;
      expectScopes(src, 'Column name', ['meta.name.bracketed.kql', 'variable.other.column.kql']);
      expectScopes(src, '[', 'punctuation.definition.name.begin.kql', 0);
      expectScopes(src, ']', 'punctuation.definition.name.end.kql', 0);
      expectScopes(src, 'Other', 'variable.other.column.kql');
      expectScopes(`T | extend v = bag['key']`, 'key', 'string.quoted.single.kql');
      expectScopes(`T | extend v = bag['key']`, '[', 'punctuation.section.brackets.begin.kql');
      expectScopes(`let ['my table'] = 1;`, `['my table']`, 'entity.name.variable.kql');
    });

    it('member access', () => {
      expectScopes('T | extend s = Parsed.Size', 'Size', 'variable.other.property.kql');
      expectScopes('T | extend s = Parsed.Size', '.', 'punctuation.accessor.kql');
      expectScopes('T | extend s = a.b[0].c', 'c', 'variable.other.property.kql');
    });
  });

  describe('operators and punctuation', () => {
    it('comparison and arithmetic', () => {
      for (const op of ['==', '!=', '<>', '<', '<=', '>', '>=', '=~', '!~']) {
        expectScopes(`T | where a ${op} b`, op, 'keyword.operator.comparison.kql');
      }
      for (const op of ['+', '-', '*', '/', '%']) {
        expectScopes(`T | extend c = a ${op} b`, op, 'keyword.operator.arithmetic.kql');
      }
      expectScopes('T | extend c=a', '=', 'keyword.operator.assignment.kql');
      expectScopes('T | where a=~"x"', '=~', 'keyword.operator.comparison.kql');
    });

    it('string operators, negated and case-sensitive forms', () => {
      for (const op of ['has', 'has_cs', 'contains', 'contains_cs', 'startswith', 'startswith_cs', 'endswith', 'hasprefix', 'hassuffix', 'has_any', 'has_all']) {
        expectScopes(`T | where a ${op} "x"`, op, 'keyword.operator.string.kql');
      }
      for (const op of ['!has', '!has_cs', '!contains', '!contains_cs', '!startswith', '!endswith', '!in', '!in~', '!between']) {
        expectScopes(`T | where a ${op} ("x")`, op, 'keyword.operator.negated.kql');
      }
      expectScopes('T | where a matches regex "x"', 'matches regex', 'keyword.operator.string.kql');
      expectScopes('T | where a has_any ("x")', '(', 'punctuation.section.parens.begin.kql');
    });

    it('in, in~, between, and / or / not', () => {
      expectScopes('T | where a in ("x")', 'in', 'keyword.operator.set.kql');
      expectScopes('T | where a in~ ("x")', 'in~', 'keyword.operator.set.kql');
      expectScopes('T | where a between (1 .. 5)', 'between', 'keyword.operator.range.kql');
      expectScopes('T | where a between (1 .. 5)', '..', 'keyword.operator.range.kql');
      for (const op of ['and', 'or', 'not']) expectScopes(`T | where a and b or not(c)`, op, 'keyword.operator.logical.kql');
    });

    it(', ; ( ) [ ] { } | . :', () => {
      const src = 'let a = dynamic({"k": [1]}); T | project b, c.d';
      expectScopes(src, ',', 'punctuation.separator.comma.kql');
      expectScopes(src, ';', 'punctuation.terminator.statement.kql');
      expectScopes(src, '(', 'punctuation.section.parens.begin.kql');
      expectScopes(src, ')', 'punctuation.section.parens.end.kql');
      expectScopes(src, '[', 'punctuation.section.brackets.begin.kql');
      expectScopes(src, ']', 'punctuation.section.brackets.end.kql');
      expectScopes(src, '{', 'punctuation.section.braces.begin.kql');
      expectScopes(src, '}', 'punctuation.section.braces.end.kql');
      expectScopes(src, '|', 'punctuation.separator.pipe.kql');
      expectScopes(src, '.', 'punctuation.accessor.kql');
      expectScopes(src, ':', 'punctuation.separator.colon.kql');
    });

    it('an identifier followed by , ) = keeps both scopes', () => {
      const src = 'T | summarize by a, b | extend c=(d) | project e';
      expectScopes(src, 'a', 'variable.other.column.kql');
      expectScopes(src, ',', 'punctuation.separator.comma.kql');
      expectScopes(src, 'c', 'variable.other.column.kql');
      expectScopes(src, '=', 'keyword.operator.assignment.kql');
      expectScopes(src, 'd', 'variable.other.column.kql');
      expectScopes(src, ')', 'punctuation.section.parens.end.kql');
    });
  });

  it('a realistic hunting query has no token left with only the root scope, and nothing invalid', () => {
    const src = [
      'let MaxAge = ago(7d);',
      '// processes that download with certutil',
      'DeviceProcessEvents',
      '| where Timestamp > MaxAge and FileName =~ "certutil.exe"',
      "| where ProcessCommandLine has_any ('-urlcache', @'-split') and not(ProcessCommandLine contains h'x')",
      '| extend Fields = parse_json(AdditionalFields), Url = extract(@"(https?://\\S+)", 1, ProcessCommandLine)',
      '| join kind=inner (DeviceNetworkEvents | project DeviceId, RemoteUrl) on $left.DeviceId == $right.DeviceId',
      '| summarize Count = count(), Urls = make_set(RemoteUrl, 100) by DeviceName, bin(Timestamp, 1h)',
      '| project-reorder Timestamp, ["DeviceName"]',
      '| top 10 by Count desc',
    ].join('\n');
    const tokens = tokenize(grammar, src).filter((t) => t.text.trim());
    const bare = tokens.filter((t) => t.scopes.length <= 1);
    assert.deepStrictEqual(bare.map((t) => t.text), [], 'tokens with only the root scope');
    assert.deepStrictEqual(tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid'))).map((t) => t.text), []);
  });
});
