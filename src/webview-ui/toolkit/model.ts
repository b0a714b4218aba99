/**
 * The results-grid model, shared by the webview (display, sort, filter, copy) and the extension host
 * (export): typed columns from the hunting schema, view computation (filter then sort, as row indices),
 * virtual-window math, and CSV/TSV/JSON serialisation. Pure: no DOM, no `vscode` (filter problems through core/l10n).
 */
import { l10n } from '../../core/l10n';

export type ColumnKind = 'string' | 'datetime' | 'number' | 'bool' | 'dynamic' | 'timespan' | 'guid';

export interface GridColumn {
  readonly name: string;
  /** The service's type name, as given (`DateTime`, `Int64`, `Object`, `datetime`…). */
  readonly type: string;
  readonly kind: ColumnKind;
}

/** A cell as it came in the JSON: the grid never rewrites values, only how they are shown and sorted. */
export type Cell = string | number | boolean | null | Record<string, unknown> | unknown[];
export type Row = readonly Cell[];

export interface SortSpec {
  readonly column: number;
  readonly direction: 'asc' | 'desc';
}

export interface ViewSpec {
  readonly sort?: SortSpec;
  readonly filter?: string;
}

const NUMBER_TYPES = new Set([
  'int', 'int16', 'int32', 'int64', 'long', 'short', 'byte', 'sbyte', 'uint16', 'uint32', 'uint64',
  'double', 'real', 'float', 'single', 'decimal', 'number',
]);

/** Maps Graph's .NET-style type names and Kusto's own names to a display/sort kind. */
export function columnKind(type: string): ColumnKind {
  const t = type.trim().toLowerCase().replace(/^system\./, '');
  if (t === 'datetime' || t === 'date' || t === 'datetimeoffset') return 'datetime';
  if (NUMBER_TYPES.has(t)) return 'number';
  if (t === 'boolean' || t === 'bool') return 'bool';
  if (t === 'object' || t === 'dynamic' || t === 'array' || t === 'dictionary' || t === 'sbyte[]') return 'dynamic';
  if (t === 'timespan' || t === 'time') return 'timespan';
  if (t === 'guid' || t === 'uniqueid') return 'guid';
  return 'string';
}

export function columnsFromSchema(schema: readonly { readonly name: string; readonly type: string }[]): GridColumn[] {
  return schema.map((c) => ({ name: c.name, type: c.type, kind: columnKind(c.type) }));
}

/** Result objects → row arrays in schema order (compact to post and to hold 100,000 of). */
export function rowsFromResults(columns: readonly GridColumn[], results: readonly Record<string, unknown>[]): Cell[][] {
  const names = columns.map((c) => c.name);
  const rows: Cell[][] = new Array(results.length);
  for (let r = 0; r < results.length; r++) {
    const obj = results[r]!;
    const row: Cell[] = new Array(names.length);
    for (let c = 0; c < names.length; c++) {
      // Own properties only: a column named `__proto__` or `constructor` must not read Object.prototype.
      const v = Object.hasOwn(obj, names[c]!) ? obj[names[c]!] : undefined;
      row[c] = v === undefined ? null : (v as Cell);
    }
    rows[r] = row;
  }
  return rows;
}

// ---------------------------------------------------------------- text

/** The cell's full text: what copy and CSV use (raw ISO dates, compact JSON for dynamic values). */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}

/** What the grid shows: dates without the ISO punctuation, everything on one line. */
export function displayText(cell: Cell, kind: ColumnKind): string {
  if (cell === null || cell === undefined) return '';
  if (kind === 'datetime' && typeof cell === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d*Z?$/.exec(cell);
    if (m) return `${m[1]} ${m[2]}${m[3] ?? ''}`;
  }
  return cellText(cell).replace(/[\r\n\t]+/g, ' ');
}

// ---------------------------------------------------------------- sort

/** A sortable key per cell: numbers for dates and numbers, lower-case text otherwise, null last. */
export function sortKey(cell: Cell, kind: ColumnKind): number | string | null {
  if (cell === null || cell === undefined || cell === '') return null;
  switch (kind) {
    case 'datetime': {
      const t = typeof cell === 'number' ? cell : Date.parse(String(cell));
      return Number.isNaN(t) ? null : t;
    }
    case 'number': {
      const n = typeof cell === 'number' ? cell : Number(cell);
      return Number.isNaN(n) ? null : n;
    }
    case 'bool':
      return cell === true || String(cell).toLowerCase() === 'true' ? 1 : 0;
    case 'timespan':
      return timespanMs(String(cell)) ?? String(cell);
    default:
      return cellText(cell).toLowerCase();
  }
}

/** Kusto/.NET timespan text `[-][d.]hh:mm:ss[.fffffff]` → milliseconds. */
export function timespanMs(text: string): number | undefined {
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const ms =
    ((Number(m[2] ?? 0) * 24 + Number(m[3])) * 60 + Number(m[4])) * 60_000 +
    Number(m[5]) * 1000 +
    (m[6] ? Number(`0.${m[6]}`) * 1000 : 0);
  return m[1] ? -ms : ms;
}

