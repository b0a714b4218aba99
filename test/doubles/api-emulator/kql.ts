/**
 * A deliberately tiny KQL evaluator for the API emulator. It is honest about its size: it evaluates the
 * shapes the troubleshooting snippets use (a table, `let` scalars, `where` with comparisons / contains / has /
 * ago() windows / and / or, `extend` with parse_json, `project` with dotted paths, `summarize` with count()
 * and arg_max(), `order by`, `take`, `top`, `count`, `distinct`) and answers anything else with a clear
 * "not implemented by the emulator" error. Malformed KQL (unbalanced brackets, unterminated strings, a
 * query that starts with `|`, an unknown operator) gets a syntax error that names the token and its
 * position the way Kusto's parser does: `Query could not be parsed at '<token>' on line [line,pos]`
 * (line 1-based, pos 0-based). An unknown table or column gets Kusto's semantic error. For "Refresh KQL
 * Schema" it also answers `<Table> | getschema` (directly after a table only) and `union [isfuzzy=true|false]`
 * over parenthesized queries (the product's `(T | getschema | extend TableName = "T")` legs).
 */
import { KNOWN_TABLES, TABLE_COLUMNS, type KqlType } from './schema';

export class KqlError extends Error {
  constructor(
    readonly kind: 'syntax' | 'semantic' | 'unsupported',
    message: string,
    readonly line?: number,
    readonly pos?: number,
    readonly token?: string,
  ) {
    super(message);
  }
}

/**
 * `T | getschema` for a table the emulator knows by name but has no column list for (schema.ts): it cannot
 * answer honestly. Alone that is a 400; a fuzzy union leaves the leg out, as for a table the tenant lacks.
 */
export class NoColumnListError extends KqlError {
  constructor(table: string, tok: { line: number; pos: number }) {
    super(
      'unsupported',
      `The API emulator does not know the columns of '${table}'; getschema works for ${Object.keys(TABLE_COLUMNS).join(', ')}.`,
      tok.line,
      tok.pos,
      table,
    );
  }
}

export class Span {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | Date | Span | null | Record<string, unknown> | unknown[];

export interface Column {
  readonly name: string;
  readonly type: KqlType;
}

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly Record<string, Value>[];
}

export interface EvalContext {
  readonly now: number;
  /** Rows of a table, already narrowed to the request's timespan; undefined for a table without data. */
  table(name: string): Table | undefined;
}

// ---------------------------------------------------------------- lexer

type TokKind = 'ident' | 'string' | 'number' | 'span' | 'op' | 'eof';
interface Tok {
  readonly kind: TokKind;
  readonly text: string;
  readonly value?: string | number;
  readonly line: number;
  readonly pos: number;
  readonly offset: number;
}

const SPAN_UNITS: Record<string, number> = {
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
};

const OPS = ['==', '!=', '=~', '!~', '>=', '<=', '>', '<', '=', '|', ',', '(', ')', '[', ']', '{', '}', '.', ';', '+', '-', '*', '/', ':'];

function parseError(tok: { text: string; line: number; pos: number }): KqlError {
  const shown = tok.text === '' ? '<EOF>' : tok.text;
  return new KqlError(
    'syntax',
    `Query could not be parsed at '${shown}' on line [${tok.line},${tok.pos}]`,
    tok.line,
    tok.pos,
    shown,
  );
}

export function lex(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (offset: number) => ({ line, pos: offset - lineStart, offset });
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = at(i);
    // Strings: "..." '...' with backslash escapes; @"..." @'...' verbatim.
    if (c === '"' || c === "'" || (c === '@' && (text[i + 1] === '"' || text[i + 1] === "'"))) {
      const verbatim = c === '@';
      const quote = verbatim ? text[i + 1]! : c;
      let j = i + (verbatim ? 2 : 1);
      let value = '';
      let closed = false;
      while (j < text.length) {
        const ch = text[j]!;
        if (ch === '\n') break;
        if (!verbatim && ch === '\\' && j + 1 < text.length) {
          const nx = text[j + 1]!;
          value += nx === 'n' ? '\n' : nx === 't' ? '\t' : nx;
          j += 2;
          continue;
        }
        if (ch === quote) {
          if (verbatim && text[j + 1] === quote) {
            value += quote;
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        value += ch;
        j++;
      }
      if (!closed) throw parseError({ text: text.slice(i, Math.min(j, i + 20)), ...start });
      toks.push({ kind: 'string', text: text.slice(i, j), value, ...start });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < text.length && /[0-9.]/.test(text[j]!)) j++;
      const num = Number(text.slice(i, j));
      let k = j;
      while (k < text.length && /[a-z]/i.test(text[k]!)) k++;
      const unit = text.slice(j, k).toLowerCase();
      if (unit && SPAN_UNITS[unit] !== undefined) {
        toks.push({ kind: 'span', text: text.slice(i, k), value: num * SPAN_UNITS[unit]!, ...start });
        i = k;
        continue;
      }
      if (unit) throw parseError({ text: text.slice(i, k), ...start });
      toks.push({ kind: 'number', text: text.slice(i, j), value: num, ...start });
      i = j;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_$-]/.test(text[j]!)) {
        // Hyphens belong to names like project-away / has_any? only when followed by a letter.
        if (text[j] === '-' && !/[a-z]/.test(text[j + 1] ?? '')) break;
        j++;
      }
      const word = text.slice(i, j);
      // Operator words with a leading bang are lexed below; plain words here.
      toks.push({ kind: 'ident', text: word, value: word, ...start });
      i = j;
      continue;
    }
    if (c === '!' && /[a-z]/i.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z_]/.test(text[j]!)) j++;
      toks.push({ kind: 'op', text: text.slice(i, j), ...start });
      i = j;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw parseError({ text: c, ...start });
    toks.push({ kind: 'op', text: op, ...start });
    i += op.length;
  }
  toks.push({ kind: 'eof', text: '', ...at(text.length) });
  return toks;
}

