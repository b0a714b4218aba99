/**
 * The performance analyzer (defender.md §6): the recording and report scripts, exact converters for the `-Raw`
 * numbers (durations are 100-ns ticks, times are FILETIME), and the report model a person reads: the top lists
 * (files, extensions, processes, paths, scans) and the combinations the seed names (top files per extension, top
 * paths per extension, top processes per path, top scans per file, top scans per file per process).
 */
import { DefenderToolError } from '../core/errors';
import { psInt, quotePs } from '../powershell/quote';
import { l10n } from '../core/l10n';

export class PerformanceValueError extends DefenderToolError {
  constructor(what: string, value: unknown) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value === 'bigint' ? `${value}n` : String(value);
    super('perfValue', l10n.t('Expected {0} as an integer (number, bigint or numeric string), got {1}.', what, shown));
  }
}

const TICKS_PER_MS = 10_000n;
/** 100-ns intervals from 1601-01-01 to 1970-01-01 (both UTC). */
export const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const MAX_DATE_MS = 8_640_000_000_000_000n;

/** An integer as a bigint, from a number, a bigint or a numeric string (optional sign, digits only). */
function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new PerformanceValueError(what, value);
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (!/^[+-]?\d+$/.test(text)) throw new PerformanceValueError(what, value);
    return BigInt(text);
  }
  throw new PerformanceValueError(what, value);
}

/**
 * 100-ns ticks (a `-Raw` duration) to milliseconds: 12345 ticks → 1.2345 ms. Whole milliseconds and the
 * remainder are split as integers first, so large values lose nothing before the final number.
 */
export function ticksToMs(value: number | bigint | string): number {
  const ticks = toBigInt(value, l10n.t('a duration in 100-ns ticks'));
  const whole = ticks / TICKS_PER_MS;
  const rest = ticks % TICKS_PER_MS;
  return Number(whole) + Number(rest) / 10_000;
}

/**
 * A FILETIME (100-ns intervals since 1601-01-01 UTC, a `-Raw` time) to a Date, floored to the millisecond a Date
 * can hold. Values outside Date's range are refused.
 */
export function fileTimeToDate(value: number | bigint | string): Date {
  const ft = toBigInt(value, l10n.t('a FILETIME'));
  if (ft < 0n) throw new PerformanceValueError(l10n.t('a FILETIME (not negative)'), value);
  const sinceUnix = ft - FILETIME_UNIX_EPOCH;
  // Floor, not truncate: a time before 1970 still rounds down to its millisecond.
  let ms = sinceUnix / TICKS_PER_MS;
  if (sinceUnix % TICKS_PER_MS !== 0n && sinceUnix < 0n) ms -= 1n;
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) throw new PerformanceValueError(l10n.t('a FILETIME within the range of a date'), value);
  return new Date(Number(ms));
}

/**
 * JSON.parse, except that integers too long for a double (FILETIMEs are ~1.3e17) stay exact: any integer of 16 or
 * more digits becomes a string, which ticksToMs/fileTimeToDate accept. Text inside strings is never touched.
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (m) {
        const digits = m[0].replace('-', '');
        out += !m[1] && !m[2] && digits.length >= 16 ? `"${m[0]}"` : m[0];
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return JSON.parse(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Requirements and scripts

/** Performance analyzer needs platform 4.18.2108.7 or later (defender.md §6). */
export const MIN_ANALYZER_PLATFORM = '4.18.2108.7';

/** Compares dotted versions numerically; undefined when either is not a version. */
export function compareVersions(a: string | undefined, b: string): number | undefined {
  const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : undefined);
  const x = a ? parse(a) : undefined;
  const y = parse(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export type AnalyzerReadiness =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'platform' | 'platformUnknown' | 'elevation'; readonly message: string };

