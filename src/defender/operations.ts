/**
 * Every script the extension runs, built from constant templates; values enter only through quotePs / psBool /
 * psInt (src/powershell/quote.ts). A `Change` is one state-changing Defender command; its command line is exactly
 * what the confirmation dialog, the terminal and the audit log show.
 */
import { psBool, psInt, quotePs, quotePsList } from '../powershell/quote';
import { ASR_ACTION_CODES, asrActionLabel, asrActionName, findAsrRule } from './asrRules';
import { STATUS_FIELDS } from './computerStatus';
import { THREE_STATE_NAMES, threeStateLabel, type ExclusionList } from './preferences';

export const OPERATIONAL_LOG = 'Microsoft-Windows-Windows Defender/Operational';
/** events.json: 5007 configuration changed, 5013 tamper protection blocked a change. */
export const EVENT_CONFIG_CHANGED = 5007;
export const EVENT_TAMPER_BLOCKED = 5013;

const statusSelect = `Get-MpComputerStatus | Select-Object -Property ${STATUS_FIELDS.join(', ')}`;
const preferencesSelect = `Get-MpPreference | Select-Object -Property * -ExcludeProperty ${quotePsList(['Cim*', 'PSComputerName'])}`;

/**
 * Whether this device's Set-MpPreference has -DisableTamperProtection: the troubleshooting-mode docs name it, but
 * the published module interface does not have it (defender.md §11), so the product asks the module itself.
 */
export const TAMPER_PARAMETER_PROBE =
  "[bool](Get-Command -Name Set-MpPreference -ErrorAction SilentlyContinue | Where-Object { $_.Parameters.ContainsKey('DisableTamperProtection') })";

/**
 * Device status, whether this process is elevated, the host name, the culture the dates are printed in, and
 * whether tamper protection can be turned off from PowerShell on this device.
 */
export function statusScript(): string {
  return [
    `$status = ${statusSelect}`,
    `$canDisableTamperProtection = ${TAMPER_PARAMETER_PROBE}`,
    'Write-DtmOk @{ status = $status; elevated = (Test-DtmElevated); computerName = $env:COMPUTERNAME; culture = (Get-DtmCulture); canDisableTamperProtection = $canDisableTamperProtection }',
  ].join('\n');
}

export function preferencesScript(): string {
  return [`$preferences = ${preferencesSelect}`, 'Write-DtmOk $preferences'].join('\n');
}

function eventsPipeline(ids: readonly number[], since: Date): string {
  return (
    `@(Get-WinEvent -FilterHashtable @{ LogName = ${quotePs(OPERATIONAL_LOG)}; Id = ${ids.map(psInt).join(', ')}; ` +
    `StartTime = [datetime]${quotePs(since.toISOString())} } -ErrorAction SilentlyContinue | Select-Object -Property Id, TimeCreated, Message)`
  );
}

/** Defender Operational events with the given ids since a time (no events is an empty list, not an error). */
export function eventsScript(ids: readonly number[], since: Date): string {
  return [`$events = ${eventsPipeline(ids, since)}`, 'Write-DtmOk $events'].join('\n');
}

/** Everything verification needs, in one process: preferences, status, and 5007/5013 since the change. */
export function readBackScript(since: Date): string {
  return [
    `$preferences = ${preferencesSelect}`,
    `$status = ${statusSelect}`,
    `$events = ${eventsPipeline([EVENT_CONFIG_CHANGED, EVENT_TAMPER_BLOCKED], since)}`,
    'Write-DtmOk @{ preferences = $preferences; status = $status; events = $events }',
  ].join('\n');
}

export const DEFENDER_PROCESS = 'MsMpEng';

/** CPU of MsMpEng over a short window (perf counters, so it works for the protected process). */
export function cpuSampleScript(milliseconds: number): string {
  return `Write-DtmOk (Measure-DtmProcessCpu -Name ${quotePs(DEFENDER_PROCESS, 'name')} -Milliseconds ${psInt(milliseconds)})`;
}

export type ThreeStateSetting = 'PUAProtection' | 'EnableNetworkProtection';

