'use strict';
/**
 * Executes the PowerShell subset the extension sends: statements separated by newlines/';', `function` definitions
 * (recorded, bodies not interpreted), try/catch, exit, `$var = pipeline`, pipelines of commands whose arguments are
 * literals, variables, `(...)`, `@(...)`, `@{...}`, `[type]` casts and comma lists. Commands come from a table
 * (the Defender model in defender.js); functions the script defines are dispatched to native implementations of
 * the same name, and calling a function the script did not define fails as PowerShell does.
 */
const { tokenize, PsSyntaxError } = require('./tokenizer');

class PsRuntimeError extends Error {
  /** Mirrors an ErrorRecord: Exception.Message, FullyQualifiedErrorId, CategoryInfo.Category, Exception.HResult. */
  constructor(message, { errorId = 'RuntimeException', category = 'NotSpecified', hresult = -2146233087, data } = {}) {
    super(message);
    this.errorId = errorId;
    this.category = category;
    this.hresult = hresult;
    this.data = data ?? {};
  }
}

class ExitSignal {
  constructor(code) { this.code = code; }
}

/** A PowerShell [datetime]. */
class PsDate {
  constructor(date) { this.date = date; }
}

class Parser {
  constructor(tokens) { this.t = tokens; this.i = 0; }
  peek(o = 0) { return this.t[this.i + o]; }
  next() { return this.t[this.i++]; }
  at(kind, value) {
    const tk = this.peek();
    return tk && tk.kind === kind && (value === undefined || String(tk.value).toLowerCase() === value);
  }
  expect(kind, what) {
    const tk = this.next();
    if (!tk || tk.kind !== kind) throw new PsSyntaxError(`Missing ${what ?? kind}${tk ? ` near '${tk.value}'` : ' at the end of the script'}.`);
    return tk;
  }
  skipSeparators() { while (this.at('newline') || this.at('semi')) this.i++; }
  skipNewlines() { while (this.at('newline')) this.i++; }

  program(endKind) {
    const statements = [];
    this.skipSeparators();
    while (this.peek() && !(endKind && this.at(endKind))) {
      statements.push(this.statement());
      if (this.peek() && !this.at('newline') && !this.at('semi') && !(endKind && this.at(endKind))) {
        throw new PsSyntaxError(`Unexpected token '${this.peek().value}' in expression or statement.`);
      }
      this.skipSeparators();
    }
    return statements;
  }

  block() {
    this.expect('lcurly', "'{'");
    const body = this.program('rcurly');
    this.expect('rcurly', "closing '}'");
    return body;
  }

  /** Skips a balanced {...} without interpreting it (function bodies). */
  skipBlock() {
    this.expect('lcurly', "'{'");
    let depth = 1;
    while (depth > 0) {
      const tk = this.next();
      if (!tk) throw new PsSyntaxError("Missing closing '}' in statement block.");
      if (tk.kind === 'lcurly' || tk.kind === 'atcurly') depth++;
      else if (tk.kind === 'rcurly') depth--;
    }
  }

  statement() {
    if (this.at('bareword', 'function')) {
      this.next();
      const name = this.expect('bareword', 'function name').value;
      this.skipBlock();
      return { type: 'function', name };
    }
    if (this.at('bareword', 'try')) {
      this.next();
      this.skipNewlines();
      const body = this.block();
      this.skipNewlines();
      if (!this.at('bareword', 'catch')) throw new PsSyntaxError('The Try statement is missing its Catch or Finally block.');
      this.next();
      this.skipNewlines();
      const handler = this.block();
      return { type: 'try', body, handler };
    }
    if (this.at('bareword', 'exit')) {
      this.next();
      const code = this.at('number') ? this.next().value : 0;
      return { type: 'exit', code };
    }
    if (this.at('type') && this.peek(1)?.kind === 'coloncolon' && this.peek(3)?.kind === 'equals') {
      const type = this.next().value;
      this.next();
      const member = this.next().value;
      this.next();
      // The right-hand side (an encoding object) is not modelled: skip to the end of the statement.
      let depth = 0;
      while (this.peek() && !(depth === 0 && (this.at('newline') || this.at('semi')))) {
        const tk = this.next();
        if (['lparen', 'atparen', 'lcurly', 'atcurly'].includes(tk.kind)) depth++;
        if (['rparen', 'rcurly'].includes(tk.kind)) depth--;
      }
      return { type: 'staticAssign', target: `${type}::${member}` };
    }
    if (this.at('variable') && this.peek(1)?.kind === 'equals') {
      const name = this.next().value;
      this.next();
      this.skipNewlines();
      return { type: 'assign', name, value: this.pipeline() };
    }
    return { type: 'pipeline', pipeline: this.pipeline() };
  }

  pipeline() {
    const elements = [this.pipelineElement()];
    while (this.at('pipe')) {
      this.next();
      this.skipNewlines();
      elements.push(this.pipelineElement());
    }
    return elements;
  }

  pipelineElement() {
    if (this.at('bareword')) return this.command();
    return { type: 'expr', expr: this.expression() };
  }

