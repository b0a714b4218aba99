/**
 * Verification after every write (defender.md §0 fact 5): tamper protection blocks changes silently, so a write is
 * judged by reading the setting back and looking for event 5013 since the change, never by the exit code.
 */
import { asrActionLabel } from './asrRules';
import type { ComputerStatus } from './computerStatus';
import { parseIsoOrMsDate } from './computerStatus';
import { describeChange, EVENT_TAMPER_BLOCKED, type Change } from './operations';
import { asBoolean, asNumber, asrAction, exclusions, sameText, threeStateLabel, type Preferences } from './preferences';
import { l10n } from '../core/l10n';

export type Outcome = 'applied' | 'alreadySet' | 'blockedByTamperProtection' | 'notApplied' | 'unverified';

export interface DefenderEvent {
  readonly id: number;
  readonly time?: Date;
  readonly message: string;
}

export interface ReadBack {
  readonly preferences: Preferences;
  readonly status: ComputerStatus;
  readonly events: readonly DefenderEvent[];
}

export interface Verification {
  readonly outcome: Outcome;
  /** What the device reports now, e.g. "real-time protection off". */
  readonly observed: string;
  /** A sentence for the user. */
  readonly message: string;
  readonly blockEvents: readonly DefenderEvent[];
}

export function parseEvents(raw: unknown): DefenderEvent[] {
  const items = Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : [raw];
  const out: DefenderEvent[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const id = asNumber(r.Id ?? r.id);
    if (id === undefined) continue;
    out.push({ id, time: parseIsoOrMsDate(r.TimeCreated ?? r.time), message: typeof r.Message === 'string' ? r.Message : '' });
  }
  return out;
}

/** Whether the device now shows the change (undefined when it cannot be read, e.g. hidden exclusions). */
export function observe(change: Change, rb: Pick<ReadBack, 'preferences' | 'status'>): { matches: boolean | undefined; observed: string } {
  const p = rb.preferences;
  switch (change.kind) {
    case 'tamperProtection': {
      const on = rb.status.isTamperProtected;
      return { matches: on === undefined ? undefined : on === !change.disable, observed: on === undefined ? 'tamper protection unknown' : `tamper protection ${on ? 'on' : 'off'}` };
    }
    case 'realtimeMonitoring': {
      const disabled = asBoolean(p.DisableRealtimeMonitoring);
      return {
        matches: disabled === undefined ? undefined : disabled === change.disable,
        observed: disabled === undefined ? 'real-time protection unknown' : `real-time protection ${disabled ? 'off' : 'on'}`,
      };
    }
    case 'threeState': {
      const v = asNumber(p[change.setting]);
      const what = change.setting === 'PUAProtection' ? 'PUA protection' : 'network protection';
      return { matches: v === undefined ? undefined : v === change.value, observed: `${what} ${threeStateLabel(v)}` };
    }
    case 'asrRule': {
      const action = asrAction(p, change.guid);
      return { matches: action === change.action || (change.action === 0 && action === undefined), observed: `rule ${asrActionLabel(action)}` };
    }
    case 'asrRuleRemove': {
      const action = asrAction(p, change.guid);
      return { matches: action === undefined, observed: action === undefined ? 'rule not configured locally' : `rule ${asrActionLabel(action)}` };
    }
    case 'exclusions': {
      const list = exclusions(p, change.list);
      if (list === 'hidden') return { matches: undefined, observed: 'exclusions hidden (not an administrator)' };
      const present = change.values.filter((v) => list.some((x) => sameText(x, v)));
      const matches = change.op === 'add' ? present.length === change.values.length : present.length === 0;
      return { matches, observed: list.length ? `${change.list}: ${list.join(', ')}` : `${change.list} empty` };
    }
  }
}

export function verifyChange(change: Change, rb: ReadBack): Verification {
  const { matches, observed } = observe(change, rb);
  const blockEvents = rb.events.filter((e) => e.id === EVENT_TAMPER_BLOCKED);
  const what = describeChange(change);
  if (matches === true) {
    return { outcome: 'applied', observed, blockEvents, message: l10n.t('{0}: applied (now {1}).', what, observed) };
  }
  if (matches === undefined) {
    return { outcome: 'unverified', observed, blockEvents, message: l10n.t('{0}: could not be verified ({1}).', what, observed) };
  }
  if (blockEvents.length) {
    return {
      outcome: 'blockedByTamperProtection',
      observed,
      blockEvents,
      message: l10n.t('{0}: blocked by tamper protection. The command reported success, but Defender logged event {1} and the device still shows {2}. Make sure troubleshooting mode is active and turn tamper protection off first.', what, EVENT_TAMPER_BLOCKED, observed),
    };
  }
  return {
    outcome: 'notApplied',
    observed,
    blockEvents,
    message: l10n.t('{0}: did not take effect; the device still shows {1} and no tamper-protection event was logged. A policy (Intune, GPO) may enforce this setting.', what, observed),
  };
}