/** Platform first, then elevation. Troubleshooting mode is not needed to record (only to add exclusions). */
export function analyzerReadiness(platformVersion: string | undefined, elevated: boolean): AnalyzerReadiness {
  const cmp = compareVersions(platformVersion, MIN_ANALYZER_PLATFORM);
  if (cmp === undefined) {
    return { ok: false, reason: 'platformUnknown', message: l10n.t('The Defender platform version is unknown; the performance analyzer needs {0} or later.', MIN_ANALYZER_PLATFORM) };
  }
  if (cmp < 0) {
    return {
      ok: false,
      reason: 'platform',
      message: l10n.t('The Defender platform is {0}; the performance analyzer needs {1} or later. Update the Defender platform (KB4052623) first.', String(platformVersion), MIN_ANALYZER_PLATFORM),
    };
  }
  if (!elevated) {
    return { ok: false, reason: 'elevation', message: l10n.t('Recording a performance trace needs an elevated session. Start VS Code as administrator.') };
  }
  return { ok: true };
}

export const PII_NOTICE =
  'A performance recording may contain personal data: paths of files and registry keys accessed, and process names. Share it with care.';
export const TS_MODE_NOTICE =
  'Recording does not need troubleshooting mode; adding an exclusion from the report does (policy-managed settings are read-only outside a session).';

export const WPR_BUSY_MESSAGE = 'Windows Performance Recorder is already recording';
/** The documented fix when WPR is already recording (defender.md §6). */
export const WPR_CANCEL_COMMAND = 'wpr -cancel -instancename MSFT_MpPerformanceRecording';

export function isWprBusy(message: string | undefined): boolean {
  return !!message && message.includes(WPR_BUSY_MESSAGE);
}

export const MAX_RECORDING_SECONDS = 2_147_483;

/** `New-MpPerformanceRecording -Seconds N -RecordTo <file>` (the Timed parameter set, for automation). */
export function recordingScript(file: string, seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_RECORDING_SECONDS) {
    throw new PerformanceValueError(l10n.t('a recording length of 1–{0} seconds', MAX_RECORDING_SECONDS), seconds);
  }
  return [
    // Its progress and notices go to the host (Write-Host, stream 6): kept off stdout, which carries our one document.
    `New-MpPerformanceRecording -Seconds ${psInt(seconds)} -RecordTo ${quotePs(file, 'path')} 6>$null | Out-Null`,
    `$item = Get-Item -LiteralPath ${quotePs(file, 'path')}`,
    'Write-DtmOk @{ file = $item.FullName; bytes = [long]$item.Length }',
  ].join('\n');
}

export function wprCancelScript(): string {
  return [
    `& wpr.exe -cancel -instancename ${quotePs('MSFT_MpPerformanceRecording', 'name')}`,
    'Write-DtmOk @{ exitCode = [int]$LASTEXITCODE }',
  ].join('\n');
}

/** The version and elevation facts the analyzer checks first. */
export function analyzerFactsScript(): string {
  return [
    '$status = Get-MpComputerStatus | Select-Object -Property AMProductVersion',
    '$hasReport = $null -ne (Get-Command Get-MpPerformanceReport -ErrorAction SilentlyContinue)',
    'Write-DtmOk @{ platform = [string]$status.AMProductVersion; elevated = (Test-DtmElevated); hasReport = $hasReport }',
  ].join('\n');
}

export interface ReportOptions {
  /** How many entries in each top list (`defenderTroubleshooting.performance.topCount`). */
  readonly topCount: number;
  /** How many entries in each nested list (`defenderTroubleshooting.performance.nestedCount`). */
  readonly nestedCount: number;
}

export const JSON_DEPTH = 12;

/** The parameters, top lists first, then the combinations; paths only where the module has them. */
export function reportParameters(o: ReportOptions): { base: [string, number][]; paths: [string, number][] } {
  const top = clampCount(o.topCount);
  const nested = clampCount(o.nestedCount);
  return {
    base: [
      ['TopFiles', top],
      ['TopScansPerFile', nested],
      ['TopProcessesPerFile', nested],
      ['TopExtensions', top],
      ['TopFilesPerExtension', nested],
      ['TopProcesses', top],
      ['TopFilesPerProcess', nested],
      ['TopScansPerFilePerProcess', nested],
      ['TopScans', top],
    ],
    paths: [
      ['TopPaths', top],
      ['TopProcessesPerPath', nested],
      ['TopFilesPerPath', nested],
      ['TopPathsPerExtension', nested],
    ],
  };
}