  command() {
    const name = this.next().value;
    const args = [];
    while (this.peek() && !['newline', 'semi', 'pipe', 'rcurly', 'rparen'].includes(this.peek().kind)) {
      if (this.at('parameter')) {
        const p = this.next();
        const value = p.colon ? this.argumentValue() : undefined;
        args.push({ kind: 'param', name: p.value, value });
      } else {
        args.push({ kind: 'positional', value: this.argumentValue() });
      }
    }
    return { type: 'command', name, args };
  }

  /** A command argument: a primary, or a comma list of primaries (an array). */
  argumentValue() {
    const first = this.primary(true);
    if (!this.at('comma')) return first;
    const items = [first];
    while (this.at('comma')) {
      this.next();
      this.skipNewlines();
      items.push(this.primary(true));
    }
    return { type: 'array', items };
  }

  expression() {
    const first = this.primary(false);
    if (!this.at('comma')) return first;
    const items = [first];
    while (this.at('comma')) {
      this.next();
      this.skipNewlines();
      items.push(this.primary(false));
    }
    return { type: 'array', items };
  }

  primary(argumentMode) {
    const tk = this.peek();
    if (!tk) throw new PsSyntaxError('You must provide a value expression.');
    switch (tk.kind) {
      case 'string':
        this.next();
        if (tk.quoted === 'double' && tk.expandable) {
          throw new PsSyntaxError('stand-in: expandable strings ("...$x...") are not supported; the extension must not send them.');
        }
        return { type: 'literal', value: tk.value };
      case 'number':
        this.next();
        return { type: 'literal', value: tk.value };
      case 'variable':
        this.next();
        if (this.at('dot')) throw new PsSyntaxError('stand-in: member access is not supported in script bodies.');
        return { type: 'variable', name: tk.value };
      case 'bareword':
        if (argumentMode) {
          this.next();
          return { type: 'literal', value: tk.value };
        }
        throw new PsSyntaxError(`Unexpected token '${tk.value}' in expression.`);
      case 'lparen': {
        this.next();
        this.skipNewlines();
        const inner = this.pipeline();
        this.skipNewlines();
        this.expect('rparen', "closing ')'");
        return { type: 'paren', pipeline: inner };
      }
      case 'atparen': {
        this.next();
        const inner = this.at('rparen') ? [] : this.program('rparen');
        this.expect('rparen', "closing ')'");
        return { type: 'subarray', statements: inner };
      }
      case 'atcurly': {
        this.next();
        const entries = [];
        this.skipSeparators();
        while (!this.at('rcurly')) {
          const key = this.next();
          if (!key || !['bareword', 'string'].includes(key.kind)) throw new PsSyntaxError('Missing key before \'=\' in hash literal.');
          this.expect('equals', "'=' in hash literal");
          this.skipNewlines();
          entries.push({ key: String(key.value), value: this.statementValue() });
          this.skipSeparators();
        }
        this.expect('rcurly', "closing '}' in hash literal");
        return { type: 'hashtable', entries };
      }
      case 'type': {
        this.next();
        if (this.at('coloncolon')) throw new PsSyntaxError('stand-in: static member access is not supported in script bodies.');
        return { type: 'cast', to: tk.value, value: this.primary(argumentMode) };
      }
      default:
        throw new PsSyntaxError(`Unexpected token '${tk.value}' in expression or statement.`);
    }
  }

  /** A hash literal value: a pipeline (so `Id = 5007, 5013` and `x = Get-Thing` both work). */
  statementValue() {
    return { type: 'paren', pipeline: this.pipeline() };
  }
}

function parse(text) {
  return new Parser(tokenize(text)).program();
}

