/**
 * Get-MpComputerStatus as a typed model (defender.md §2.3, §3.1). Everything is parsed defensively: fields are
 * missing on old platforms, the eight TroubleShooting* fields are free-form strings ("INFINITE", "N/A",
 * culture-formatted local dates), and a wrong type becomes `undefined`, never a crash.
 */

/** The properties the status script selects (Select-Object before ConvertTo-Json, powershell.md §6). */
export const STATUS_FIELDS = [
  'AMRunningMode', 'AMProductVersion', 'AMEngineVersion', 'AMServiceVersion', 'AMServiceEnabled',
  'AntivirusEnabled', 'AntivirusSignatureVersion', 'AntivirusSignatureLastUpdated', 'AntispywareSignatureVersion',
  'RealTimeProtectionEnabled', 'BehaviorMonitorEnabled', 'IoavProtectionEnabled', 'OnAccessProtectionEnabled',
  'IsTamperProtected', 'TamperProtectionSource',
  'TroubleShootingDailyMaxQuota', 'TroubleShootingDailyQuotaLeft', 'TroubleShootingEndTime',
  'TroubleShootingExpirationLeft', 'TroubleShootingMode', 'TroubleShootingModeSource',
  'TroubleShootingQuotaResetTime', 'TroubleShootingStartTime',
] as const;

export interface CultureInfo {
  readonly name?: string;
  /** .NET ShortDatePattern, e.g. "M/d/yyyy". */
  readonly datePattern?: string;
  /** .NET LongTimePattern, e.g. "h:mm:ss tt". */
  readonly timePattern?: string;
}

export interface TroubleshootingInfo {
  /** true/false when known; undefined when the platform does not report it (empty fields). */
  readonly active: boolean | undefined;
  readonly mode?: string;
  readonly source?: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** Milliseconds left, from the end time (preferred) or TroubleShootingExpirationLeft. */
  readonly timeLeftMs?: number;
  readonly dailyMaxQuota?: number;
  readonly dailyQuotaLeft?: number;
  readonly quotaResetTime?: Date;
  /** The eight strings exactly as the device reported them. */
  readonly raw: Readonly<Record<string, string | null>>;
}

export interface ComputerStatus {
  readonly amRunningMode?: string;
  readonly amProductVersion?: string;
  readonly amEngineVersion?: string;
  readonly amServiceVersion?: string;
  readonly amServiceEnabled?: boolean;
  readonly antivirusEnabled?: boolean;
  readonly antivirusSignatureVersion?: string;
  readonly antivirusSignatureLastUpdated?: Date;
  readonly realTimeProtectionEnabled?: boolean;
  readonly behaviorMonitorEnabled?: boolean;
  readonly isTamperProtected?: boolean;
  readonly tamperProtectionSource?: string;
  readonly troubleshooting: TroubleshootingInfo;
}

const TS_FIELDS = [
  'TroubleShootingDailyMaxQuota', 'TroubleShootingDailyQuotaLeft', 'TroubleShootingEndTime', 'TroubleShootingExpirationLeft',
  'TroubleShootingMode', 'TroubleShootingModeSource', 'TroubleShootingQuotaResetTime', 'TroubleShootingStartTime',
] as const;

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}
function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return undefined;
}
function int(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : str(v);
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}
/** Placeholders the device prints instead of a value. */
function isPlaceholder(s: string | undefined): boolean {
  return s === undefined || /^(INFINITE|N\/A|NA|NONE|-|0)$/i.test(s);
}

