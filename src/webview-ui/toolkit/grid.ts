/**
 * The toolkit grid (runs in the webview; bundled as an iife to dist/webview/results.js for the hunting results
 * and the event list). Plain DOM, no
 * framework: a virtualised list (only the visible rows plus a little overscan exist in the DOM, from a
 * recycled pool), typed columns, click-to-sort, a filter box, row selection and copy, and export through
 * the extension host's save dialog. It says `ready` before the host sends anything.
 */
import {
  computeView,
  displayText,
  parseFilter,
  scrollIntoView,
  toTsv,
  virtualWindow,
  type Cell,
  type GridColumn,
  type SortSpec,
} from './model';
import type { ErrorInfo, HostMessage, Notice, PersistedState, RunInfo, WebviewMessage } from './protocol';
import { ROW_HEIGHT } from './theme';
import { l10n } from '../../core/l10n';
import { installWebviewL10n } from './l10n';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

// The host's translations first: every text below goes through l10n.t.
installWebviewL10n();
const vscode = acquireVsCodeApi();
const OVERSCAN = 10;

// ---------------------------------------------------------------- state

let run: RunInfo | undefined;
let columns: GridColumn[] = [];
let rows: Cell[][] = [];
let expectedRows = 0;
let loading = false;
/** View positions → row indices; undefined means "all rows in order" (no filter, no sort). */
let view: number[] | undefined;
let sort: SortSpec | undefined;
let filterText = '';
let widths: number[] = [];
const selected = new Set<number>();
let anchor = -1;
let focusPos = -1;

const restored = vscode.getState();
if (restored) {
  run = restored.run;
  sort = restored.sort;
  filterText = restored.filter ?? '';
}

// ---------------------------------------------------------------- DOM

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const queryEl = $('run-query');
const metaEl = $('run-meta');
const filterEl = $<HTMLInputElement>('filter');
const countEl = $('count');
const noticesEl = $('notices');
const messageEl = $('message');
const grid = $('grid');
const header = $('grid-header');
const body = $('grid-body');
const buttons = {
  copy: $<HTMLButtonElement>('copy'),
  csv: $<HTMLButtonElement>('export-csv'),
  json: $<HTMLButtonElement>('export-json'),
  rerun: $<HTMLButtonElement>('rerun'),
};
filterEl.value = filterText;

const viewLength = () => (view ? view.length : rows.length);
const rowAt = (pos: number) => (view ? view[pos]! : pos);

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function persist(): void {
  vscode.setState({ run, sort, filter: filterText });
}

// ---------------------------------------------------------------- header

const measureCanvas = document.createElement('canvas').getContext('2d');

/** Column widths from the header and the longest value among the first rows, measured in the grid's fonts. */
function measureWidths(): number[] {
  const sample = rows.slice(0, 200);
  const cellFont = getComputedStyle(grid).font;
  const headFont = `600 ${getComputedStyle(document.body).font}`;
  const width = (text: string, font: string) => {
    if (!measureCanvas) return text.length * 8;
    measureCanvas.font = font;
    return measureCanvas.measureText(text).width;
  };
  return columns.map((c, i) => {
    let longest = '';
    for (const r of sample) {
      const t = displayText(r[i] ?? null, c.kind);
      if (t.length > longest.length) longest = t.slice(0, 60);
    }
    const head = width(c.name, headFont) + width(c.type, getComputedStyle(document.body).font) * 0.85 + 30;
    return Math.round(Math.min(440, Math.max(64, head, width(longest, cellFont) + 16)));
  });
}

function applyWidths(): void {
  const rownum = Math.max(44, String(Math.max(1, rows.length)).length * 8 + 16);
  grid.style.setProperty('--cols', `${rownum}px ${widths.map((w) => `${w}px`).join(' ')}`);
}

