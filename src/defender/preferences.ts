/**
 * Get-MpPreference values the playbooks read and restore (defender.md §3.2). The snapshot keeps every property the
 * device returned; these helpers read the few the extension changes, defensively.
 */
export type Preferences = Readonly<Record<string, unknown>>;

/** PUAProtection / EnableNetworkProtection read back as numbers; Set accepts these names (defender.md §3.2). */
export const THREE_STATE_NAMES: Readonly<Record<number, 'Disabled' | 'Enabled' | 'AuditMode'>> = {
  0: 'Disabled',
  1: 'Enabled',
  2: 'AuditMode',
};
const THREE_STATE_LABELS: Readonly<Record<number, string>> = { 0: 'off', 1: 'on (block)', 2: 'audit' };

export function threeStateLabel(code: number | undefined): string {
  return code === undefined ? 'unknown' : (THREE_STATE_LABELS[code] ?? `unknown (${code})`);
}

/** What a non-administrator sees instead of the exclusion lists. */
export const HIDDEN_EXCLUSIONS = /^N\/A: Must be an administrator/i;

export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return undefined;
}

/** A string list that may come back as null, one string, or an array (ConvertTo-Json shapes). */
export function asStringList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
}

export type ExclusionList = 'ExclusionPath' | 'ExclusionExtension' | 'ExclusionProcess';

/** The exclusion list, or 'hidden' when the reader was not an administrator. */
export function exclusions(prefs: Preferences, list: ExclusionList): string[] | 'hidden' {
  const values = asStringList(prefs[list]);
  return values.some((v) => HIDDEN_EXCLUSIONS.test(v)) ? 'hidden' : values;
}

export interface AsrEntry {
  /** Lower-case GUID. */
  readonly guid: string;
  readonly action: number;
}

/** AttackSurfaceReductionRules_Ids with the parallel AttackSurfaceReductionRules_Actions. */
export function asrEntries(prefs: Preferences): AsrEntry[] {
  const ids = asStringList(prefs.AttackSurfaceReductionRules_Ids);
  const rawActions = prefs.AttackSurfaceReductionRules_Actions;
  const actions = (Array.isArray(rawActions) ? rawActions : rawActions === null || rawActions === undefined ? [] : [rawActions]).map(asNumber);
  return ids.map((id, k) => ({ guid: id.trim().toLowerCase(), action: actions[k] ?? 0 }));
}

export function asrAction(prefs: Preferences, guid: string): number | undefined {
  return asrEntries(prefs).find((e) => e.guid === guid.toLowerCase())?.action;
}

export function sameText(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0 || a.toLowerCase() === b.toLowerCase();
}