function clampCount(n: number): number {
  return Number.isInteger(n) ? Math.min(Math.max(n, 1), 1000) : 10;
}

/**
 * `Get-MpPerformanceReport -Path <file> -Top… -Raw | ConvertTo-Json -Depth N`, splatted so the TopPaths family is
 * added only when this module's Get-MpPerformanceReport has it (newer builds).
 */
export function reportScript(file: string, o: ReportOptions): string {
  const { base, paths } = reportParameters(o);
  const pair = ([k, v]: [string, number]) => `${k} = ${psInt(v)}`;
  return [
    `$params = @{ Path = ${quotePs(file, 'path')}; Raw = $true; ${base.map(pair).join('; ')} }`,
    "$hasPaths = (Get-Command Get-MpPerformanceReport).Parameters.ContainsKey('TopPaths')",
    `if ($hasPaths) { ${paths.map(([k, v]) => `$params[${quotePs(k, 'name')}] = ${psInt(v)}`).join('; ')} }`,
    '$report = Get-MpPerformanceReport @params',
    `$json = $report | ConvertTo-Json -Depth ${psInt(JSON_DEPTH)} -Compress`,
    'Write-DtmOk @{ json = [string]$json; hasPaths = [bool]$hasPaths }',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The report model

export interface Stats {
  readonly count: number;
  readonly totalMs: number;
  readonly minMs: number;
  readonly averageMs: number;
  readonly maxMs: number;
  readonly medianMs: number;
}

export interface Scan {
  readonly scanType: string;
  readonly start?: Date;
  readonly end?: Date;
  readonly durationMs: number;
  readonly reason: string;
  readonly path: string;
  readonly processPath: string;
  readonly processId?: number;
  readonly skipReason?: string;
}

export type EntryKind = 'file' | 'extension' | 'process' | 'path';

export interface Entry {
  readonly kind: EntryKind;
  /** The file path, extension, process path or folder path. */
  readonly key: string;
  readonly stats: Stats;
  readonly scans: Scan[];
  readonly files: Entry[];
  readonly extensions: Entry[];
  readonly processes: Entry[];
  readonly paths: Entry[];
}

export interface PerformanceReport {
  readonly topFiles: Entry[];
  readonly topExtensions: Entry[];
  readonly topProcesses: Entry[];
  readonly topPaths: Entry[];
  readonly topScans: Scan[];
  /** Whether the module produced TopPaths (newer builds only). */
  readonly hasPaths: boolean;
  readonly overview?: Readonly<Record<string, unknown>>;
}

function list(v: unknown): Record<string, unknown>[] {
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x));
}

function optMs(v: unknown): number {
  return v === null || v === undefined || v === '' ? 0 : ticksToMs(v as number | string);
}
function optDate(v: unknown): Date | undefined {
  return v === null || v === undefined || v === '' ? undefined : fileTimeToDate(v as number | string);
}

function parseStats(r: Record<string, unknown>): Stats {
  return {
    count: Number(r.Count ?? 0) || 0,
    totalMs: optMs(r.TotalDuration),
    minMs: optMs(r.MinDuration),
    averageMs: optMs(r.AverageDuration),
    maxMs: optMs(r.MaxDuration),
    medianMs: optMs(r.MedianDuration),
  };
}

export function parseScan(r: Record<string, unknown>): Scan {
  const pid = Number(r.ProcessId);
  return {
    scanType: String(r.ScanType ?? ''),
    start: optDate(r.StartTime),
    end: optDate(r.EndTime),
    durationMs: optMs(r.Duration),
    reason: String(r.Reason ?? ''),
    path: String(r.Path ?? ''),
    processPath: String(r.ProcessPath ?? ''),
    processId: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    skipReason: typeof r.SkipReason === 'string' ? r.SkipReason : undefined,
  };
}