function buildHeader(): void {
  header.textContent = '';
  header.setAttribute('role', 'row');
  header.setAttribute('aria-rowindex', '1');
  const num = document.createElement('div');
  num.className = 'colhead rownum';
  num.setAttribute('role', 'columnheader');
  num.textContent = '#';
  header.appendChild(num);
  columns.forEach((c, i) => {
    const h = document.createElement('div');
    h.className = `colhead ${c.kind}`;
    h.setAttribute('role', 'columnheader');
    h.setAttribute('aria-colindex', String(i + 2));
    h.title = l10n.t('{0} ({1}). Click, or press Enter, to sort.', c.name, c.type);
    // Headers are in the tab order so the grid can be sorted without a mouse (Enter or Space).
    h.tabIndex = 0;
    h.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      e.stopPropagation();
      cycleSort(i);
    });
    const name = document.createElement('span');
    name.textContent = c.name;
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = c.type;
    const arrow = document.createElement('span');
    arrow.className = 'sort';
    const grip = document.createElement('span');
    grip.className = 'resize';
    grip.addEventListener('mousedown', (e) => startResize(e, i));
    grip.addEventListener('click', (e) => e.stopPropagation());
    h.append(name, type, arrow, grip);
    h.addEventListener('click', () => cycleSort(i));
    header.appendChild(h);
  });
  updateSortMarks();
}

function updateSortMarks(): void {
  header.querySelectorAll<HTMLElement>('.colhead[aria-colindex]').forEach((h) => {
    const i = Number(h.getAttribute('aria-colindex')) - 2;
    const on = sort?.column === i;
    h.setAttribute('aria-sort', on ? (sort!.direction === 'asc' ? 'ascending' : 'descending') : 'none');
    h.querySelector('.sort')!.textContent = on ? (sort!.direction === 'asc' ? '▲' : '▼') : '';
  });
}

function startResize(e: MouseEvent, col: number): void {
  e.preventDefault();
  e.stopPropagation();
  const startX = e.clientX;
  const startW = widths[col]!;
  const move = (ev: MouseEvent) => {
    widths[col] = Math.max(40, startW + ev.clientX - startX);
    applyWidths();
  };
  const up = () => {
    window.removeEventListener('mousemove', move);
    window.removeEventListener('mouseup', up);
  };
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up);
}

function cycleSort(col: number): void {
  if (!sort || sort.column !== col) sort = { column: col, direction: 'asc' };
  else if (sort.direction === 'asc') sort = { column: col, direction: 'desc' };
  else sort = undefined;
  updateSortMarks();
  recompute();
  viewChanged();
}

// ---------------------------------------------------------------- rows (virtualised, recycled)

const pool: HTMLDivElement[] = [];

function makeRow(): HTMLDivElement {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'row');
  el.id = `grid-row-${pool.length}`;
  const num = document.createElement('div');
  num.className = 'cell rownum';
  num.setAttribute('role', 'rowheader');
  el.appendChild(num);
  columns.forEach((c, i) => {
    const cell = document.createElement('div');
    cell.className = `cell ${c.kind}`;
    cell.setAttribute('role', 'gridcell');
    cell.setAttribute('aria-colindex', String(i + 2));
    el.appendChild(cell);
  });
  body.appendChild(el);
  return el;
}

let frame = 0;
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function render(): void {
  const total = viewLength();
  const headerHeight = header.offsetHeight || ROW_HEIGHT;
  const w = virtualWindow({
    scrollTop: Math.max(0, grid.scrollTop),
    viewportHeight: Math.max(0, grid.clientHeight - headerHeight),
    rowHeight: ROW_HEIGHT,
    rowCount: total,
    overscan: OVERSCAN,
  });
  body.style.height = `${w.totalHeight}px`;
  grid.setAttribute('aria-rowcount', String(total + 1));
  const needed = w.last - w.first;
  // Screen readers follow the keyboard-focused row through aria-activedescendant (the grid keeps DOM focus).
  let activeId: string | undefined;
  while (pool.length < needed) pool.push(makeRow());
  for (let k = 0; k < pool.length; k++) {
    const el = pool[k]!;
    if (k >= needed) {
      el.classList.add('hidden');
      continue;
    }
    const pos = w.first + k;
    const index = rowAt(pos);
    el.classList.remove('hidden');
    el.style.transform = `translateY(${pos * ROW_HEIGHT}px)`;
    el.setAttribute('aria-rowindex', String(pos + 2));
    el.classList.toggle('odd', pos % 2 === 1);
    el.dataset.pos = String(pos);
    el.classList.toggle('selected', selected.has(pos));
    el.setAttribute('aria-selected', String(selected.has(pos)));
    el.classList.toggle('focused', pos === focusPos);
    if (pos === focusPos) activeId = el.id;
    if (el.dataset.index !== String(index) || el.dataset.gen !== String(generation)) {
      el.dataset.index = String(index);
      el.dataset.gen = String(generation);
      const row = rows[index] ?? [];
      const cells = el.children;
      (cells[0] as HTMLElement).textContent = String(index + 1);
      for (let c = 0; c < columns.length; c++) {
        const cellEl = cells[c + 1] as HTMLElement;
        const value = row[c] ?? null;
        const text = displayText(value, columns[c]!.kind);
        cellEl.textContent = text;
        cellEl.classList.toggle('null', value === null);
        cellEl.title = text.length > 30 ? text.slice(0, 2000) : '';
      }
    }
  }
  if (activeId) grid.setAttribute('aria-activedescendant', activeId);
  else grid.removeAttribute('aria-activedescendant');
  updateCount();
}