export type Change =
  | { readonly kind: 'tamperProtection'; readonly disable: boolean }
  | { readonly kind: 'realtimeMonitoring'; readonly disable: boolean }
  | { readonly kind: 'threeState'; readonly setting: ThreeStateSetting; readonly value: number }
  | { readonly kind: 'asrRule'; readonly guid: string; readonly action: number }
  | { readonly kind: 'asrRuleRemove'; readonly guid: string }
  | { readonly kind: 'exclusions'; readonly list: ExclusionList; readonly op: 'add' | 'remove'; readonly values: readonly string[] };

const EXCLUSION_KIND: Record<ExclusionList, 'path' | 'text'> = {
  ExclusionPath: 'path',
  ExclusionProcess: 'path',
  ExclusionExtension: 'text',
};

/** The exact command line for a change. */
export function changeCommand(change: Change): string {
  switch (change.kind) {
    case 'tamperProtection':
      // Documented for troubleshooting mode only (defender.md §2.1), absent from the cmdlet reference.
      return `Set-MpPreference -DisableTamperProtection ${psBool(change.disable)}`;
    case 'realtimeMonitoring':
      return `Set-MpPreference -DisableRealtimeMonitoring ${psBool(change.disable)}`;
    case 'threeState': {
      const name = THREE_STATE_NAMES[change.value];
      if (!name) throw new RangeError(`No ${change.setting} value ${change.value}.`);
      return `Set-MpPreference -${change.setting} ${quotePs(name)}`;
    }
    case 'asrRule': {
      const rule = requireRule(change.guid);
      const action = asrActionName(change.action);
      if (!action) throw new RangeError(`No ASR action ${change.action}.`);
      // Add-MpPreference updates this one entry; Set-MpPreference would replace the whole list (defender.md §3.2).
      return `Add-MpPreference -AttackSurfaceReductionRules_Ids ${quotePs(rule.guid, 'name')} -AttackSurfaceReductionRules_Actions ${quotePs(action)}`;
    }
    case 'asrRuleRemove':
      return `Remove-MpPreference -AttackSurfaceReductionRules_Ids ${quotePs(requireRule(change.guid).guid, 'name')}`;
    case 'exclusions': {
      const cmdlet = change.op === 'add' ? 'Add-MpPreference' : 'Remove-MpPreference';
      return `${cmdlet} -${change.list} ${quotePsList(change.values, EXCLUSION_KIND[change.list])}`;
    }
  }
}

/** The background script for a change: the command, then an empty success document. */
export function changeScript(change: Change): string {
  return `${changeCommand(change)}\nWrite-DtmOk $null`;
}

function requireRule(guid: string) {
  const rule = findAsrRule(guid);
  if (!rule) throw new RangeError(`"${guid}" is not one of the 19 documented ASR rule GUIDs.`);
  return rule;
}

/** One line for people: "Turn off real-time protection". */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'tamperProtection':
      return change.disable ? 'Turn off tamper protection' : 'Turn tamper protection back on';
    case 'realtimeMonitoring':
      return change.disable ? 'Turn off real-time protection' : 'Turn real-time protection back on';
    case 'threeState':
      return `Set ${change.setting === 'PUAProtection' ? 'PUA protection' : 'network protection'} to ${threeStateLabel(change.value)}`;
    case 'asrRule': {
      const rule = findAsrRule(change.guid);
      return `Set ASR rule "${rule?.name ?? change.guid}" to ${asrActionLabel(change.action)}`;
    }
    case 'asrRuleRemove': {
      const rule = findAsrRule(change.guid);
      return `Remove ASR rule "${rule?.name ?? change.guid}" from the local configuration`;
    }
    case 'exclusions': {
      const what = { ExclusionPath: 'path', ExclusionExtension: 'extension', ExclusionProcess: 'process' }[change.list];
      const plural = change.values.length === 1 ? '' : 's';
      return `${change.op === 'add' ? 'Add' : 'Remove'} ${what} exclusion${plural} ${change.values.join(', ')}`;
    }
  }
}

/** Settings tamper protection guards (defender.md §3.2), for explaining a silent block. */
export function isTamperProtectedChange(change: Change): boolean {
  return change.kind === 'tamperProtection' || change.kind === 'realtimeMonitoring' || change.kind === 'exclusions';
}

export { ASR_ACTION_CODES };