/** ISO 8601 (our scripts' format) or Windows PowerShell 5.1's "\/Date(ms)\/". */
export function parseIsoOrMsDate(v: unknown): Date | undefined {
  const s = str(v);
  if (!s) return undefined;
  const ms = /^\/?Date\((-?\d+)\)\/?$/.exec(s.replace(/\\/g, ''));
  if (ms) return new Date(Number(ms[1]));
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/**
 * Parses a local date as the device printed it. With the device's .NET patterns (ShortDatePattern +
 * LongTimePattern) it parses exactly; without them it falls back to the common shapes (M/d/yyyy h:mm:ss tt,
 * dd.MM.yyyy HH:mm:ss, dd/MM/yyyy HH:mm:ss, yyyy-MM-dd HH:mm:ss). The time is local to the device, which is
 * the extension host's machine.
 */
export function parseLocalDate(text: string | undefined, culture?: CultureInfo): Date | undefined {
  const s = text?.trim();
  if (!s || isPlaceholder(s)) return undefined;
  const iso = parseIsoOrMsDate(s);
  if (iso) return iso;
  if (culture?.datePattern && culture.timePattern) {
    const d = parseWithPattern(s, `${culture.datePattern} ${culture.timePattern}`);
    if (d) return d;
  }
  for (const pattern of ['M/d/yyyy h:mm:ss tt', 'yyyy-MM-dd HH:mm:ss', 'd.M.yyyy H:mm:ss', 'd/M/yyyy H:mm:ss', 'yyyy/M/d H:mm:ss']) {
    const d = parseWithPattern(s, pattern);
    if (d) return d;
  }
  return undefined;
}

/** A small .NET custom-format parser: d dd M MM yy yyyy h hh H HH m mm s ss tt, other chars literal. */
export function parseWithPattern(text: string, pattern: string): Date | undefined {
  const parts: string[] = [];
  let re = '^';
  const tokens = pattern.match(/(d{1,2}|M{1,2}|y{2,4}|h{1,2}|H{1,2}|m{1,2}|s{1,2}|t{1,2}|'[^']*'|.)/g) ?? [];
  for (const tk of tokens) {
    if (/^(dd?|MM?|hh?|HH?|mm?|ss?)$/.test(tk)) { parts.push(tk[0]!); re += '(\\d{1,2})'; }
    else if (/^y+$/.test(tk)) { parts.push('y'); re += tk.length <= 2 ? '(\\d{2})' : '(\\d{4})'; }
    else if (/^t+$/.test(tk)) { parts.push('t'); re += '([AaPp]\\.?[Mm]?\\.?|[^\\d\\s]+)'; }
    else if (tk.startsWith("'")) re += escapeRe(tk.slice(1, -1));
    else if (/\s/.test(tk)) re += '\\s+';
    else re += escapeRe(tk);
  }
  const m = new RegExp(`${re}$`).exec(text.trim());
  if (!m) return undefined;
  let day = NaN, month = NaN, year = NaN, hour = 0, minute = 0, second = 0;
  let pm: boolean | undefined;
  parts.forEach((p, k) => {
    const v = m[k + 1]!;
    switch (p) {
      case 'd': day = Number(v); break;
      case 'M': month = Number(v); break;
      case 'y': year = v.length === 2 ? 2000 + Number(v) : Number(v); break;
      case 'h': case 'H': hour = Number(v); break;
      case 'm': minute = Number(v); break;
      case 's': second = Number(v); break;
      case 't': pm = /^p/i.test(v) ? true : /^a/i.test(v) ? false : undefined; break;
    }
  });
  if (pm !== undefined) {
    if (hour > 12) return undefined;
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60 && year > 1900)) return undefined;
  const d = new Date(year, month - 1, day, hour, minute, second);
  return d.getMonth() === month - 1 ? d : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** "02:41:10", "1.02:41:10" (TimeSpan) or a bare number of minutes; the active format is undocumented (§2.3). */
export function parseExpirationLeft(text: string | undefined): number | undefined {
  const s = text?.trim();
  if (!s || isPlaceholder(s)) return undefined;
  const ts = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(s);
  if (ts) return ((Number(ts[1] ?? 0) * 24 + Number(ts[2])) * 60 + Number(ts[3])) * 60_000 + Number(ts[4]) * 1000;
  if (/^\d+$/.test(s)) return Number(s) * 60_000;
  return undefined;
}

export function parseTroubleshooting(raw: Record<string, unknown>, now: Date, culture?: CultureInfo): TroubleshootingInfo {
  const strings: Record<string, string | null> = {};
  for (const f of TS_FIELDS) strings[f] = str(raw[f]) ?? null;
  const mode = strings.TroubleShootingMode ?? undefined;
  const startTime = parseLocalDate(strings.TroubleShootingStartTime ?? undefined, culture);
  const endTime = parseLocalDate(strings.TroubleShootingEndTime ?? undefined, culture);
  const expirationLeft = parseExpirationLeft(strings.TroubleShootingExpirationLeft ?? undefined);
  let active: boolean | undefined;
  if (mode !== undefined) {
    if (/^(disabled|off|inactive|false|none|n\/a)$/i.test(mode)) active = false;
    else if (/^(enabled|on|active|true)$/i.test(mode)) active = true;
  }
  if (active === undefined && endTime) active = endTime.getTime() > now.getTime();
  // A session that has ended but not yet been reported as such.
  if (active && endTime && endTime.getTime() <= now.getTime()) active = false;
  let timeLeftMs: number | undefined;
  if (active) timeLeftMs = endTime ? Math.max(0, endTime.getTime() - now.getTime()) : expirationLeft;
  return {
    active,
    mode,
    source: strings.TroubleShootingModeSource ?? undefined,
    startTime,
    endTime,
    timeLeftMs,
    dailyMaxQuota: int(raw.TroubleShootingDailyMaxQuota),
    dailyQuotaLeft: int(raw.TroubleShootingDailyQuotaLeft),
    quotaResetTime: parseLocalDate(strings.TroubleShootingQuotaResetTime ?? undefined, culture),
    raw: strings,
  };
}

export function parseComputerStatus(raw: unknown, now: Date, culture?: CultureInfo): ComputerStatus {
  const r: Record<string, unknown> = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return {
    amRunningMode: str(r.AMRunningMode),
    amProductVersion: str(r.AMProductVersion),
    amEngineVersion: str(r.AMEngineVersion),
    amServiceVersion: str(r.AMServiceVersion),
    amServiceEnabled: bool(r.AMServiceEnabled),
    antivirusEnabled: bool(r.AntivirusEnabled),
    antivirusSignatureVersion: str(r.AntivirusSignatureVersion),
    antivirusSignatureLastUpdated: parseIsoOrMsDate(r.AntivirusSignatureLastUpdated),
    realTimeProtectionEnabled: bool(r.RealTimeProtectionEnabled),
    behaviorMonitorEnabled: bool(r.BehaviorMonitorEnabled),
    isTamperProtected: bool(r.IsTamperProtected),
    tamperProtectionSource: str(r.TamperProtectionSource),
    troubleshooting: parseTroubleshooting(r, now, culture),
  };
}

/** Passive / EDR block / SxS passive: Defender is not the active antivirus (defender.md §3.1, values unconfirmed). */
export function isPassiveMode(mode: string | undefined): boolean {
  return mode !== undefined && /passive|edr block/i.test(mode);
}

/** "2h 41m", "12m", "<1m". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m`;
}