/** Bumped whenever rows/columns are replaced, so recycled row elements refresh their cells. */
let generation = 0;

grid.addEventListener('scroll', scheduleRender, { passive: true });
new ResizeObserver(scheduleRender).observe(grid);

// ---------------------------------------------------------------- view (filter, sort)

function recompute(): void {
  const parsed = parseFilter(filterText, columns);
  filterEl.classList.toggle('problem', parsed.problems.length > 0);
  filterEl.title = parsed.problems.join(' ');
  view = parsed.terms.length === 0 && !sort ? undefined : computeView(columns, rows, { filter: filterText, sort });
  selected.clear();
  anchor = -1;
  focusPos = -1;
  generation++;
  scheduleRender();
}

let viewTimer: ReturnType<typeof setTimeout> | undefined;
function viewChanged(): void {
  persist();
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => post({ type: 'viewState', sort, filter: filterText }), 150);
}

let filterTimer: ReturnType<typeof setTimeout> | undefined;
filterEl.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    filterText = filterEl.value;
    recompute();
    viewChanged();
  }, rows.length > 20_000 ? 250 : 80);
});
filterEl.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && filterEl.value) {
    filterEl.value = '';
    filterEl.dispatchEvent(new Event('input'));
  } else if (e.key === 'ArrowDown') {
    e.preventDefault();
    grid.focus();
    moveFocus(0, false);
  }
});

function updateCount(): void {
  const total = rows.length;
  const shown = viewLength();
  const n = (x: number) => x.toLocaleString('en-US');
  if (loading) countEl.textContent = l10n.t('Loading {0} / {1} rows…', n(total), n(expectedRows));
  else if (!columns.length) countEl.textContent = '';
  else if (shown === total) countEl.textContent = total === 1 ? l10n.t('1 row') : l10n.t('{0} rows', n(total));
  else countEl.textContent = l10n.t('{0} of {1} rows', n(shown), n(total));
  const sel = selected.size;
  if (sel > 1) countEl.textContent += l10n.t(' · {0} selected', n(sel));
  const hasRows = !loading && columns.length > 0;
  buttons.copy.disabled = !hasRows || shown === 0;
  buttons.csv.disabled = !hasRows;
  buttons.json.disabled = !hasRows;
}

// ---------------------------------------------------------------- selection, keyboard, copy

body.addEventListener('mousedown', (e) => {
  const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.row');
  if (!rowEl) return;
  const pos = Number(rowEl.dataset.pos);
  if (e.shiftKey && anchor >= 0) {
    selected.clear();
    for (let p = Math.min(anchor, pos); p <= Math.max(anchor, pos); p++) selected.add(p);
  } else if (e.ctrlKey || e.metaKey) {
    if (selected.has(pos)) selected.delete(pos);
    else selected.add(pos);
    anchor = pos;
  } else {
    selected.clear();
    selected.add(pos);
    anchor = pos;
  }
  focusPos = pos;
  grid.focus();
  scheduleRender();
});

body.addEventListener('dblclick', (e) => {
  const cellEl = (e.target as HTMLElement).closest<HTMLElement>('.cell');
  const rowEl = cellEl?.closest<HTMLElement>('.row');
  if (!cellEl || !rowEl || cellEl.classList.contains('rownum')) return;
  const col = Number(cellEl.getAttribute('aria-colindex')) - 2;
  const value = rows[Number(rowEl.dataset.index)]?.[col] ?? null;
  const text = value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  post({ type: 'copy', text, rows: 0 });
});