/** Brackets must balance; the error points at the first one that does not. */
export function checkBrackets(toks: readonly Tok[]): void {
  const stack: Tok[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const t of toks) {
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') stack.push(t);
    else if (pairs[t.text]) {
      const open = stack.pop();
      if (!open || open.text !== pairs[t.text]) throw parseError(t);
    }
  }
  // An opening bracket that never closes: point at it, which is where the user has to look.
  if (stack.length > 0) throw parseError(stack[stack.length - 1]!);
}

// ---------------------------------------------------------------- expressions

type Expr =
  | { k: 'lit'; v: Value; type: KqlType }
  | { k: 'col'; name: string; tok: Tok }
  | { k: 'path'; base: Expr; key: string }
  | { k: 'call'; fn: string; args: Expr[]; tok: Tok }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'in'; neg: boolean; ci: boolean; a: Expr; list: Expr[] }
  | { k: 'star' };

const KQL_OPERATORS = new Set([
  'where', 'filter', 'extend', 'project', 'project-away', 'project-keep', 'project-rename', 'project-reorder',
  'summarize', 'order', 'sort', 'take', 'limit', 'top', 'count', 'distinct', 'join', 'union', 'mv-expand',
  'parse', 'evaluate', 'render', 'lookup', 'make-series', 'invoke', 'as', 'serialize', 'search', 'sample',
  'getschema', 'top-nested', 'extend-keep', 'find', 'fork', 'facet', 'partition', 'scan', 'externaldata',
]);

const COMPARE_WORDS = new Set([
  'contains', '!contains', 'contains_cs', '!contains_cs', 'has', '!has', 'has_cs', '!has_cs', 'startswith',
  '!startswith', 'endswith', '!endswith', 'in', '!in', 'in~', 'matches', 'has_any',
]);

class Parser {
  i = 0;
  constructor(
    readonly toks: readonly Tok[],
    readonly end: number,
  ) {}
  peek(o = 0): Tok {
    return this.toks[Math.min(this.i + o, this.end)]!;
  }
  atEnd(): boolean {
    return this.i >= this.end;
  }
  next(): Tok {
    const t = this.peek();
    if (!this.atEnd()) this.i++;
    return t;
  }
  isOp(text: string): boolean {
    const t = this.peek();
    return !this.atEnd() && t.kind === 'op' && t.text === text;
  }
  isWord(word: string): boolean {
    const t = this.peek();
    return !this.atEnd() && t.kind === 'ident' && t.text.toLowerCase() === word;
  }
  expectOp(text: string): Tok {
    if (!this.isOp(text)) throw parseError(this.peek());
    return this.next();
  }
  ident(): Tok {
    const t = this.peek();
    if (this.atEnd() || t.kind !== 'ident') throw parseError(t);
    return this.next();
  }