function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** Sorts row indices in place (stable); nulls go last in both directions. */
export function sortIndices(indices: number[], rows: readonly Row[], column: GridColumn, col: number, direction: 'asc' | 'desc'): number[] {
  const keys = new Array<number | string | null>(rows.length);
  for (const i of indices) keys[i] = sortKey(rows[i]![col] ?? null, column.kind);
  const sign = direction === 'asc' ? 1 : -1;
  indices.sort((x, y) => {
    const a = keys[x]!;
    const b = keys[y]!;
    if (a === null && b === null) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return sign * compareKeys(a, b);
  });
  return indices;
}

// ---------------------------------------------------------------- filter

export type FilterOp = 'contains' | '=' | '!=' | '>' | '>=' | '<' | '<=';

export interface FilterTerm {
  /** Column index, or undefined for "any column". */
  readonly column?: number;
  readonly op: FilterOp;
  readonly value: string;
}

export interface ParsedFilter {
  readonly terms: readonly FilterTerm[];
  /** Problems worth showing (a comparison on a column that cannot be compared that way). */
  readonly problems: readonly string[];
}

/**
 * Filter syntax: whitespace-separated terms, all of which must match.
 *   text            any cell contains the text (case-insensitive)
 *   Column:text     that column contains it
 *   Column=text     equals (case-insensitive); Column!=text differs
 *   Column>value    >, >=, <, <= compare numbers, dates and timespans by value, other text alphabetically
 * Quote values with spaces: DeviceName:"ws fin". A name that is not a column makes the term plain text.
 */
export function parseFilter(text: string, columns: readonly GridColumn[]): ParsedFilter {
  const terms: FilterTerm[] = [];
  const problems: string[] = [];
  const tokens = text.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
  for (const raw of tokens) {
    const m = /^([A-Za-z_][\w.]*)(:|!=|>=|<=|=|>|<)(.*)$/.exec(raw);
    const col = m ? columns.findIndex((c) => c.name.toLowerCase() === m[1]!.toLowerCase()) : -1;
    if (m && col >= 0) {
      const op: FilterOp = m[2] === ':' ? 'contains' : (m[2] as FilterOp);
      const value = unquote(m[3]!);
      if (['>', '>=', '<', '<='].includes(op) && columns[col]!.kind === 'datetime' && Number.isNaN(Date.parse(value))) {
        problems.push(l10n.t('"{0}" is not a date for {1}.', value, columns[col]!.name));
        continue;
      }
      if (['>', '>=', '<', '<='].includes(op) && columns[col]!.kind === 'number' && Number.isNaN(Number(value))) {
        problems.push(l10n.t('"{0}" is not a number for {1}.', value, columns[col]!.name));
        continue;
      }
      terms.push({ column: col, op, value });
    } else {
      const value = unquote(raw);
      if (value) terms.push({ op: 'contains', value });
    }
  }
  return { terms, problems };
}

function unquote(s: string): string {
  return s.replace(/"/g, '');
}

function termMatches(term: FilterTerm, row: Row, columns: readonly GridColumn[]): boolean {
  if (term.column === undefined) {
    const needle = term.value.toLowerCase();
    for (let c = 0; c < columns.length; c++) {
      if (displayText(row[c] ?? null, columns[c]!.kind).toLowerCase().includes(needle)) return true;
      if (cellText(row[c] ?? null).toLowerCase().includes(needle)) return true;
    }
    return false;
  }
  const column = columns[term.column]!;
  const cell = row[term.column] ?? null;
  const text = cellText(cell).toLowerCase();
  const value = term.value.toLowerCase();
  switch (term.op) {
    case 'contains':
      return text.includes(value) || displayText(cell, column.kind).toLowerCase().includes(value);
    case '=':
      return text === value || (column.kind === 'number' && cell !== null && Number(cell) === Number(term.value));
    case '!=':
      return !(text === value || (column.kind === 'number' && cell !== null && Number(cell) === Number(term.value)));
    default: {
      const a = sortKey(cell, column.kind);
      if (a === null) return false;
      const b = column.kind === 'datetime' ? Date.parse(term.value) : column.kind === 'number' ? Number(term.value) : column.kind === 'timespan' ? (timespanMs(term.value) ?? value) : value;
      const c = compareKeys(a, b);
      return term.op === '>' ? c > 0 : term.op === '>=' ? c >= 0 : term.op === '<' ? c < 0 : c <= 0;
    }
  }
}

/** The rows to show, in order: filter, then sort. Returns indices into `rows`. */
export function computeView(columns: readonly GridColumn[], rows: readonly Row[], view: ViewSpec = {}): number[] {
  const filter = view.filter ? parseFilter(view.filter, columns) : undefined;
  let indices: number[] = [];
  if (filter && filter.terms.length > 0) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (filter.terms.every((t) => termMatches(t, row, columns))) indices.push(i);
    }
  } else {
    indices = Array.from({ length: rows.length }, (_, i) => i);
  }
  const sort = view.sort;
  if (sort && sort.column >= 0 && sort.column < columns.length) {
    sortIndices(indices, rows, columns[sort.column]!, sort.column, sort.direction);
  }
  return indices;
}