function moveFocus(delta: number, extend: boolean): void {
  const total = viewLength();
  if (total === 0) return;
  const next = Math.min(total - 1, Math.max(0, (focusPos < 0 ? 0 : focusPos + delta)));
  focusPos = next;
  if (extend && anchor >= 0) {
    selected.clear();
    for (let p = Math.min(anchor, next); p <= Math.max(anchor, next); p++) selected.add(p);
  } else {
    selected.clear();
    selected.add(next);
    anchor = next;
  }
  const headerHeight = header.offsetHeight || ROW_HEIGHT;
  grid.scrollTop = scrollIntoView(next, grid.scrollTop, grid.clientHeight - headerHeight, ROW_HEIGHT);
  scheduleRender();
}

grid.addEventListener('keydown', (e) => {
  const page = Math.max(1, Math.floor((grid.clientHeight - ROW_HEIGHT) / ROW_HEIGHT) - 1);
  const mod = e.ctrlKey || e.metaKey;
  if (e.key === 'ArrowDown') moveFocus(1, e.shiftKey);
  else if (e.key === 'ArrowUp') moveFocus(-1, e.shiftKey);
  else if (e.key === 'PageDown') moveFocus(page, e.shiftKey);
  else if (e.key === 'PageUp') moveFocus(-page, e.shiftKey);
  else if (e.key === 'Home' && mod) moveFocus(-viewLength(), e.shiftKey);
  else if (e.key === 'End' && mod) moveFocus(viewLength(), e.shiftKey);
  else if (mod && e.key.toLowerCase() === 'a') {
    selected.clear();
    for (let p = 0; p < viewLength(); p++) selected.add(p);
    scheduleRender();
  } else if (mod && e.key.toLowerCase() === 'c') copy();
  else if (mod && e.key.toLowerCase() === 'f') filterEl.focus();
  else return;
  e.preventDefault();
});

/** Copies the selected rows, or every row in the view when nothing is selected, as TSV with a header. */
function copy(): void {
  if (!columns.length) return;
  const positions = selected.size ? [...selected].sort((a, b) => a - b) : Array.from({ length: viewLength() }, (_, p) => p);
  const indices = positions.map(rowAt);
  post({ type: 'copy', text: toTsv(columns, rows, indices), rows: indices.length });
}

buttons.copy.addEventListener('click', copy);
buttons.csv.addEventListener('click', () => post({ type: 'export', format: 'csv', sort, filter: filterText }));
buttons.json.addEventListener('click', () => post({ type: 'export', format: 'json', sort, filter: filterText }));
buttons.rerun.addEventListener('click', () => post({ type: 'rerun' }));
queryEl.addEventListener('click', () => {
  if (run?.mode !== 'list') post({ type: 'openQuery' });
});

// ---------------------------------------------------------------- host messages

function showRun(r: RunInfo | undefined): void {
  queryEl.textContent = r ? r.queryPreview : l10n.t('No query has run in this panel yet.');
  queryEl.title = r ? l10n.t('Show the query in its file') : '';
  const parts = r
    ? [
        r.fileName,
        r.timespanLabel,
        new Date(r.startedAt).toLocaleTimeString(),
        r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : undefined,
      ]
    : [];
  metaEl.textContent = parts.filter(Boolean).join(' · ');
  buttons.rerun.disabled = !r;
  const list = r?.mode === 'list';
  queryEl.setAttribute('role', list ? 'heading' : 'link');
  if (list) queryEl.title = '';
  buttons.rerun.textContent = list ? (r?.actionLabel ?? '') : l10n.t('Run again');
  buttons.rerun.title = list ? (r?.actionLabel ?? '') : l10n.t('Run the query again');
  buttons.rerun.classList.toggle('hidden', list && !r?.actionLabel);
}

function showNotices(list: readonly Notice[]): void {
  noticesEl.textContent = '';
  for (const n of list) {
    const el = document.createElement('div');
    el.className = `notice ${n.level}`;
    el.dataset.code = n.code;
    el.setAttribute('role', n.level === 'info' ? 'status' : 'alert');
    el.textContent = n.text;
    noticesEl.appendChild(el);
  }
}