  expr(): Expr {
    return this.or();
  }
  or(): Expr {
    let a = this.and();
    while (this.isWord('or')) {
      this.next();
      a = { k: 'bin', op: 'or', a, b: this.and() };
    }
    return a;
  }
  and(): Expr {
    let a = this.cmp();
    while (this.isWord('and')) {
      this.next();
      a = { k: 'bin', op: 'and', a, b: this.cmp() };
    }
    return a;
  }
  cmp(): Expr {
    const a = this.add();
    const t = this.peek();
    if (this.atEnd()) return a;
    if (t.kind === 'op' && ['==', '!=', '=~', '!~', '>', '<', '>=', '<='].includes(t.text)) {
      this.next();
      return { k: 'bin', op: t.text, a, b: this.add() };
    }
    const word = t.text.toLowerCase();
    if ((t.kind === 'ident' || t.kind === 'op') && COMPARE_WORDS.has(word)) {
      this.next();
      if (word === 'in' || word === '!in' || word === 'has_any') {
        let ci = false;
        if (this.isOp('~')) {
          this.next();
          ci = true;
        }
        this.expectOp('(');
        const list: Expr[] = [];
        while (!this.isOp(')')) {
          list.push(this.add());
          if (this.isOp(',')) this.next();
          else break;
        }
        this.expectOp(')');
        return { k: 'in', neg: word === '!in', ci: ci || word === 'has_any', a, list };
      }
      if (word === 'matches') {
        if (!this.isWord('regex')) throw parseError(this.peek());
        this.next();
        return { k: 'bin', op: 'matches', a, b: this.add() };
      }
      return { k: 'bin', op: word, a, b: this.add() };
    }
    return a;
  }
  add(): Expr {
    let a = this.postfix();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text;
      a = { k: 'bin', op, a, b: this.postfix() };
    }
    return a;
  }
  postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const key = this.ident();
        e = { k: 'path', base: e, key: key.text };
      } else if (this.isOp('[') && e.k !== 'lit') {
        this.next();
        const keyTok = this.next();
        if (keyTok.kind !== 'string' && keyTok.kind !== 'number') throw parseError(keyTok);
        this.expectOp(']');
        e = { k: 'path', base: e, key: String(keyTok.value) };
      } else {
        return e;
      }
    }
  }
  primary(): Expr {
    const t = this.peek();
    if (this.atEnd()) throw parseError(t);
    if (t.kind === 'string') {
      this.next();
      return { k: 'lit', v: t.value as string, type: 'string' };
    }
    if (t.kind === 'number') {
      this.next();
      return { k: 'lit', v: t.value as number, type: Number.isInteger(t.value) ? 'long' : 'real' };
    }
    if (t.kind === 'span') {
      this.next();
      return { k: 'lit', v: new Span(t.value as number), type: 'timespan' };
    }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.kind === 'op' && t.text === '*') {
      this.next();
      return { k: 'star' };
    }
    if (t.kind === 'op' && t.text === '-') {
      this.next();
      const inner = this.primary();
      return { k: 'bin', op: '-', a: { k: 'lit', v: 0, type: 'long' }, b: inner };
    }
    if (t.kind === 'op' && t.text === '[') {
      // ['Column name']
      this.next();
      const name = this.next();
      if (name.kind !== 'string') throw parseError(name);
      this.expectOp(']');
      return { k: 'col', name: name.value as string, tok: name };
    }
    if (t.kind === 'ident') {
      this.next();
      const lower = t.text.toLowerCase();
      if (lower === 'true' || lower === 'false') return { k: 'lit', v: lower === 'true', type: 'bool' };
      if (this.isOp('(')) {
        this.next();
        if (lower === 'datetime') {
          // datetime(2024-01-01 10:00): the raw text up to the closing bracket
          let raw = '';
          let prevEnd = -1;
          while (!this.isOp(')')) {
            if (this.atEnd()) throw parseError(this.peek());
            const part = this.next();
            raw += (prevEnd >= 0 && part.offset > prevEnd ? ' ' : '') + (part.kind === 'string' ? String(part.value) : part.text);
            prevEnd = part.offset + part.text.length;
          }
          this.expectOp(')');
          const when = Date.parse(raw);
          if (Number.isNaN(when)) throw new KqlError('semantic', `datetime(): cannot read '${raw}' as a date`);
          return { k: 'lit', v: new Date(when), type: 'datetime' };
        }
        const args: Expr[] = [];
        while (!this.isOp(')')) {
          args.push(this.expr());
          if (this.isOp(',')) this.next();
          else break;
        }
        this.expectOp(')');
        return { k: 'call', fn: lower, args, tok: t };
      }
      return { k: 'col', name: t.text, tok: t };
    }
    throw parseError(t);
  }
}

// ---------------------------------------------------------------- evaluation

type Row = Record<string, Value>;

function truthy(v: Value): boolean {
  return v === true;
}

function str(v: Value): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return iso(v);
  if (v instanceof Span) return `${v.ms}ms`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function iso(d: Date): string {
  // Kusto prints 7 fractional digits.
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function cmpValues(a: Value, b: Value): number | undefined {
  if (a === null || b === null || a === undefined || b === undefined) return undefined;
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : Date.parse(str(a));
    const y = b instanceof Date ? b.getTime() : Date.parse(str(b));
    if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
    return x - y;
  }
  if (a instanceof Span && b instanceof Span) return a.ms - b.ms;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
    return x - y;
  }
  return str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0;
}

function hasTerm(hay: string, term: string, cs: boolean): boolean {
  const h = cs ? hay : hay.toLowerCase();
  const t = cs ? term : term.toLowerCase();
  if (!t) return true;
  let idx = h.indexOf(t);
  while (idx >= 0) {
    const before = idx === 0 ? '' : h[idx - 1]!;
    const after = h[idx + t.length] ?? '';
    if (!/[A-Za-z0-9]/.test(before) && !/[A-Za-z0-9]/.test(after)) return true;
    idx = h.indexOf(t, idx + 1);
  }
  return false;
}

class Evaluator {
  constructor(
    readonly ctx: EvalContext,
    readonly lets: Map<string, Value>,
  ) {}

