/**
 * The six troubleshooting scenarios of the Defender docs (seeds 000/001, "Use the troubleshooting mode"), each as
 * preconditions plus Defender commands, and the precondition checks that say what to do when one fails.
 */
import { CommandIds } from '../constants';
import { DefenderToolError } from '../core/errors';
import { NotElevatedError, PassiveModeError } from '../powershell/errors';
import { findAsrRule } from './asrRules';
import { isPassiveMode, type ComputerStatus } from './computerStatus';
import type { Change } from './operations';
import { l10n } from '../core/l10n';

export type PlaybookId =
  | 'unableToInstall'
  | 'highCpu'
  | 'appSlow'
  | 'puaBlocked'
  | 'asrRule'
  | 'networkProtection'
  | 'disableTamperProtection';

export interface ExclusionInput {
  readonly paths?: readonly string[];
  readonly extensions?: readonly string[];
  readonly processes?: readonly string[];
}

export interface PlaybookInput {
  readonly ruleGuid?: string;
  readonly exclusions?: ExclusionInput;
}

export interface Playbook {
  readonly id: PlaybookId;
  readonly title: string;
  /** The scenario in the docs' words. */
  readonly scenario: string;
  /** The seed says to turn tamper protection off first (scenarios 3 and 4). */
  readonly requiresTamperProtectionOff: boolean;
  readonly samplesCpu: boolean;
  readonly needs?: 'asrRule' | 'exclusions';
  readonly command: string;
  changes(input: PlaybookInput, status: ComputerStatus): Change[];
}

export class PlaybookInputError extends DefenderToolError {
  constructor(message: string) {
    super('playbookInput', message, { expected: true });
  }
}

export class TroubleshootingInactiveError extends DefenderToolError {
  constructor(device: string, unknown: boolean) {
    super(
      'tsInactive',
      unknown
        ? l10n.t('{0} does not report troubleshooting mode (the TroubleShooting* fields are empty; Defender platform 4.18.2203 or later is needed). Update Defender, then turn troubleshooting mode on in the Defender portal.', device)
        : l10n.t('Troubleshooting mode is not active on {0}. Turn it on from the device page in the Microsoft Defender portal; it can take up to 15 minutes to start. Then refresh This device.', device),
      { action: { title: l10n.t('Open Defender Portal'), command: CommandIds.openPortal }, expected: true },
    );
  }
}

/** Where the docs send admins when PowerShell cannot change tamper protection (defender.md §11). */
export const WINDOWS_SECURITY_STEPS =
  'the Windows Security app (Virus & threat protection > Virus & threat protection settings > Manage settings > Tamper Protection)';

export class TamperProtectionOnError extends DefenderToolError {
  /** `scriptable`: this device's Set-MpPreference has -DisableTamperProtection (undefined: not known). */
  constructor(title: string, scriptable?: boolean) {
    super(
      'tamperOn',
      scriptable === false
        ? l10n.t('Tamper protection is still on, and "{0}" needs it off first (the docs\' steps). This device\'s Defender module has no -DisableTamperProtection parameter, so turn it off in {1}, then run this again.', title, WINDOWS_SECURITY_STEPS)
        : l10n.t('Tamper protection is still on, and "{0}" needs it off first (the docs\' steps). Turn it off with "Turn Off Tamper Protection" (Set-MpPreference -DisableTamperProtection $true), then run this again.', title),
      scriptable === false ? { expected: true } : { action: { title: l10n.t('Turn Off Tamper Protection'), command: CommandIds.deviceDisableTamperProtection }, expected: true },
    );
  }
}

/** Set-MpPreference on this device has no -DisableTamperProtection (it is not in the published interface). */
export class TamperProtectionNotScriptableError extends DefenderToolError {
  constructor(device: string, turnOff: boolean) {
    super(
      'tamperNotScriptable',
      l10n.t('Set-MpPreference on {0} has no -DisableTamperProtection parameter (it is not part of the published Defender module), so PowerShell cannot turn tamper protection {1}. Use {2}.', device, turnOff ? 'off' : l10n.t('back on'), WINDOWS_SECURITY_STEPS),
      { expected: true },
    );
  }
}

const tpOff = (status: ComputerStatus): Change[] =>
  status.isTamperProtected === false ? [] : [{ kind: 'tamperProtection', disable: true }];

