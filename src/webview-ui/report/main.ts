/**
 * The performance report (runs in the webview; bundled with Chart.js to dist/webview/report.js as an iife). Each
 * table gets a horizontal bar chart of total scan time (Chart.js draws on a canvas; it needs no eval and no
 * injected style, so the toolkit's strict CSP holds) and a sortable table whose rows offer "Add as Exclusion…".
 */
import type { ReportExclusionTarget, ReportHostMessage, ReportRow, ReportTableData, ReportWebviewMessage } from './protocol';
import { l10n } from '../../core/l10n';
import { installWebviewL10n } from '../toolkit/l10n';

// chart.js is an ES module; esbuild inlines this import into the iife bundle (no separate chunk, no eval).
type ChartModule = typeof import('chart.js', { with: { 'resolution-mode': 'import' } });
type Chart = InstanceType<ChartModule['Chart']>;
let ChartClass: ChartModule['Chart'] | undefined;
const chartReady = import('chart.js').then((m) => {
  m.Chart.register(m.BarController, m.BarElement, m.CategoryScale, m.LinearScale, m.Tooltip);
  ChartClass = m.Chart;
});

interface VsCodeApi {
  postMessage(message: ReportWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
// The host's translations first: every text below goes through l10n.t.
installWebviewL10n();
const vscode = acquireVsCodeApi();

const app = document.getElementById('app')!;
const charts: Chart[] = [];
const resultCells = new Map<string, HTMLElement[]>();

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function ms(v: number | undefined): string {
  if (v === undefined) return '';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 4 : 2)} ms`;
}

function shortLabel(text: string): string {
  return text.length > 48 ? `…${text.slice(-47)}` : text;
}

function targetKey(t: ReportExclusionTarget): string {
  return `${t.list}\u0000${t.value.toLowerCase()}`;
}

/** A table column; `label` is the header the user reads, `total` marks the column sorted by default. */
type Column = { label: string; value: (r: ReportRow) => string | number | undefined; numeric?: boolean; total?: boolean; format?: (r: ReportRow) => string };

function columnsFor(t: ReportTableData): Column[] {
  const cols: Column[] = t.parentColumns.map((label, i) => ({ label, value: (r: ReportRow) => r.parents[i] ?? '' }));
  cols.push({ label: t.keyColumn, value: (r) => r.key });
  if (!t.scanTable) cols.push({ label: l10n.t('Scans'), value: (r) => r.count, numeric: true, format: (r) => String(r.count ?? '') });
  cols.push({ label: t.scanTable ? l10n.t('Duration') : l10n.t('Total time'), value: (r) => r.totalMs, numeric: true, total: true, format: (r) => ms(r.totalMs) });
  if (!t.scanTable) {
    cols.push({ label: l10n.t('Average'), value: (r) => r.averageMs, numeric: true, format: (r) => ms(r.averageMs) });
    cols.push({ label: l10n.t('Max'), value: (r) => r.maxMs, numeric: true, format: (r) => ms(r.maxMs) });
  } else {
    cols.push({ label: l10n.t('Scan'), value: (r) => r.detail ?? '' });
  }
  return cols;
}

/** The theme's colours for a chart, read now (VS Code changes the variables when the theme changes). */
function chartColours() {
  return {
    bar: css('--vscode-charts-blue', '#3794ff'),
    text: css('--vscode-foreground', '#ccc'),
    muted: css('--vscode-descriptionForeground', '#999'),
    grid: css('--vscode-editorGroup-border', '#444'),
  };
}

/** Repaints the charts in the current theme's colours (a canvas does not follow CSS variables by itself). */
function recolourCharts(): void {
  const c = chartColours();
  for (const chart of charts) {
    const o = chart.options as { scales: { x: { title: { color: string }; ticks: { color: string }; grid: { color: string } }; y: { ticks: { color: string } } } };
    o.scales.x.title.color = c.muted;
    o.scales.x.ticks.color = c.text;
    o.scales.x.grid.color = c.grid;
    o.scales.y.ticks.color = c.text;
    for (const d of chart.data.datasets) (d as { backgroundColor: string }).backgroundColor = c.bar;
    chart.update();
  }
}

// VS Code sets the theme's variables on <html style> and its kind as a class on <body>.
let themeTimer: ReturnType<typeof setTimeout> | undefined;
const themeObserver = new MutationObserver(() => {
  if (themeTimer) clearTimeout(themeTimer);
  themeTimer = setTimeout(recolourCharts, 50);
});
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });

function drawChart(canvas: HTMLCanvasElement, t: ReportTableData): Chart {
  const top = [...t.rows].sort((a, b) => b.totalMs - a.totalMs).slice(0, 10);
  const label = (r: ReportRow) => shortLabel([...r.parents, r.key].filter(Boolean).join(' › '));
  const c = chartColours();
  return new ChartClass!(canvas, {
    type: 'bar',
    data: {
      labels: top.map(label),
      datasets: [{ label: l10n.t('Scan time (ms)'), data: top.map((r) => Number(r.totalMs.toFixed(4))), backgroundColor: c.bar, borderWidth: 0 }],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: {
        x: { title: { display: true, text: l10n.t('ms'), color: c.muted }, ticks: { color: c.text }, grid: { color: c.grid } },
        y: { ticks: { color: c.text }, grid: { display: false } },
      },
      plugins: { tooltip: { callbacks: { label: (ctx) => ms(Number(ctx.parsed.x)) } } },
    },
  });
}

function renderTable(section: HTMLElement, t: ReportTableData, headingId: string): void {
  const cols = columnsFor(t);
  const table = document.createElement('table');
  table.dataset.table = t.id;
  // Named by its heading, so a screen reader announces "Top files, table".
  table.setAttribute('aria-labelledby', headingId);
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  let sort: { col: number; dir: 1 | -1 } = { col: cols.findIndex((c) => c.total), dir: -1 };

  const fill = () => {
    body.textContent = '';
    const rows = [...t.rows].sort((a, b) => {
      const va = cols[sort.col]!.value(a);
      const vb = cols[sort.col]!.value(b);
      if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * sort.dir;
      return String(va ?? '').localeCompare(String(vb ?? '')) * sort.dir;
    });
    for (const r of rows) {
      const tr = body.insertRow();
      for (const c of cols) {
        const td = tr.insertCell();
        const text = c.format ? c.format(r) : String(c.value(r) ?? '');
        td.textContent = text;
        td.title = text;
        if (c.numeric) td.className = 'num';
      }
      const action = tr.insertCell();
      if (r.exclusion) {
        const target = r.exclusion;
        const button = document.createElement('button');
        button.textContent = l10n.t('Add as Exclusion…');
        button.title = l10n.t('Add {0} to the {1} exclusions (asks first, then verifies)', target.value, target.list);
        button.addEventListener('click', () => vscode.postMessage({ type: 'addExclusion', target }));
        const result = document.createElement('span');
        result.className = 'result';
        action.append(button, result);
        const key = targetKey(target);
        resultCells.set(key, [...(resultCells.get(key) ?? []), result]);
      }
    }
    head.querySelectorAll('th').forEach((th, i) => {
      if (i < cols.length) th.setAttribute('aria-sort', i === sort.col ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
    });
  };
  cols.forEach((c, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    // A button in the header cell (the sortable-table pattern): Tab reaches it, Enter or Space sorts, and the cell's
    // aria-sort says the order.
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.textContent = c.label;
    button.title = l10n.t('Sort by {0}', c.label);
    button.addEventListener('click', () => {
      sort = sort.col === i ? { col: i, dir: sort.dir === 1 ? -1 : 1 } : { col: i, dir: c.numeric ? -1 : 1 };
      fill();
    });
    th.appendChild(button);
    head.appendChild(th);
  });
  const actions = document.createElement('th');
  actions.scope = 'col';
  const actionsLabel = document.createElement('span');
  actionsLabel.className = 'visually-hidden';
  actionsLabel.textContent = l10n.t('Actions');
  actions.appendChild(actionsLabel);
  head.appendChild(actions);
  fill();
  section.appendChild(table);
}

function render(msg: Extract<ReportHostMessage, { type: 'report' }>): void {
  for (const c of charts.splice(0)) c.destroy();
  resultCells.clear();
  app.textContent = '';
  const header = document.createElement('header');
  const h1 = document.createElement('h1');
  h1.textContent = l10n.t('Defender performance report: {0}', msg.info.device);
  const meta = document.createElement('div');
  meta.className = 'meta';
  const recorded = new Date(msg.info.recordedAt).toLocaleString();
  meta.textContent = msg.info.hasPaths
    ? l10n.t('Recorded {0} for {1} s', recorded, msg.info.seconds)
    : l10n.t('Recorded {0} for {1} s · this module has no TopPaths', recorded, msg.info.seconds);
  header.append(h1, meta);
  for (const n of msg.info.notices) {
    const p = document.createElement('div');
    p.className = 'notice info';
    p.textContent = n;
    header.appendChild(p);
  }
  app.appendChild(header);
  if (!msg.tables.length) {
    const p = document.createElement('p');
    p.textContent = l10n.t('The recording has no scans.');
    app.appendChild(p);
  }
  for (const t of msg.tables) {
    const section = document.createElement('section');
    section.className = 'table';
    section.id = `table-${t.id}`;
    const h2 = document.createElement('h2');
    h2.id = `heading-${t.id}`;
    h2.textContent = t.title;
    section.setAttribute('aria-labelledby', h2.id);
    const chartBox = document.createElement('div');
    chartBox.className = 'chart';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', l10n.t('{0}: scan time by {1}', t.title, t.keyColumn.toLowerCase()));
    chartBox.appendChild(canvas);
    section.append(h2, chartBox);
    app.appendChild(section);
    charts.push(drawChart(canvas, t));
    renderTable(section, t, h2.id);
  }
  vscode.postMessage({ type: 'rendered', charts: charts.length, tables: msg.tables.length });
}

window.addEventListener('message', (event: MessageEvent<ReportHostMessage>) => {
  const msg = event.data;
  if (msg.type === 'report') void chartReady.then(() => render(msg));
  else if (msg.type === 'exclusionResult') {
    for (const el of resultCells.get(targetKey(msg.target)) ?? []) {
      el.textContent = msg.outcome;
      el.className = `result ${msg.ok ? 'ok' : 'bad'}`;
    }
  }
});

vscode.postMessage({ type: 'ready' });
