/**
 * The Defender Operational event log of a session (defender.md §5 and §11): which ids to read, what each means
 * (src/defender/eventCatalog.json, generated from shared/reference/events.json by scripts/gen-events.mjs), the
 * Get-WinEvent script with paging, and the reading of 5007 (configuration changed: `Old Value` → `New Value`) and
 * 5013 (tamper protection blocked a change: `Value`).
 */
import { psInt, quotePs } from '../powershell/quote';
import catalogJson from './eventCatalog.json';
import { l10n } from '../core/l10n';

export const OPERATIONAL_LOG_NAME = 'Microsoft-Windows-Windows Defender/Operational';

/** 5000/5001/5004/5007/5013 (the troubleshooting docs), detections 1116/1117, ASR 1121/1122, NP 1125/1126, PUA 1160. */
export const DEFAULT_EVENT_IDS: readonly number[] = [5000, 5001, 5004, 5007, 5013, 1116, 1117, 1121, 1122, 1125, 1126, 1160];

export const EVENT_CONFIG_CHANGED = 5007;
export const EVENT_TAMPER_BLOCKED = 5013;

export interface CatalogEvent {
  readonly id: number;
  readonly meaning: string;
  readonly symbolicName?: string;
}

const CATALOG: ReadonlyMap<number, CatalogEvent> = new Map(
  (catalogJson.events as CatalogEvent[]).map((e) => [e.id, e]),
);

/** The documented meaning of an event id, or undefined when Microsoft's list does not have it. */
export function eventMeaning(id: number): CatalogEvent | undefined {
  return CATALOG.get(id);
}

export function catalogIds(): number[] {
  return [...CATALOG.keys()];
}

/**
 * The ids setting as a clean list: integers 1–65535 (event ids are 16-bit), duplicates dropped, order kept.
 * Anything else falls back to the defaults, so a typo in settings never reads the whole log.
 */
export function normalizeEventIds(value: unknown): number[] {
  if (!Array.isArray(value)) return [...DEFAULT_EVENT_IDS];
  const ids: number[] = [];
  for (const v of value) {
    const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 && !ids.includes(n)) ids.push(n);
  }
  return ids.length ? ids : [...DEFAULT_EVENT_IDS];
}

// ---------------------------------------------------------------------------------------------------------------
// 5007 and 5013

export interface ConfigChange {
  /** The registry path of the setting, e.g. `HKLM\SOFTWARE\Microsoft\Windows Defender\Real-Time Protection\DisableRealtimeMonitoring`. */
  readonly path: string;
  /** The value after the last ` = ` of `Old Value`; undefined when that side is empty. */
  readonly oldValue: string | undefined;
  readonly newValue: string | undefined;
}

const SEPARATOR = ' = ';

/** Splits `path = value` at the LAST ` = ` (a path may contain ` = `). No separator: all of it is the path. */
export function splitRegistryValue(text: string | null | undefined): { path: string; value: string | undefined } | undefined {
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const at = text.lastIndexOf(SEPARATOR);
  if (at < 0) return { path: text.trim(), value: undefined };
  return { path: text.slice(0, at).trim(), value: text.slice(at + SEPARATOR.length).trim() };
}

/**
 * Reads event 5007's `Old Value` and `New Value` fields (each like `HKLM\...\DisableRealtimeMonitoring = 0x1`):
 * the registry path and the value on each side, `undefined` where a side is empty (a newly added exclusion has
 * an empty Old Value; a removed one an empty New Value).
 */
export function parseConfigChange(oldValue: string | null | undefined, newValue: string | null | undefined): ConfigChange {
  const before = splitRegistryValue(oldValue);
  const after = splitRegistryValue(newValue);
  return {
    path: after?.path || before?.path || '',
    oldValue: before?.value,
    newValue: after?.value,
  };
}

export interface BlockedChange {
  readonly path: string;
  /** What the blocked write carried, e.g. `(Current)`. */
  readonly value: string | undefined;
}

/** Reads event 5013's `Value` field: the setting tamper protection kept from changing. */
export function parseBlockedChange(value: string | null | undefined): BlockedChange | undefined {
  const split = splitRegistryValue(value);
  return split ? { path: split.path, value: split.value } : undefined;
}

const DEFENDER_KEY = /^(?:HKLM|HKEY_LOCAL_MACHINE)\\SOFTWARE\\(?:Policies\\)?Microsoft\\Windows Defender\\/i;
const EXCLUSION_ITEM = /^Exclusions\\(Paths|Extensions|Processes|IpAddresses)\\(.+)$/i;
const ASR_ITEM = /^Windows Defender Exploit Guard\\ASR\\Rules\\(.+)$/i;

export interface SettingName {
  /** The key under Windows Defender, e.g. `Real-Time Protection`, `Exclusions\Paths`. */
  readonly group: string;
  /** The value's name, e.g. `DisableRealtimeMonitoring`, or the excluded item `C:\temp`. */
  readonly name: string;
  /** A short label for lists: `Real-Time Protection\DisableRealtimeMonitoring`, `Exclusions\Paths: C:\temp`. */
  readonly label: string;
}