export const PLAYBOOKS: readonly Playbook[] = [
  {
    id: 'unableToInstall',
    get title() { return l10n.t('Unable to install an application'); },
    get scenario() { return l10n.t('An installer fails because Microsoft Defender Antivirus and tamper protection are on: turn tamper protection off, then real-time protection.'); },
    requiresTamperProtectionOff: false,
    samplesCpu: false,
    command: CommandIds.playbookUnableToInstall,
    changes: (_input, status) => [...tpOff(status), { kind: 'realtimeMonitoring', disable: true }],
  },
  {
    id: 'highCpu',
    get title() { return l10n.t('High CPU usage by MsMpEng.exe'); },
    get scenario() { return l10n.t('MsMpEng.exe uses a lot of CPU: confirm it, then add path, extension or process exclusions found with Process Monitor.'); },
    requiresTamperProtectionOff: false,
    samplesCpu: true,
    needs: 'exclusions',
    command: CommandIds.playbookHighCpu,
    changes: (input) => {
      const ex = input.exclusions ?? {};
      const changes: Change[] = [];
      const clean = (v?: readonly string[]) => (v ?? []).map((s) => s.trim()).filter(Boolean);
      if (clean(ex.paths).length) changes.push({ kind: 'exclusions', list: 'ExclusionPath', op: 'add', values: clean(ex.paths) });
      if (clean(ex.extensions).length) changes.push({ kind: 'exclusions', list: 'ExclusionExtension', op: 'add', values: clean(ex.extensions) });
      if (clean(ex.processes).length) changes.push({ kind: 'exclusions', list: 'ExclusionProcess', op: 'add', values: clean(ex.processes) });
      if (!changes.length) throw new PlaybookInputError(l10n.t('Give at least one path, extension or process to exclude.'));
      return changes;
    },
  },
  {
    id: 'appSlow',
    get title() { return l10n.t('Application slow while real-time protection is on'); },
    get scenario() { return l10n.t('An application takes a long time for basic tasks: with tamper protection off, turn real-time protection off.'); },
    requiresTamperProtectionOff: true,
    samplesCpu: false,
    command: CommandIds.playbookAppSlow,
    changes: () => [{ kind: 'realtimeMonitoring', disable: true }],
  },
  {
    id: 'puaBlocked',
    get title() { return l10n.t('Potentially unwanted app (PUA) blocked'); },
    get scenario() { return l10n.t('A legitimate application is detected as PUA and blocked: with tamper protection off, set PUAProtection to Disabled.'); },
    requiresTamperProtectionOff: true,
    samplesCpu: false,
    command: CommandIds.playbookPuaBlocked,
    changes: () => [{ kind: 'threeState', setting: 'PUAProtection', value: 0 }],
  },
  {
    id: 'asrRule',
    get title() { return l10n.t('An attack surface reduction rule is blocking'); },
    get scenario() { return l10n.t('An ASR rule (for example "Block all Office applications from creating child processes") blocks a legitimate action: set that rule to Disabled, leaving the others as they are.'); },
    requiresTamperProtectionOff: false,
    samplesCpu: false,
    needs: 'asrRule',
    command: CommandIds.playbookAsrRule,
    changes: (input) => {
      const rule = input.ruleGuid ? findAsrRule(input.ruleGuid) : undefined;
      if (!rule) throw new PlaybookInputError(l10n.t('Choose one of the 19 documented ASR rules{0}.', input.ruleGuid ? l10n.t(' ("{0}" is not one)', input.ruleGuid) : ''));
      return [{ kind: 'asrRule', guid: rule.guid, action: 0 }];
    },
  },
  {
    id: 'networkProtection',
    get title() { return l10n.t('Network protection blocks a domain'); },
    get scenario() { return l10n.t('Network protection blocks a domain users need: set EnableNetworkProtection to Disabled.'); },
    requiresTamperProtectionOff: false,
    samplesCpu: false,
    command: CommandIds.playbookNetworkProtection,
    changes: () => [{ kind: 'threeState', setting: 'EnableNetworkProtection', value: 0 }],
  },
  {
    id: 'disableTamperProtection',
    get title() { return l10n.t('Turn off tamper protection'); },
    get scenario() { return l10n.t('During troubleshooting mode, turn tamper protection off so other settings can be changed.'); },
    requiresTamperProtectionOff: false,
    samplesCpu: false,
    command: CommandIds.deviceDisableTamperProtection,
    changes: () => [{ kind: 'tamperProtection', disable: true }],
  },
];

export const SCENARIO_PLAYBOOKS = PLAYBOOKS.filter((p) => p.id !== 'disableTamperProtection');

export function getPlaybook(id: PlaybookId): Playbook {
  const p = PLAYBOOKS.find((x) => x.id === id);
  if (!p) throw new PlaybookInputError(l10n.t('Unknown playbook {0}.', id));
  return p;
}

export interface PreconditionFacts {
  readonly device: string;
  readonly elevated: boolean;
  readonly status: ComputerStatus;
  /** Set-MpPreference has -DisableTamperProtection on this device (undefined: not known). */
  readonly canDisableTamperProtection?: boolean;
}

/** Throws the first failed precondition: Defender active, troubleshooting mode on, elevated, tamper protection off. */
export function checkPreconditions(playbook: Pick<Playbook, 'title' | 'requiresTamperProtectionOff'>, facts: PreconditionFacts): void {
  if (isPassiveMode(facts.status.amRunningMode)) throw new PassiveModeError(facts.status.amRunningMode ?? 'passive');
  const ts = facts.status.troubleshooting;
  if (ts.active !== true) throw new TroubleshootingInactiveError(facts.device, ts.active === undefined);
  if (!facts.elevated) throw new NotElevatedError();
  if (playbook.requiresTamperProtectionOff && facts.status.isTamperProtected !== false) {
    throw new TamperProtectionOnError(playbook.title, facts.canDisableTamperProtection);
  }
}