/** Array flattening the way PowerShell enumerates pipeline output. */
function enumerate(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
function collapse(items) {
  if (items.length === 0) return null;
  return items.length === 1 ? items[0] : items;
}

class Interpreter {
  /** @param {{commands: Record<string, Function>, functions: Record<string, Function>, env: object, stdout: Function}} host */
  constructor(host) {
    this.host = host;
    this.vars = new Map([['true', true], ['false', false], ['null', null]]);
    this.defined = new Set();
  }

  run(text) {
    const program = parse(text);
    this.exec(program);
  }

  exec(statements) {
    for (const st of statements) this.statement(st);
  }

  statement(st) {
    switch (st.type) {
      case 'function':
        this.defined.add(st.name.toLowerCase());
        return;
      case 'staticAssign':
        if (st.target.toLowerCase() !== 'console::outputencoding' && st.target.toLowerCase() !== 'system.console::outputencoding') {
          throw new PsRuntimeError(`stand-in: assignment to [${st.target}] is not modelled.`);
        }
        return;
      case 'exit':
        throw new ExitSignal(st.code);
      case 'assign':
        this.vars.set(st.name.toLowerCase(), this.valueOf(st.value));
        return;
      case 'pipeline': {
        const out = this.pipeline(st.pipeline);
        if (out.length) this.host.stdout(out.map((o) => (typeof o === 'object' ? JSON.stringify(o) : String(o))).join('\n') + '\n');
        return;
      }
      case 'try':
        try {
          this.exec(st.body);
        } catch (err) {
          if (err instanceof ExitSignal) throw err;
          const record = err instanceof PsRuntimeError ? err : new PsRuntimeError(err.message, { errorId: err.errorId, category: err.category });
          this.vars.set('_', { __errorRecord: true, record });
          this.exec(st.handler);
        }
        return;
      default:
        throw new PsRuntimeError(`stand-in: unknown statement ${st.type}`);
    }
  }

  pipeline(elements) {
    let input;
    for (let k = 0; k < elements.length; k++) {
      const el = elements[k];
      if (el.type === 'expr') {
        if (k > 0) throw new PsSyntaxError('Expressions are only allowed as the first element of a pipeline.');
        input = enumerate(this.evaluate(el.expr));
      } else {
        input = this.invoke(el, input, k > 0);
      }
    }
    return input ?? [];
  }

  /** `$x = <pipeline>`: a lone expression keeps its value (an array stays an array); command output is collected. */
  valueOf(pipeline) {
    if (pipeline.length === 1 && pipeline[0].type === 'expr') return this.evaluate(pipeline[0].expr);
    return collapse(this.pipeline(pipeline));
  }

  invoke(cmd, input, piped) {
    // Parameters without a colon take the next positional value unless they are switches: pair them in order.
    const paired = pairParameters(
      cmd.args.map((a) => ({ ...a, evaluated: a.value === undefined ? undefined : this.evaluate(a.value) })),
    );
    const lname = cmd.name.toLowerCase();
    if (this.defined.has(lname)) {
      const fn = this.host.functions[lname];
      if (!fn) throw new PsRuntimeError(`stand-in: the script defines ${cmd.name}, which the stand-in does not model.`);
      return enumerate(fn({ params: paired.named, positional: paired.positional, vars: this.vars, input, piped }));
    }
    const impl = this.host.commands[lname];
    if (!impl) {
      throw new PsRuntimeError(
        `The term '${cmd.name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
        { errorId: 'CommandNotFoundException', category: 'ObjectNotFound' },
      );
    }
    return enumerate(impl({ name: cmd.name, params: paired.named, positional: paired.positional, input: input ?? [], piped }));
  }

  evaluate(expr) {
    switch (expr.type) {
      case 'literal':
        return expr.value;
      case 'variable': {
        const name = expr.name.toLowerCase();
        if (name.startsWith('env:')) return this.host.env[expr.name.slice(4)] ?? null;
        return this.vars.has(name) ? this.vars.get(name) : null;
      }
      case 'array':
        return expr.items.flatMap((it) => {
          const v = this.evaluate(it);
          return [v];
        });
      case 'paren':
        return this.valueOf(expr.pipeline);
      case 'subarray': {
        const out = [];
        for (const st of expr.statements) {
          if (st.type !== 'pipeline') { this.statement(st); continue; }
          out.push(...this.pipeline(st.pipeline));
        }
        return out;
      }
      case 'hashtable': {
        const h = {};
        for (const { key, value } of expr.entries) h[key] = this.evaluate(value);
        return h;
      }
      case 'cast':
        return cast(expr.to, this.evaluate(expr.value));
      default:
        throw new PsRuntimeError(`stand-in: cannot evaluate ${expr.type}`);
    }
  }
}

/** Pairs `-Name value` in order. Values are taken greedily: a parameter followed by a value binds it. */
function pairParameters(args) {
  const named = {};
  const positional = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a.kind === 'param') {
      if (a.value !== undefined) { named[a.name] = a.evaluated; continue; }
      const nextArg = args[k + 1];
      if (nextArg && nextArg.kind === 'positional' && !SWITCHES.has(a.name.toLowerCase())) {
        named[a.name] = nextArg.evaluated;
        k++;
      } else {
        named[a.name] = true;
      }
    } else {
      positional.push(a.evaluated);
    }
  }
  return { named, positional };
}
const SWITCHES = new Set(['compress', 'force', 'asjob', 'raw', 'wait']);

function cast(type, value) {
  const t = type.toLowerCase();
  if (t === 'datetime') {
    if (value instanceof PsDate) return value;
    // PowerShell casts use the invariant culture; an ISO 8601 string parses.
    const d = new Date(String(value));
    if (Number.isNaN(d.getTime())) {
      throw new PsRuntimeError(`Cannot convert value "${value}" to type "System.DateTime". Error: "String was not recognized as a valid DateTime."`, { errorId: 'InvalidCastParseTargetInvocationWithFormatProvider', category: 'InvalidArgument' });
    }
    return new PsDate(d);
  }
  if (t === 'string') return value === null ? '' : String(value);
  if (t === 'int') return Math.round(Number(value));
  if (t === 'ordered') return value;
  throw new PsRuntimeError(`stand-in: cast to [${type}] is not modelled.`);
}

module.exports = { Interpreter, PsRuntimeError, ExitSignal, PsDate, parse, enumerate, collapse };