  typeOf(e: Expr, cols: readonly Column[]): KqlType {
    switch (e.k) {
      case 'lit':
        return e.type;
      case 'col': {
        const c = cols.find((x) => x.name === e.name);
        if (c) return c.type;
        const v = this.lets.get(e.name);
        return v instanceof Date ? 'datetime' : typeof v === 'number' ? 'long' : 'string';
      }
      case 'path':
        return 'dynamic';
      case 'call':
        switch (e.fn) {
          case 'ago':
          case 'now':
          case 'todatetime':
          case 'startofday':
          case 'bin':
            return e.fn === 'bin' ? this.typeOf(e.args[0]!, cols) : 'datetime';
          case 'parse_json':
          case 'todynamic':
          case 'pack':
          case 'bag_pack':
            return 'dynamic';
          case 'tostring':
          case 'strcat':
          case 'tolower':
          case 'toupper':
            return 'string';
          case 'tolong':
          case 'toint':
          case 'strlen':
          case 'count':
          case 'dcount':
            return 'long';
          case 'isnotempty':
          case 'isempty':
          case 'isnull':
          case 'isnotnull':
          case 'not':
            return 'bool';
          default:
            return 'string';
        }
      case 'bin':
        if (['+', '-'].includes(e.op)) return this.typeOf(e.a, cols);
        return 'bool';
      case 'in':
        return 'bool';
      default:
        return 'string';
    }
  }

  checkColumns(e: Expr, cols: readonly Column[], operator: string): void {
    const visit = (x: Expr): void => {
      switch (x.k) {
        case 'col':
          if (!cols.some((c) => c.name === x.name) && !this.lets.has(x.name)) {
            throw new KqlError(
              'semantic',
              `'${operator}' operator: Failed to resolve scalar expression named '${x.name}'`,
              x.tok.line,
              x.tok.pos,
              x.name,
            );
          }
          return;
        case 'path':
          return visit(x.base);
        case 'call':
          return x.args.forEach(visit);
        case 'bin':
          visit(x.a);
          return visit(x.b);
        case 'in':
          visit(x.a);
          return x.list.forEach(visit);
        default:
          return;
      }
    };
    visit(e);
  }

  eval(e: Expr, row: Row): Value {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'star':
        return null;
      case 'col':
        return e.name in row ? row[e.name]! : (this.lets.get(e.name) ?? null);
      case 'path': {
        let base = this.eval(e.base, row);
        if (typeof base === 'string') {
          try {
            base = JSON.parse(base) as Value;
          } catch {
            return null;
          }
        }
        if (base && typeof base === 'object' && !(base instanceof Date) && !(base instanceof Span)) {
          const v = (base as Record<string, unknown>)[e.key];
          return v === undefined ? null : (v as Value);
        }
        return null;
      }
      case 'call':
        return this.call(e, row);
      case 'in': {
        const v = this.eval(e.a, row);
        const items = e.list.map((x) => this.eval(x, row));
        const found = items.some((it) =>
          e.ci ? str(it).toLowerCase() === str(v).toLowerCase() : cmpValues(v, it) === 0,
        );
        return e.neg ? !found : found;
      }
      case 'bin':
        return this.binary(e.op, e.a, e.b, row);
    }
  }

  private binary(op: string, ea: Expr, eb: Expr, row: Row): Value {
    if (op === 'and') return truthy(this.eval(ea, row)) && truthy(this.eval(eb, row));
    if (op === 'or') return truthy(this.eval(ea, row)) || truthy(this.eval(eb, row));
    const a = this.eval(ea, row);
    const b = this.eval(eb, row);
    const neg = op.startsWith('!') && op !== '!=' && op !== '!~';
    const base = neg ? op.slice(1) : op;
    let r: boolean;
    switch (base) {
      case '+':
      case '-': {
        const sign = base === '+' ? 1 : -1;
        if (a instanceof Date && b instanceof Span) return new Date(a.getTime() + sign * b.ms);
        if (a instanceof Date && b instanceof Date && sign < 0) return new Span(a.getTime() - b.getTime());
        if (a instanceof Span && b instanceof Span) return new Span(a.ms + sign * b.ms);
        if (typeof a === 'number' && typeof b === 'number') return a + sign * b;
        if (typeof a === 'number' && b instanceof Span) return new Span(a + sign * b.ms);
        return null;
      }
      case '==':
        r = cmpValues(a, b) === 0 && (typeof a !== 'string' || typeof b !== 'string' || a === b);
        break;
      case '!=':
        r = !(cmpValues(a, b) === 0 && (typeof a !== 'string' || typeof b !== 'string' || a === b));
        if (a === null || b === null) r = a !== b;
        break;
      case '=~':
        r = str(a).toLowerCase() === str(b).toLowerCase();
        break;
      case '!~':
        r = str(a).toLowerCase() !== str(b).toLowerCase();
        break;
      case '>':
      case '<':
      case '>=':
      case '<=': {
        const c = cmpValues(a, b);
        if (c === undefined) return false;
        r = base === '>' ? c > 0 : base === '<' ? c < 0 : base === '>=' ? c >= 0 : c <= 0;
        break;
      }
      case 'contains':
        r = a !== null && str(a).toLowerCase().includes(str(b).toLowerCase());
        break;
      case 'contains_cs':
        r = a !== null && str(a).includes(str(b));
        break;
      case 'has':
        r = a !== null && hasTerm(str(a), str(b), false);
        break;
      case 'has_cs':
        r = a !== null && hasTerm(str(a), str(b), true);
        break;
      case 'startswith':
        r = a !== null && str(a).toLowerCase().startsWith(str(b).toLowerCase());
        break;
      case 'endswith':
        r = a !== null && str(a).toLowerCase().endsWith(str(b).toLowerCase());
        break;
      case 'matches':
        r = a !== null && new RegExp(str(b)).test(str(a));
        break;
      default:
        throw new KqlError('unsupported', `The API emulator does not implement the '${op}' operator.`);
    }
    return neg ? !r : r;
  }

  private call(e: Extract<Expr, { k: 'call' }>, row: Row): Value {
    const arg = (i: number) => (e.args[i] ? this.eval(e.args[i]!, row) : null);
    switch (e.fn) {
      case 'ago': {
        const s = arg(0);
        return s instanceof Span ? new Date(this.ctx.now - s.ms) : null;
      }
      case 'now':
        return new Date(this.ctx.now);
      case 'todatetime': {
        const v = arg(0);
        if (v instanceof Date) return v;
        const t = Date.parse(str(v));
        return Number.isNaN(t) ? null : new Date(t);
      }
      case 'parse_json':
      case 'todynamic': {
        const v = arg(0);
        if (typeof v !== 'string') return v;
        try {
          return JSON.parse(v) as Value;
        } catch {
          return v;
        }
      }
      case 'tostring': {
        const v = arg(0);
        return v === null ? '' : str(v);
      }
      case 'tolower':
        return str(arg(0)).toLowerCase();
      case 'toupper':
        return str(arg(0)).toUpperCase();
      case 'strcat':
        return e.args.map((_, i) => str(arg(i))).join('');
      case 'strlen':
        return str(arg(0)).length;
      case 'tolong':
      case 'toint': {
        const n = Number(str(arg(0)));
        return Number.isFinite(n) ? Math.trunc(n) : null;
      }
      case 'isnotempty':
        return str(arg(0)) !== '';
      case 'isempty':
        return str(arg(0)) === '';
      case 'isnull':
        return arg(0) === null;
      case 'isnotnull':
        return arg(0) !== null;
      case 'not':
        return !truthy(arg(0));
      default:
        throw new KqlError(
          'unsupported',
          `The API emulator does not implement the function '${e.fn}()'.`,
          e.tok.line,
          e.tok.pos,
          e.fn,
        );
    }
  }
}

