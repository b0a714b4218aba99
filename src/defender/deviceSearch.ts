/**
 * Searching the tenant's devices (issue 8 item 1), two ways:
 * - over the devices already loaded (a quick pick): `searchDevices`;
 * - on the service, as an OData `$filter` on `GET /api/machines` (defender.md §1.2): `validateODataFilter`
 *   checks what a user typed against the documented filterable properties and re-writes it with correctly
 *   quoted literals; `odataClause` builds one clause from a field, an operator and a value.
 * Pure: no vscode import.
 */
import type { Machine } from '../api/mde';
import { deviceName } from './deviceGrouping';

// ------------------------------------------------------------------ quick pick over loaded devices

export interface DeviceMatch {
  readonly machine: Machine;
  /** Lower is better: 0 name starts with the text, 1 a name part does, 2 anything else matched. */
  readonly rank: number;
}

function haystack(m: Machine): string {
  return [
    deviceName(m),
    m.id,
    m.lastIpAddress,
    m.osPlatform,
    m.rbacGroupName,
    m.healthStatus,
    ...(m.machineTags ?? []),
    m.aadDeviceId,
  ]
    .filter((x) => x != null && x !== '')
    .join(' ')
    .toLowerCase();
}

/**
 * Devices whose name, id, IP, platform, group, health or tags contain every word of `text` (case-insensitive),
 * best first (name prefix, then name-part prefix, then the rest; names alphabetically within a rank).
 * Empty text matches everything. At most `limit` results, plus the total number that matched.
 */
export function searchDevices(machines: Iterable<Machine>, text: string, limit = 200): { matches: DeviceMatch[]; total: number } {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const first = words[0] ?? '';
  const found: DeviceMatch[] = [];
  let total = 0;
  for (const m of machines) {
    if (words.length) {
      const hay = haystack(m);
      if (!words.every((w) => hay.includes(w))) continue;
    }
    total++;
    const name = deviceName(m).toLowerCase();
    const rank = !first || name.startsWith(first) ? 0 : name.split(/[.\-_\s]/).some((p) => p.startsWith(first)) ? 1 : 2;
    found.push({ machine: m, rank });
  }
  found.sort((a, b) => a.rank - b.rank || (deviceName(a.machine).toLowerCase() < deviceName(b.machine).toLowerCase() ? -1 : 1));
  return { matches: found.slice(0, limit), total };
}

/** A quick-pick row for a device. */
export function deviceSearchItem(m: Machine): { label: string; description: string; detail: string; machineId: string } {
  return {
    label: deviceName(m),
    description: [m.osPlatform, m.healthStatus, m.rbacGroupName].filter(Boolean).join(' · '),
    detail: [m.id, m.lastIpAddress, (m.machineTags ?? []).length ? `tags: ${(m.machineTags ?? []).join(', ')}` : ''].filter(Boolean).join(' · '),
    machineId: m.id,
  };
}

// ------------------------------------------------------------------ OData $filter for GET /api/machines

type FieldKind = 'string' | 'datetime' | 'int' | 'collection';

/** The properties `$filter` works on (defender.md §1.2, get-machines.md), with the literal each takes. */
export const ODATA_MACHINE_FIELDS: Readonly<Record<string, FieldKind>> = {
  computerDnsName: 'string',
  id: 'string',
  version: 'string',
  deviceValue: 'string',
  aadDeviceId: 'string',
  machineTags: 'collection',
  lastSeen: 'datetime',
  exposureLevel: 'string',
  onboardingStatus: 'string',
  lastIpAddress: 'string',
  healthStatus: 'string',
  osPlatform: 'string',
  riskScore: 'string',
  rbacGroupId: 'int',
};

export type ODataOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'startswith' | 'endswith';
const COMPARE = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);

export class ODataFilterError extends Error {}