/** The message in place of the grid: a title, its detail lines and a button (`label`) that posts `rerun`. */
function showMessage(kind: 'running' | 'error' | 'info' | undefined, title?: string, detail: string[] = [], label?: string): void {
  grid.classList.toggle('hidden', kind !== undefined);
  messageEl.classList.toggle('hidden', kind === undefined);
  messageEl.className = kind ? kind : 'hidden';
  messageEl.textContent = '';
  if (!kind) return;
  const h = document.createElement('h2');
  if (kind === 'running') {
    const spin = document.createElement('span');
    spin.className = 'spinner';
    h.appendChild(spin);
  }
  h.appendChild(document.createTextNode(title ?? ''));
  messageEl.appendChild(h);
  detail.forEach((line, i) => {
    const p = document.createElement('p');
    p.textContent = line;
    if (i > 0) p.className = 'detail';
    messageEl.appendChild(p);
  });
  if (label) {
    const b = document.createElement('button');
    b.className = 'primary';
    b.textContent = label;
    b.addEventListener('click', () => post({ type: 'rerun' }));
    messageEl.appendChild(b);
  }
  messageEl.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

/** The lines under an error's title. @l10n */
function errorLines(e: ErrorInfo): string[] {
  const lines = [e.message];
  if (e.where) lines.push(l10n.t('Where: {0} (marked in the editor).', e.where));
  if (e.retryAt) lines.push(l10n.t('Queries can run again after {0}.', new Date(e.retryAt).toLocaleTimeString()));
  if (e.requestId) lines.push(l10n.t('Request id: {0}', e.requestId));
  return lines;
}

function reset(r: RunInfo | undefined): void {
  run = r;
  columns = [];
  rows = [];
  view = undefined;
  selected.clear();
  anchor = -1;
  focusPos = -1;
  generation++;
  for (const el of pool) el.remove();
  pool.length = 0;
  header.textContent = '';
  body.style.height = '0px';
  showRun(r);
  showNotices([]);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'running':
      reset(msg.run);
      loading = false;
      showMessage('running', msg.run.mode === 'list' ? l10n.t('Loading…') : l10n.t('Running query…'), [`${msg.run.fileName} · ${msg.run.timespanLabel}`]);
      // Kept from the start, so a reload mid-run still knows which query to offer again.
      persist();
      break;
    case 'begin':
      reset(msg.run);
      columns = [...msg.columns];
      expectedRows = msg.totalRows;
      rows = [];
      loading = msg.totalRows > 0;
      if (sort && sort.column >= columns.length) sort = undefined;
      widths = columns.map(() => 120);
      buildHeader();
      showNotices(msg.notices);
      showMessage(undefined);
      applyWidths();
      scheduleRender();
      persist();
      break;
    case 'rows':
      if (!run || msg.runId !== run.runId) break;
      for (const r of msg.rows) rows.push(r as Cell[]);
      if (rows.length === msg.rows.length) {
        widths = measureWidths();
        applyWidths();
      }
      if (filterText || sort) view = undefined; // full view computed at 'end'
      scheduleRender();
      break;
    case 'end':
      if (!run || msg.runId !== run.runId) break;
      loading = false;
      if (!widths.length || rows.length < 200) widths = measureWidths();
      applyWidths();
      recompute();
      persist();
      post({ type: 'viewState', sort, filter: filterText });
      break;
    case 'failed':
      reset(msg.run);
      loading = false;
      showMessage('error', msg.error.title, errorLines(msg.error), l10n.t('Run again'));
      persist();
      break;
    case 'cancelled':
      reset(msg.run);
      loading = false;
      showMessage('info', l10n.t('Query cancelled.'), [], l10n.t('Run again'));
      break;
    case 'unavailable':
      reset(msg.run ?? run);
      loading = false;
      showMessage('info', l10n.t('These results are gone.'), [l10n.t('Results are kept only while VS Code runs. Run the query again to see them.')], msg.run || run ? l10n.t('Run again') : undefined);
      break;
    case 'status':
      countEl.textContent = msg.text;
      setTimeout(updateCount, 2500);
      break;
  }
});

showRun(run);
showMessage('info', run ? l10n.t('Waiting for results…') : l10n.t('No results yet.'), []);
post({ type: 'ready' });