/** Kusto's default name for a projected expression: a.b.c → a_b_c. */
function defaultName(e: Expr, index: number): string {
  if (e.k === 'col') return e.name;
  if (e.k === 'path') {
    const base = defaultName(e.base, index);
    return `${base}_${e.key}`;
  }
  return `Column${index + 1}`;
}

// ---------------------------------------------------------------- pipeline

export interface QueryResult {
  readonly columns: Column[];
  readonly rows: Row[];
}

/** Splits token indices [from, to) at top-level `sep` operators. */
function splitTop(toks: readonly Tok[], from: number, to: number, sep: string): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const t = toks[i]!;
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (t.text === sep && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

export function runQuery(query: string, ctx: EvalContext): QueryResult {
  const toks = lex(query);
  checkBrackets(toks);
  const eofIndex = toks.length - 1;
  const statements = splitTop(toks, 0, eofIndex, ';').filter(([a, b]) => b > a);
  if (statements.length === 0) throw parseError(toks[eofIndex]!);
  const lets = new Map<string, Value>();
  const ev = new Evaluator(ctx, lets);
  let result: QueryResult | undefined;
  for (const [from, to] of statements) {
    const first = toks[from]!;
    if (first.kind === 'ident' && first.text === 'let') {
      const p = new Parser(toks, to);
      p.i = from + 1;
      const name = p.ident();
      p.expectOp('=');
      const expr = p.expr();
      if (!p.atEnd()) throw parseError(p.peek());
      if (expr.k === 'col' && ctx.table(expr.name) !== undefined) {
        throw new KqlError('unsupported', 'The API emulator does not implement tabular let statements.');
      }
      lets.set(name.text, ev.eval(expr, {}));
      continue;
    }
    if (result) throw new KqlError('unsupported', 'The API emulator runs one tabular expression per query.');
    result = runPipeline(toks, from, to, ev);
  }
  if (!result) throw parseError(toks[eofIndex]!);
  return result;
}

function runPipeline(toks: readonly Tok[], from: number, to: number, ev: Evaluator): QueryResult {
  const stages = splitTop(toks, from, to, '|');
  const [s0, e0] = stages[0]!;
  if (e0 <= s0) throw parseError(toks[s0]!); // a query that starts with '|'
  const source = toks[s0]!;
  if (source.kind !== 'ident') throw parseError(source);
  let rest = stages.slice(1);
  let cols: Column[];
  let rows: Row[];
  if (source.text === 'union' && e0 - s0 > 1) {
    ({ columns: cols, rows } = runUnion(toks, s0 + 1, e0, ev));
  } else {
    if (e0 - s0 > 1) throw parseError(toks[s0 + 1]!);
    const tableName = source.text;
    if (!KNOWN_TABLES.includes(tableName)) {
      throw new KqlError(
        'semantic',
        `Failed to resolve table or column expression named '${tableName}'`,
        source.line,
        source.pos,
        tableName,
      );
    }
    const first = rest[0];
    if (first && first[1] - first[0] === 1 && toks[first[0]]!.kind === 'ident' && toks[first[0]]!.text === 'getschema') {
      // `T | getschema` describes the table itself: from the column list, without reading its rows.
      ({ columns: cols, rows } = getschema(tableName, source));
      rest = rest.slice(1);
    } else {
      const table = ev.ctx.table(tableName) ?? { columns: [{ name: 'Timestamp', type: 'datetime' as const }], rows: [] };
      cols = [...table.columns];
      rows = table.rows as Row[];
    }
  }
  for (const [s, e] of rest) {
    if (e <= s) throw parseError(toks[s]!);
    const p = new Parser(toks, e);
    p.i = s;
    const opTok = p.ident();
    const op = opTok.text.toLowerCase();
    const next = applyOperator(op, opTok, p, ev, cols, rows);
    cols = next.columns;
    rows = next.rows;
    if (!p.atEnd()) throw parseError(p.peek());
  }
  return { columns: cols, rows };
}

/** .NET type names, as `getschema`'s DataType gives them (Kusto stores bool as SByte). */
const DOTNET_TYPES: Record<KqlType, string> = {
  string: 'System.String',
  datetime: 'System.DateTime',
  long: 'System.Int64',
  int: 'System.Int32',
  bool: 'System.SByte',
  dynamic: 'System.Object',
  real: 'System.Double',
  guid: 'System.Guid',
  timespan: 'System.TimeSpan',
};

/** `T | getschema`: one row per column, with Kusto's four columns. */
function getschema(table: string, tok: Tok): QueryResult {
  const known = TABLE_COLUMNS[table];
  if (!known) throw new NoColumnListError(table, tok);
  return {
    columns: [
      { name: 'ColumnName', type: 'string' },
      { name: 'ColumnOrdinal', type: 'int' },
      { name: 'DataType', type: 'string' },
      { name: 'ColumnType', type: 'string' },
    ],
    rows: known.map(([name, type], i) => ({ ColumnName: name, ColumnOrdinal: i, DataType: DOTNET_TYPES[type], ColumnType: type })),
  };
}

/**
 * `union [isfuzzy=true|false] (query), (query)…`: the legs' rows one after the other, columns by name in the
 * order they first appear (Kusto's default outer union). With isfuzzy=true a leg whose table does not resolve
 * is left out, and the query fails only when no leg resolves. Bare table legs, other parameters and legs that
 * disagree on a column's type are not implemented.
 */
function runUnion(toks: readonly Tok[], from: number, to: number, ev: Evaluator): QueryResult {
  let i = from;
  let fuzzy = false;
  while (i < to && toks[i]!.kind === 'ident' && toks[i + 1]?.kind === 'op' && toks[i + 1]!.text === '=') {
    const param = toks[i]!;
    const value = toks[i + 2]!;
    if (i + 2 >= to) throw parseError(value);
    if (param.text !== 'isfuzzy') {
      throw new KqlError('unsupported', `The API emulator does not implement union's '${param.text}' parameter.`, param.line, param.pos, param.text);
    }
    if (value.kind !== 'ident' || !['true', 'false'].includes(value.text)) throw parseError(value);
    fuzzy = value.text === 'true';
    i += 3;
  }
  const legs = splitTop(toks, i, to, ',');
  const results: QueryResult[] = [];
  let firstError: KqlError | undefined;
  for (const [a, b] of legs) {
    if (b <= a) throw parseError(toks[a]!);
    const open = toks[a]!;
    const close = toks[b - 1]!;
    if (!(open.kind === 'op' && open.text === '(' && close.kind === 'op' && close.text === ')' && splitTop(toks, a, b, ',').length === 1)) {
      throw new KqlError('unsupported', 'The API emulator implements union only over parenthesized queries: union (T | …), (T | …).', open.line, open.pos, open.text);
    }
    // The brackets balance (checked up front), so the leg's closing bracket must be the one that ends it.
    if (matchingClose(toks, a) !== b - 1) throw parseError(toks[matchingClose(toks, a) + 1]!);
    try {
      results.push(runPipeline(toks, a + 1, b - 1, ev));
    } catch (err) {
      const unresolved = err instanceof NoColumnListError || (err instanceof KqlError && err.kind === 'semantic' && /^Failed to resolve table/.test(err.message));
      if (!fuzzy || !unresolved) throw err;
      firstError ??= err as KqlError;
    }
  }
  if (results.length === 0) throw firstError ?? parseError(toks[to]!);
  const columns: Column[] = [];
  for (const r of results) {
    for (const c of r.columns) {
      const seen = columns.find((x) => x.name === c.name);
      if (!seen) columns.push(c);
      else if (seen.type !== c.type) {
        throw new KqlError('unsupported', `The API emulator does not implement union legs whose column '${c.name}' differs in type (${seen.type}, ${c.type}).`);
      }
    }
  }
  return { columns, rows: results.flatMap((r) => r.rows) };
}

function matchingClose(toks: readonly Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if ((t.text === ')' || t.text === ']' || t.text === '}') && --depth === 0) return i;
  }
  return toks.length - 1;
}