/** An OData string literal: single quotes, a quote inside doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function canonicalField(name: string): string {
  const hit = Object.keys(ODATA_MACHINE_FIELDS).find((f) => f.toLowerCase() === name.toLowerCase());
  if (!hit) {
    throw new ODataFilterError(
      `"${name}" cannot be filtered on. The API filters on ${Object.keys(ODATA_MACHINE_FIELDS).join(', ')}.`,
    );
  }
  return hit;
}

function literalFor(field: string, value: string): string {
  const kind = ODATA_MACHINE_FIELDS[field]!;
  if (kind === 'datetime') {
    const v = value.trim();
    const month = Number(v.slice(5, 7));
    const day = Number(v.slice(8, 10));
    if (!DATETIME.test(v) || month < 1 || month > 12 || day < 1 || day > 31) {
      throw new ODataFilterError(`${field} takes a date with a zone, e.g. 2026-11-01Z or 2026-11-01T08:00:00Z, not "${value}".`);
    }
    return v;
  }
  if (kind === 'int') {
    if (!/^-?\d+$/.test(value.trim())) throw new ODataFilterError(`${field} takes a whole number, not "${value}".`);
    return value.trim();
  }
  return odataString(value);
}

/** One clause: `field op literal`, or `contains(field,'value')`. The value is quoted or checked by the field's kind. */
export function odataClause(field: string, op: ODataOperator, value: string): string {
  const f = canonicalField(field);
  const kind = ODATA_MACHINE_FIELDS[f]!;
  if (FUNCTIONS.has(op)) {
    if (kind === 'datetime' || kind === 'int') throw new ODataFilterError(`${op}() works on text, and ${f} is not text.`);
    return `${op}(${f},${odataString(value)})`;
  }
  if (!COMPARE.has(op)) throw new ODataFilterError(`Unknown operator "${op}".`);
  if (kind === 'collection') throw new ODataFilterError(`${f} is a list: use contains(${f},'tag').`);
  return `${f} ${op} ${literalFor(f, value)}`;
}

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: string; at: number }
  | { t: 'datetime'; v: string; at: number }
  | { t: '(' | ')' | ','; at: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, at: i });
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ODataFilterError(`The text starting at position ${i + 1} has no closing quote.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += text[j];
        j++;
      }
      out.push({ t: 'string', v, at: i });
      i = j + 1;
      continue;
    }
    const dt = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:\d{2})?/.exec(text.slice(i));
    if (dt && dt[0].length > 4) {
      if (!DATETIME.test(dt[0])) throw new ODataFilterError(`The date "${dt[0]}" needs a zone (Z or +hh:mm).`);
      out.push({ t: 'datetime', v: dt[0], at: i });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'number', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (id) {
      out.push({ t: 'ident', v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    throw new ODataFilterError(`Unexpected "${c}" at position ${i + 1}.`);
  }
  return out;
}

/**
 * Checks a `$filter` a user typed and returns it re-written with documented field names and quoted literals.
 * Grammar: expr := term (('and'|'or') term)*; term := 'not' term | '(' expr ')' | field op literal |
 * (contains|startswith|endswith) '(' field ',' 'text' ')'. Throws ODataFilterError saying what is wrong.
 */
export function validateODataFilter(text: string): string {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ODataFilterError('The filter is empty.');
  let p = 0;
  const peek = () => tokens[p];
  const where = (tok: Token | undefined) => (tok ? `at position ${tok.at + 1}` : 'at the end');
  const expect = (t: Token['t']): Token => {
    const tok = tokens[p];
    if (!tok || tok.t !== t) throw new ODataFilterError(`Expected "${t}" ${where(tok)}.`);
    p++;
    return tok;
  };
  const isWord = (tok: Token | undefined, w: string) => tok?.t === 'ident' && tok.v.toLowerCase() === w;

  const term = (): string => {
    const tok = peek();
    if (!tok) throw new ODataFilterError('The filter ends too early.');
    if (isWord(tok, 'not')) {
      p++;
      return `not ${term()}`;
    }
    if (tok.t === '(') {
      p++;
      const inner = expr();
      expect(')');
      return `(${inner})`;
    }
    if (tok.t !== 'ident') throw new ODataFilterError(`Expected a property name ${where(tok)}.`);
    const fn = tok.v.toLowerCase();
    if (FUNCTIONS.has(fn) && tokens[p + 1]?.t === '(') {
      p += 2;
      const field = expect('ident') as { v: string };
      expect(',');
      const value = expect('string') as { v: string };
      expect(')');
      return odataClause(field.v, fn as ODataOperator, value.v);
    }
    p++;
    const field = canonicalField(tok.v);
    const opTok = peek();
    if (!opTok || opTok.t !== 'ident' || !COMPARE.has(opTok.v.toLowerCase())) {
      throw new ODataFilterError(`Expected eq, ne, gt, ge, lt or le after ${field} ${where(opTok)}.`);
    }
    p++;
    const op = opTok.v.toLowerCase() as ODataOperator;
    const lit = peek();
    if (!lit || !['string', 'number', 'datetime'].includes(lit.t)) {
      throw new ODataFilterError(`Expected a value after ${field} ${op} ${where(lit)} (text goes in single quotes).`);
    }
    p++;
    const kind = ODATA_MACHINE_FIELDS[field]!;
    if (kind === 'string' && lit.t !== 'string') throw new ODataFilterError(`${field} takes text in single quotes, e.g. ${field} ${op} 'value'.`);
    if (kind === 'datetime' && lit.t !== 'datetime') throw new ODataFilterError(`${field} takes a date such as 2026-11-01Z (no quotes).`);
    if (kind === 'int' && lit.t !== 'number') throw new ODataFilterError(`${field} takes a whole number.`);
    return odataClause(field, op, (lit as { v: string }).v);
  };

  const expr = (): string => {
    let out = term();
    while (isWord(peek(), 'and') || isWord(peek(), 'or')) {
      const joiner = (tokens[p] as { v: string }).v.toLowerCase();
      p++;
      out = `${out} ${joiner} ${term()}`;
    }
    return out;
  };

  const result = expr();
  if (p < tokens.length) throw new ODataFilterError(`Unexpected text ${where(tokens[p])}; join conditions with "and" or "or".`);
  return result;
}