const KEY_FIELD: Record<EntryKind, string> = { file: 'Path', extension: 'Extension', process: 'ProcessPath', path: 'Path' };

function parseEntry(kind: EntryKind, r: Record<string, unknown>): Entry {
  return {
    kind,
    key: String(r[KEY_FIELD[kind]] ?? (kind === 'process' ? r.Process : '') ?? ''),
    stats: parseStats(r),
    scans: list(r.Scans).map(parseScan),
    files: list(r.Files).map((x) => parseEntry('file', x)),
    extensions: list(r.Extensions).map((x) => parseEntry('extension', x)),
    processes: list(r.Processes).map((x) => parseEntry('process', x)),
    paths: list(r.Paths).map((x) => parseEntry('path', x)),
  };
}

/** The `-Raw` object (already parsed, or its JSON text) as the report model. */
export function parsePerformanceReport(raw: unknown): PerformanceReport {
  const obj = typeof raw === 'string' ? parseJsonExact(raw) : raw;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new DefenderToolError('perfReport', l10n.t('Get-MpPerformanceReport returned no report object.'));
  }
  const r = obj as Record<string, unknown>;
  const byTotal = (a: Entry, b: Entry) => b.stats.totalMs - a.stats.totalMs;
  return {
    topFiles: list(r.TopFiles).map((x) => parseEntry('file', x)).sort(byTotal),
    topExtensions: list(r.TopExtensions).map((x) => parseEntry('extension', x)).sort(byTotal),
    topProcesses: list(r.TopProcesses).map((x) => parseEntry('process', x)).sort(byTotal),
    topPaths: list(r.TopPaths).map((x) => parseEntry('path', x)).sort(byTotal),
    topScans: list(r.TopScans).map(parseScan).sort((a, b) => b.durationMs - a.durationMs),
    hasPaths: 'TopPaths' in r,
    overview: r.Overview && typeof r.Overview === 'object' ? (r.Overview as Record<string, unknown>) : undefined,
  };
}

/** What an "Add as Exclusion…" on a row hands to the exclusion playbook. */
export interface ExclusionTarget {
  readonly list: 'paths' | 'extensions' | 'processes';
  readonly value: string;
}

export interface TableRow {
  /** Parent keys for a combination table (e.g. the extension for "top files per extension"). */
  readonly parents: string[];
  readonly key: string;
  readonly count?: number;
  readonly totalMs: number;
  readonly averageMs?: number;
  readonly maxMs?: number;
  /** Scan rows: type, reason, process. */
  readonly detail?: string;
  readonly exclusion?: ExclusionTarget;
}

export interface ReportTable {
  readonly id: string;
  readonly title: string;
  /** The parent columns' names, outermost first. */
  readonly parentColumns: string[];
  readonly keyColumn: string;
  readonly rows: TableRow[];
  readonly scanTable: boolean;
}

function exclusionFor(kind: EntryKind, key: string): ExclusionTarget | undefined {
  if (!key) return undefined;
  if (kind === 'extension') return { list: 'extensions', value: key };
  if (kind === 'process') return { list: 'processes', value: key };
  return { list: 'paths', value: key };
}

function entryRow(e: Entry, parents: string[]): TableRow {
  return {
    parents,
    key: e.key,
    count: e.stats.count,
    totalMs: e.stats.totalMs,
    averageMs: e.stats.averageMs,
    maxMs: e.stats.maxMs,
    exclusion: exclusionFor(e.kind, e.key),
  };
}

function scanRow(s: Scan, parents: string[]): TableRow {
  return {
    parents,
    key: s.path,
    totalMs: s.durationMs,
    detail: [s.scanType, s.reason, s.processPath && `by ${s.processPath}${s.processId ? ` (${s.processId})` : ''}`, s.skipReason]
      .filter(Boolean)
      .join(' · '),
    exclusion: exclusionFor('file', s.path),
  };
}

/**
 * Every table the report shows: the five top lists and the seed's combinations. Tables the recording has no rows
 * for are left out (e.g. top paths on a module without TopPaths).
 */