function applyOperator(op: string, opTok: Tok, p: Parser, ev: Evaluator, cols: Column[], rows: Row[]): QueryResult {
  switch (op) {
    case 'getschema':
      throw new KqlError('unsupported', 'The API emulator implements getschema only directly after a table name.', opTok.line, opTok.pos, op);
    case 'where':
    case 'filter': {
      const pred = p.expr();
      ev.checkColumns(pred, cols, 'where');
      return { columns: cols, rows: rows.filter((r) => truthy(ev.eval(pred, r))) };
    }
    case 'extend':
    case 'project': {
      const items: { name: string; expr: Expr }[] = [];
      do {
        if (p.isOp(',')) p.next();
        let name: string | undefined;
        if (p.peek().kind === 'ident' && p.peek(1).kind === 'op' && p.peek(1).text === '=' ) {
          name = p.next().text;
          p.next();
        }
        const expr = p.expr();
        ev.checkColumns(expr, cols, op);
        items.push({ name: name ?? defaultName(expr, items.length), expr });
      } while (p.isOp(','));
      const added: Column[] = items.map((it) => ({ name: it.name, type: ev.typeOf(it.expr, cols) }));
      const outCols =
        op === 'project' ? added : [...cols.filter((c) => !added.some((a) => a.name === c.name)), ...added];
      const outRows = rows.map((r) => {
        const o: Row = op === 'project' ? {} : { ...r };
        for (const it of items) o[it.name] = ev.eval(it.expr, r);
        return o;
      });
      return { columns: outCols, rows: outRows };
    }
    case 'take':
    case 'limit': {
      const n = p.next();
      if (n.kind !== 'number') throw parseError(n);
      return { columns: cols, rows: rows.slice(0, n.value as number) };
    }
    case 'order':
    case 'sort': {
      if (!p.isWord('by')) throw parseError(p.peek());
      p.next();
      return { columns: cols, rows: sortRows(rows, readSortKeys(p, ev, cols, op), ev) };
    }
    case 'top': {
      const n = p.next();
      if (n.kind !== 'number') throw parseError(n);
      if (!p.isWord('by')) throw parseError(p.peek());
      p.next();
      return { columns: cols, rows: sortRows(rows, readSortKeys(p, ev, cols, op), ev).slice(0, n.value as number) };
    }
    case 'count':
      return { columns: [{ name: 'Count', type: 'long' }], rows: [{ Count: rows.length }] };
    case 'distinct': {
      const names: string[] = [];
      do {
        if (p.isOp(',')) p.next();
        const c = p.ident();
        ev.checkColumns({ k: 'col', name: c.text, tok: c }, cols, 'distinct');
        names.push(c.text);
      } while (p.isOp(','));
      const seen = new Set<string>();
      const out: Row[] = [];
      for (const r of rows) {
        const key = JSON.stringify(names.map((n) => str(r[n] ?? null)));
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
      }
      return { columns: names.map((n) => cols.find((c) => c.name === n)!), rows: out };
    }
    case 'summarize':
      return summarize(p, ev, cols, rows);
    default:
      if (KQL_OPERATORS.has(op)) {
        throw new KqlError(
          'unsupported',
          `The API emulator does not implement the '${op}' operator.`,
          opTok.line,
          opTok.pos,
          op,
        );
      }
      throw parseError(opTok);
  }
}