/**
 * A person-readable name for a Defender registry path. Exclusions and ASR rules carry the item as the value's
 * name (which can itself contain backslashes), so they are split on the list key, not the last backslash.
 */
export function settingName(registryPath: string): SettingName {
  const rel = registryPath.replace(DEFENDER_KEY, '');
  const ex = EXCLUSION_ITEM.exec(rel);
  if (ex) return { group: `Exclusions\\${ex[1]}`, name: ex[2], label: l10n.t('Exclusions\\{0}: {1}', ex[1], ex[2]) };
  const asr = ASR_ITEM.exec(rel);
  if (asr) return { group: 'ASR\\Rules', name: asr[1], label: l10n.t('ASR rule {0}', asr[1]) };
  const at = rel.lastIndexOf('\\');
  if (at < 0) return { group: '', name: rel, label: rel };
  return { group: rel.slice(0, at), name: rel.slice(at + 1), label: rel };
}

/**
 * Defender's own bookkeeping values, which also raise 5007 (defender.md §11 names these two). A person reviewing a
 * session does not want them first; they are folded away unless asked for.
 */
export const BOOKKEEPING_VALUE_NAMES: readonly string[] = ['WdConfigHash', 'IsServiceRunning'];

export function isBookkeeping(registryPath: string): boolean {
  const { name } = settingName(registryPath);
  return BOOKKEEPING_VALUE_NAMES.some((n) => n.toLowerCase() === name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------------------
// Records from Get-WinEvent and the rows a person reads

/** One event as the script returns it: named EventData fields from `$e.ToXml()`. */
export interface EventRecord {
  readonly id: number;
  readonly recordId?: number;
  readonly time: Date;
  readonly level?: string;
  readonly message?: string;
  readonly data: Readonly<Record<string, string>>;
}

function asDate(v: unknown): Date | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const ms = /^\/Date\((-?\d+)\)\/$/.exec(String(v));
  const d = ms ? new Date(Number(ms[1])) : new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Parses the script's `events` list; entries without an id or a time are dropped. */
export function parseEventRecords(raw: unknown): EventRecord[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const out: EventRecord[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const id = Number(r.id ?? r.Id);
    const time = asDate(r.time ?? r.TimeCreated);
    if (!Number.isInteger(id) || !time) continue;
    const data: Record<string, string> = {};
    const rawData = r.data;
    if (rawData && typeof rawData === 'object' && !Array.isArray(rawData)) {
      for (const [k, v] of Object.entries(rawData as Record<string, unknown>)) data[k] = v === null || v === undefined ? '' : String(v);
    }
    const recordId = Number(r.recordId ?? r.RecordId);
    out.push({
      id,
      recordId: Number.isInteger(recordId) ? recordId : undefined,
      time,
      level: typeof r.level === 'string' ? r.level : undefined,
      message: typeof r.message === 'string' ? r.message : typeof r.Message === 'string' ? r.Message : undefined,
      data,
    });
  }
  return out;
}

/** A field by name, ignoring case and spaces (`Old Value`, `OldValue`). */
export function eventField(data: Readonly<Record<string, string>>, name: string): string | undefined {
  const want = name.replace(/\s+/g, '').toLowerCase();
  for (const [k, v] of Object.entries(data)) if (k.replace(/\s+/g, '').toLowerCase() === want) return v;
  return undefined;
}

export interface EventRow {
  readonly time: Date;
  readonly id: number;
  readonly meaning: string;
  /** What it was about: the setting for 5007/5013, the threat or rule for detections. */
  readonly setting?: string;
  readonly oldValue?: string;
  readonly newValue?: string;
  readonly summary: string;
  readonly bookkeeping: boolean;
  readonly recordId?: number;
  readonly registryPath?: string;
}

const DETAIL_FIELDS = ['Threat Name', 'ID', 'Path', 'Process Name', 'Detection User', 'Action Name', 'Severity Name', 'Category Name'];

export function describeEvent(r: EventRecord): EventRow {
  const meaning = eventMeaning(r.id)?.meaning ?? 'Not in Microsoft\'s documented list of Defender event ids.';
  const base = { time: r.time, id: r.id, meaning, recordId: r.recordId };
  if (r.id === EVENT_CONFIG_CHANGED) {
    const c = parseConfigChange(eventField(r.data, 'Old Value'), eventField(r.data, 'New Value'));
    if (c.path) {
      const name = settingName(c.path);
      const summary = `${name.label}: ${c.oldValue ?? '(none)'} → ${c.newValue ?? '(removed)'}`;
      return { ...base, setting: name.label, oldValue: c.oldValue, newValue: c.newValue, summary, bookkeeping: isBookkeeping(c.path), registryPath: c.path };
    }
  }
  if (r.id === EVENT_TAMPER_BLOCKED) {
    const b = parseBlockedChange(eventField(r.data, 'Value'));
    if (b) {
      const name = settingName(b.path);
      return { ...base, setting: name.label, newValue: b.value, summary: l10n.t('Tamper protection blocked a change to {0}', name.label), bookkeeping: false, registryPath: b.path };
    }
  }
  const details = DETAIL_FIELDS.map((f) => [f, eventField(r.data, f)] as const).filter(([, v]) => v);
  const summary = details.length
    ? details.map(([k, v]) => `${k}: ${v}`).join('; ')
    : (r.message ?? '').split(/\r?\n/)[0] || meaning;
  return { ...base, setting: eventField(r.data, 'Threat Name') || undefined, summary, bookkeeping: false };
}

export interface EventList {
  readonly rows: EventRow[];
  /** Bookkeeping 5007s left out (0 when they are included). */
  readonly folded: number;
}

/** Newest first; Defender's bookkeeping 5007s folded away unless `includeBookkeeping`. */
export function buildEventList(records: readonly EventRecord[], options: { includeBookkeeping?: boolean } = {}): EventList {
  const all = records.map(describeEvent).sort((a, b) => b.time.getTime() - a.time.getTime() || (b.recordId ?? 0) - (a.recordId ?? 0));
  if (options.includeBookkeeping) return { rows: all, folded: 0 };
  const rows = all.filter((r) => !r.bookkeeping);
  return { rows, folded: all.length - rows.length };
}

/** The grid's columns and rows (the shared toolkit grid takes plain string/number cells). */
export const EVENT_COLUMNS = ['Time', 'Id', 'Meaning', 'Setting', 'Old', 'New', 'Summary'] as const;

export function eventGridRows(rows: readonly EventRow[]): (string | number)[][] {
  return rows.map((r) => [r.time.toISOString(), r.id, r.meaning, r.setting ?? '', r.oldValue ?? '', r.newValue ?? '', r.summary]);
}

// ---------------------------------------------------------------------------------------------------------------
// The script, with paging

export interface EventQuery {
  readonly ids: readonly number[];
  readonly start: Date;
  readonly end?: Date;
  readonly pageSize: number;
  /** Continue below this page token (from `nextPageToken`). */
  readonly after?: PageToken;
}

/**
 * Get-WinEvent reads newest first and has no "skip", so a page continues at the oldest time already seen
 * (EndTime is inclusive) and drops the records already returned at exactly that time.
 */
export interface PageToken {
  readonly end: Date;
  readonly seenRecordIds: readonly number[];
}

export function nextPageToken(page: readonly EventRecord[], pageSize: number): PageToken | undefined {
  if (page.length < pageSize || page.length === 0) return undefined;
  const oldest = page.reduce((a, b) => (b.time.getTime() < a.getTime() ? b.time : a), page[0].time);
  const seen = page.filter((r) => r.time.getTime() === oldest.getTime() && r.recordId !== undefined).map((r) => r.recordId!);
  return { end: oldest, seenRecordIds: seen };
}

export const MAX_PAGE_SIZE = 5000;

/**
 * The Get-WinEvent script (Windows PowerShell 5.1 syntax): FilterHashtable with LogName, Id, StartTime and EndTime,
 * -MaxEvents for one page, and each event's named EventData fields from `$e.ToXml()`. No events is an empty list.
 */
export function eventsPageScript(q: EventQuery): string {
  const ids = normalizeEventIds([...q.ids]);
  const pageSize = Math.min(Math.max(1, Math.trunc(q.pageSize)), MAX_PAGE_SIZE);
  const end = q.after?.end ?? q.end;
  const seen = (q.after?.seenRecordIds ?? []).filter((n) => Number.isSafeInteger(n));
  const lines = [
    `$filter = @{ LogName = ${quotePs(OPERATIONAL_LOG_NAME)}; Id = @(${ids.map(psInt).join(', ')}); StartTime = [datetime]::Parse(${quotePs(q.start.toISOString())}, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind) }`,
  ];
  if (end) {
    lines.push(
      `$filter['EndTime'] = [datetime]::Parse(${quotePs(end.toISOString())}, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind)`,
    );
  }
  lines.push(
    `$seen = @(${seen.map(psInt).join(', ')})`,
    `$raw = @(Get-WinEvent -FilterHashtable $filter -MaxEvents ${psInt(pageSize + seen.length)} -ErrorAction SilentlyContinue)`,
    '$events = New-Object System.Collections.ArrayList',
    'foreach ($e in $raw) {',
    '  if ($seen -contains [long]$e.RecordId) { continue }',
    '  if ($events.Count -ge ' + psInt(pageSize) + ') { break }',
    '  $data = [ordered]@{}',
    '  $xml = [xml]$e.ToXml()',
    '  if ($xml.Event.EventData) { foreach ($d in @($xml.Event.EventData.Data)) { if ($d -and $d.Name) { $data[[string]$d.Name] = [string]$d.InnerText } } }',
    '  $message = $null',
    '  try { $message = [string]$e.Message } catch { $message = $null }',
    '  if ($message -and $message.Length -gt 2000) { $message = $message.Substring(0, 2000) }',
    '  [void]$events.Add([ordered]@{ id = [int]$e.Id; recordId = [long]$e.RecordId; time = $e.TimeCreated; level = [string]$e.LevelDisplayName; message = $message; data = $data })',
    '}',
    'Write-DtmOk @{ events = $events.ToArray() }',
  );
  return lines.join('\n');
}