export function reportTables(r: PerformanceReport): ReportTable[] {
  const t = (id: string, title: string, parentColumns: string[], keyColumn: string, rows: TableRow[], scanTable = false): ReportTable => ({
    id,
    title,
    parentColumns,
    keyColumn,
    rows,
    scanTable,
  });
  // Column headers the report shows.
  const [fileCol, extensionCol, processCol, pathCol] = [l10n.t('File'), l10n.t('Extension'), l10n.t('Process'), l10n.t('Path')];
  const tables: ReportTable[] = [
    t('topFiles', l10n.t('Top files'), [], fileCol, r.topFiles.map((e) => entryRow(e, []))),
    t('topExtensions', l10n.t('Top extensions'), [], extensionCol, r.topExtensions.map((e) => entryRow(e, []))),
    t('topProcesses', l10n.t('Top processes'), [], processCol, r.topProcesses.map((e) => entryRow(e, []))),
    t('topPaths', l10n.t('Top paths'), [], pathCol, r.topPaths.map((e) => entryRow(e, []))),
    t('topScans', l10n.t('Top scans'), [], fileCol, r.topScans.map((s) => scanRow(s, [])), true),
    t('filesPerExtension', l10n.t('Top files per extension'), [extensionCol], fileCol, r.topExtensions.flatMap((x) => x.files.map((f) => entryRow(f, [x.key])))),
    t(
      'pathsPerExtension',
      l10n.t('Top paths per extension'),
      [extensionCol],
      pathCol,
      r.topExtensions.flatMap((x) => x.paths.map((p) => entryRow(p, [x.key]))),
    ),
    t('processesPerPath', l10n.t('Top processes per path'), [pathCol], processCol, r.topPaths.flatMap((p) => p.processes.map((x) => entryRow(x, [p.key])))),
    t('scansPerFile', l10n.t('Top scans per file'), [fileCol], fileCol, r.topFiles.flatMap((f) => f.scans.map((s) => scanRow(s, [f.key]))), true),
    t(
      'scansPerFilePerProcess',
      l10n.t('Top scans per file per process'),
      [processCol, fileCol],
      fileCol,
      r.topProcesses.flatMap((p) => p.files.flatMap((f) => f.scans.map((s) => scanRow(s, [p.key, f.key])))),
      true,
    ),
    t('processesPerFile', l10n.t('Top processes per file'), [fileCol], processCol, r.topFiles.flatMap((f) => f.processes.map((x) => entryRow(x, [f.key])))),
    t('filesPerProcess', l10n.t('Top files per process'), [processCol], fileCol, r.topProcesses.flatMap((p) => p.files.map((f) => entryRow(f, [p.key])))),
    t('filesPerPath', l10n.t('Top files per path'), [pathCol], fileCol, r.topPaths.flatMap((p) => p.files.map((f) => entryRow(f, [p.key])))),
  ];
  return tables.filter((x) => x.rows.length > 0);
}

/** The few rows a session report quotes: the biggest total scan time per kind. */
export function topFindings(r: PerformanceReport, n = 3): { kind: EntryKind; key: string; totalMs: number; count: number }[] {
  const pick = (entries: Entry[]) => entries.slice(0, n).map((e) => ({ kind: e.kind, key: e.key, totalMs: e.stats.totalMs, count: e.stats.count }));
  return [...pick(r.topFiles), ...pick(r.topExtensions), ...pick(r.topProcesses), ...pick(r.topPaths)];
}

/** "12.3456 ms", "1.23 s": what the tables print. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms < 10 ? 4 : 2)} ms`;
}

/** A stored recording: one folder per device in global storage. */
export interface StoredReport {
  readonly device: string;
  readonly recordedAt: string;
  readonly seconds: number;
  readonly etl: string;
  readonly options: ReportOptions;
  readonly hasPaths: boolean;
  /** The `-Raw` JSON text exactly as the module printed it. */
  readonly json: string;
}

export function reportFileName(recordedAt: Date): string {
  return `perf-${recordedAt.toISOString().replace(/[:.]/g, '-')}`;
}