function readSortKeys(p: Parser, ev: Evaluator, cols: Column[], op: string): { expr: Expr; desc: boolean }[] {
  const keys: { expr: Expr; desc: boolean }[] = [];
  do {
    if (p.isOp(',')) p.next();
    const expr = p.add();
    ev.checkColumns(expr, cols, op);
    let desc = true;
    if (p.isWord('asc')) {
      p.next();
      desc = false;
    } else if (p.isWord('desc')) {
      p.next();
    }
    if (p.isWord('nulls')) {
      p.next();
      p.next();
    }
    keys.push({ expr, desc });
  } while (p.isOp(','));
  return keys;
}

function sortRows(rows: Row[], keys: { expr: Expr; desc: boolean }[], ev: Evaluator): Row[] {
  return [...rows].sort((x, y) => {
    for (const k of keys) {
      const a = ev.eval(k.expr, x);
      const b = ev.eval(k.expr, y);
      if (a === null && b === null) continue;
      if (a === null) return 1;
      if (b === null) return -1;
      const c = cmpValues(a, b) ?? 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

interface Agg {
  names: string[];
  fn: string;
  args: Expr[];
}

function summarize(p: Parser, ev: Evaluator, cols: Column[], rows: Row[]): QueryResult {
  const aggs: Agg[] = [];
  while (!p.atEnd() && !p.isWord('by')) {
    if (p.isOp(',')) {
      p.next();
      continue;
    }
    let names: string[] = [];
    if (p.isOp('(')) {
      // (A, B) = arg_max(...)
      p.next();
      while (!p.isOp(')')) {
        names.push(p.ident().text);
        if (p.isOp(',')) p.next();
      }
      p.expectOp(')');
      p.expectOp('=');
    } else if (p.peek().kind === 'ident' && p.peek(1).kind === 'op' && p.peek(1).text === '=') {
      names = [p.next().text];
      p.next();
    }
    const fnTok = p.ident();
    const fn = fnTok.text.toLowerCase();
    p.expectOp('(');
    const args: Expr[] = [];
    while (!p.isOp(')')) {
      const a = p.expr();
      if (a.k !== 'star') ev.checkColumns(a, cols, 'summarize');
      args.push(a);
      if (p.isOp(',')) p.next();
      else break;
    }
    p.expectOp(')');
    if (!['count', 'arg_max', 'arg_min', 'max', 'min', 'dcount', 'sum'].includes(fn)) {
      throw new KqlError(
        'unsupported',
        `The API emulator does not implement the aggregation '${fn}()'.`,
        fnTok.line,
        fnTok.pos,
        fn,
      );
    }
    aggs.push({ names, fn, args });
  }
  const by: { name: string; expr: Expr }[] = [];
  if (p.isWord('by')) {
    p.next();
    do {
      if (p.isOp(',')) p.next();
      let name: string | undefined;
      if (p.peek().kind === 'ident' && p.peek(1).kind === 'op' && p.peek(1).text === '=') {
        name = p.next().text;
        p.next();
      }
      const expr = p.expr();
      ev.checkColumns(expr, cols, 'summarize');
      by.push({ name: name ?? defaultName(expr, by.length), expr });
    } while (p.isOp(','));
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = JSON.stringify(by.map((b) => str(ev.eval(b.expr, r))));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  if (by.length === 0 && groups.size === 0) groups.set('[]', []);
  const outCols: Column[] = by.map((b) => ({ name: b.name, type: ev.typeOf(b.expr, cols) }));
  for (const a of aggs) {
    if (a.fn === 'arg_max' || a.fn === 'arg_min') {
      const returned = a.args.slice(1).some((x) => x.k === 'star')
        ? cols.map((c) => ({ k: 'col', name: c.name }) as Expr)
        : a.args;
      returned.forEach((x, i) => {
        const name = a.names[i] ?? defaultName(x, i);
        if (!outCols.some((c) => c.name === name)) outCols.push({ name, type: ev.typeOf(x, cols) });
      });
      (a as Agg & { returned?: Expr[] }).returned = returned;
    } else {
      const name = a.names[0] ?? (a.fn === 'count' ? 'count_' : `${a.fn}_${a.args[0] ? defaultName(a.args[0], 0) : ''}`);
      a.names = [name];
      const t = a.fn === 'count' || a.fn === 'dcount' ? 'long' : a.args[0] ? ev.typeOf(a.args[0], cols) : 'long';
      outCols.push({ name, type: t });
    }
  }
  const outRows: Row[] = [];
  for (const g of groups.values()) {
    const o: Row = {};
    for (const b of by) o[b.name] = g.length ? ev.eval(b.expr, g[0]!) : null;
    for (const a of aggs) {
      if (a.fn === 'arg_max' || a.fn === 'arg_min') {
        let best: Row | undefined;
        let bestV: Value = null;
        for (const r of g) {
          const v = ev.eval(a.args[0]!, r);
          const c = best === undefined ? 1 : (cmpValues(v, bestV) ?? 0);
          if (best === undefined || (a.fn === 'arg_max' ? c > 0 : c < 0)) {
            best = r;
            bestV = v;
          }
        }
        const returned = (a as Agg & { returned?: Expr[] }).returned!;
        returned.forEach((x, i) => {
          o[a.names[i] ?? defaultName(x, i)] = best ? ev.eval(x, best) : null;
        });
      } else if (a.fn === 'count') {
        o[a.names[0]!] = g.length;
      } else if (a.fn === 'dcount') {
        o[a.names[0]!] = new Set(g.map((r) => str(ev.eval(a.args[0]!, r)))).size;
      } else if (a.fn === 'sum') {
        o[a.names[0]!] = g.reduce((s, r) => s + Number(ev.eval(a.args[0]!, r) ?? 0), 0);
      } else {
        let best: Value = null;
        for (const r of g) {
          const v = ev.eval(a.args[0]!, r);
          const c = best === null ? 1 : (cmpValues(v, best) ?? 0);
          if (v !== null && (a.fn === 'max' ? c > 0 : c < 0)) best = v;
        }
        o[a.names[0]!] = best;
      }
    }
    outRows.push(o);
  }
  return { columns: outCols, rows: outRows };
}

/** Graph names column types after .NET types. */
export function graphTypeName(t: KqlType): string {
  switch (t) {
    case 'datetime':
      return 'DateTime';
    case 'long':
      return 'Int64';
    case 'int':
      return 'Int32';
    case 'bool':
      return 'Boolean';
    case 'dynamic':
      return 'Object';
    case 'real':
      return 'Double';
    case 'guid':
      return 'Guid';
    case 'timespan':
      return 'TimeSpan';
    default:
      return 'String';
  }
}

/** A value as Graph's JSON carries it. */
export function toJsonValue(v: Value): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return iso(v);
  if (v instanceof Span) {
    const total = Math.abs(v.ms);
    const d = Math.floor(total / 86_400_000);
    const h = Math.floor((total % 86_400_000) / 3_600_000);
    const m = Math.floor((total % 3_600_000) / 60_000);
    const s = Math.floor((total % 60_000) / 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${v.ms < 0 ? '-' : ''}${d ? `${d}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  return v;
}