// ---------------------------------------------------------------- virtual window

export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly rowCount: number;
  /** Extra rows rendered above and below the viewport. */
  readonly overscan?: number;
}

export interface WindowRange {
  /** First view position rendered. */
  readonly first: number;
  /** One past the last view position rendered. */
  readonly last: number;
  /** Pixel offset of `first` from the top of the scroll content. */
  readonly offsetTop: number;
  /** Height of the whole scroll content. */
  readonly totalHeight: number;
}

/** Which rows a virtualised list renders for a scroll position. Never renders more than a screenful + overscan. */
export function virtualWindow(input: WindowInput): WindowRange {
  const rowHeight = Math.max(1, input.rowHeight);
  const count = Math.max(0, Math.floor(input.rowCount));
  const overscan = Math.max(0, Math.floor(input.overscan ?? 8));
  const totalHeight = count * rowHeight;
  const maxTop = Math.max(0, totalHeight - input.viewportHeight);
  const top = Math.min(Math.max(0, input.scrollTop), maxTop);
  const firstVisible = Math.floor(top / rowHeight);
  const lastVisible = Math.ceil((top + Math.max(0, input.viewportHeight)) / rowHeight);
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(count, lastVisible + overscan);
  return { first, last: Math.max(first, last), offsetTop: first * rowHeight, totalHeight };
}

/** The scrollTop that brings view position `index` fully into the viewport (or leaves it where it is). */
export function scrollIntoView(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

// ---------------------------------------------------------------- export

/** Characters that make spreadsheet apps evaluate a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralises a would-be formula by prefixing a single quote. Real numbers in numeric columns are left
 * alone (a negative count is a number, not a formula).
 */
export function defuseFormula(text: string, cell: Cell, kind: ColumnKind): string {
  if (!FORMULA_START.test(text)) return text;
  if (kind === 'number' && typeof cell === 'number') return text;
  return `'${text}`;
}

/** RFC 4180 quoting: fields with the delimiter, quotes, line breaks or edge spaces are quoted, quotes doubled. */
export function quoteField(text: string, delimiter: string): string {
  if (text.includes(delimiter) || /["\r\n]/.test(text) || /^\s|\s$/.test(text)) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

export interface DelimitedOptions {
  readonly delimiter?: string;
  readonly header?: boolean;
  /** Prefix a UTF-8 byte order mark so spreadsheet apps read the encoding right. */
  readonly bom?: boolean;
  readonly lineEnding?: string;
}

/** CSV (default) or TSV of the given rows, formula-injection safe. */
export function toDelimited(
  columns: readonly GridColumn[],
  rows: readonly Row[],
  indices: readonly number[],
  options: DelimitedOptions = {},
): string {
  const delimiter = options.delimiter ?? ',';
  const eol = options.lineEnding ?? '\r\n';
  const lines: string[] = [];
  if (options.header ?? true) {
    lines.push(columns.map((c) => quoteField(defuseFormula(c.name, c.name, 'string'), delimiter)).join(delimiter));
  }
  for (const i of indices) {
    const row = rows[i]!;
    const fields = new Array<string>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const cell = row[c] ?? null;
      fields[c] = quoteField(defuseFormula(cellText(cell), cell, columns[c]!.kind), delimiter);
    }
    lines.push(fields.join(delimiter));
  }
  return (options.bom ? '\uFEFF' : '') + lines.join(eol) + (lines.length ? eol : '');
}

export function toCsv(columns: readonly GridColumn[], rows: readonly Row[], indices: readonly number[], bom = true): string {
  return toDelimited(columns, rows, indices, { bom });
}

/** Tab-separated, for the clipboard (pastes into spreadsheets as cells). */
export function toTsv(columns: readonly GridColumn[], rows: readonly Row[], indices: readonly number[], header = true): string {
  return toDelimited(columns, rows, indices, { delimiter: '\t', header, lineEnding: '\n' });
}

/** JSON: an array of objects keyed by column name, values as the service returned them. */
export function toJson(columns: readonly GridColumn[], rows: readonly Row[], indices: readonly number[]): string {
  const out = new Array<Record<string, Cell>>(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const row = rows[indices[k]!]!;
    const obj: Record<string, Cell> = {};
    // defineProperty, not assignment: assigning `__proto__` would set the prototype and drop the column.
    for (let c = 0; c < columns.length; c++) {
      Object.defineProperty(obj, columns[c]!.name, { value: row[c] ?? null, enumerable: true, writable: true, configurable: true });
    }
    out[k] = obj;
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}
