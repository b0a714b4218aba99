'use strict';
/**
 * The Defender device the stand-in pretends to be, driven by a JSON state file. Behaviour follows
 * /work/shared/reference/defender.md and events.json:
 * - §3.2: tamper protection blocks changes to tamper-protected settings *silently* (the cmdlet succeeds, nothing
 *   changes) and event 5013 is logged; §2.1: in troubleshooting mode local admins can change them (5007 logged).
 * - powershell.md §6: Set-/Add-/Remove-MpPreference need elevation (HRESULT 0x80070005, PermissionDenied);
 *   without Defender the Mp cmdlets are missing (CommandNotFoundException) or fail (service not running).
 * - §2.3: the eight TroubleShooting* fields are strings ("INFINITE", "N/A", culture-formatted dates), absent on
 *   old platforms. The format of TroubleShootingExpirationLeft while active is undocumented; modelled as a TimeSpan.
 * - §3.2: PUAProtection/EnableNetworkProtection read back as numbers 0/1/2; ASR actions 0/1/2/6 in a parallel array;
 *   Set-MpPreference replaces the ASR list, Add-/Remove-MpPreference add/update or remove entries.
 */
const { PsRuntimeError, PsDate, enumerate } = require('./interpreter');

const OPERATIONAL_LOG = 'Microsoft-Windows-Windows Defender/Operational';
const PROVIDER = 'Microsoft-Windows-Windows Defender';

/** Settings tamper protection guards (defender.md §3.2, "Tamper-protected settings"). */
const TAMPER_PROTECTED = new Set([
  'DisableRealtimeMonitoring', 'DisableBehaviorMonitoring', 'DisableIOAVProtection', 'DisableScriptScanning',
  'DisableArchiveScanning', 'MAPSReporting', 'SubmitSamplesConsent', 'ExclusionPath', 'ExclusionExtension',
  'ExclusionProcess', 'ExclusionIpAddress', 'DisableTamperProtection',
]);

const THREE_STATE = { disabled: 0, enabled: 1, auditmode: 2 };
const ASR_ACTIONS = { disabled: 0, enabled: 1, auditmode: 2, warn: 6 };

/** Parameter types of Set-/Add-/Remove-MpPreference the stand-in models. */
const PREFERENCE_PARAMS = {
  DisableRealtimeMonitoring: 'bool', DisableBehaviorMonitoring: 'bool', DisableIOAVProtection: 'bool',
  DisableScriptScanning: 'bool', DisableArchiveScanning: 'bool', DisableTamperProtection: 'bool',
  PUAProtection: 'threeState', EnableNetworkProtection: 'threeState', EnableControlledFolderAccess: 'threeState',
  MAPSReporting: 'int', SubmitSamplesConsent: 'int',
  AttackSurfaceReductionRules_Ids: 'strings', AttackSurfaceReductionRules_Actions: 'asrActions',
  AttackSurfaceReductionOnlyExclusions: 'strings',
  ExclusionPath: 'strings', ExclusionExtension: 'strings', ExclusionProcess: 'strings', ExclusionIpAddress: 'strings',
};
const LIST_PARAMS = ['AttackSurfaceReductionOnlyExclusions', 'ExclusionPath', 'ExclusionExtension', 'ExclusionProcess', 'ExclusionIpAddress'];
const COMMON_PARAMS = ['ErrorAction', 'WarningAction', 'Verbose', 'Debug', 'InformationAction', 'ErrorVariable', 'OutVariable'];

/** Registry values named in 5007/5013 messages (illustrative; the events name the changed value). */
function registryValue(name) {
  if (name.startsWith('Exclusion')) return `HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\${name.replace('Exclusion', '')}s`;
  if (name === 'DisableTamperProtection') return 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features\\TamperProtection';
  if (name.startsWith('AttackSurfaceReduction')) return 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules';
  if (name === 'EnableNetworkProtection') return 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\Network Protection\\EnableNetworkProtection';
  if (name === 'PUAProtection') return 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\PUAProtection';
  return `HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection\\${name}`;
}

function defaultState() {
  return {
    computerName: 'STANDIN-PC',
    elevated: true,
    /** 'present' | 'missing' (module not installed) | 'stopped' (WinDefend not running). */
    defender: 'present',
    runningMode: 'Normal',
    tamperProtected: true,
    tamperProtectionSource: 'ATP',
    culture: 'en-US',
    /** { startTime, endTime } (ISO) while a session is set up, else null. */
    troubleshooting: null,
    oldPlatform: false,
    versions: {
      AMProductVersion: '4.18.24050.7', AMEngineVersion: '1.1.24050.5', AMServiceVersion: '4.18.24050.7',
      AntivirusSignatureVersion: '1.413.210.0', AntispywareSignatureVersion: '1.413.210.0', NISEngineVersion: '1.1.24050.5',
    },
    preferences: {
      DisableRealtimeMonitoring: false, DisableBehaviorMonitoring: false, DisableIOAVProtection: false,
      DisableScriptScanning: false, DisableArchiveScanning: false, PUAProtection: 1, EnableNetworkProtection: 1,
      EnableControlledFolderAccess: 0, MAPSReporting: 2, SubmitSamplesConsent: 1, CloudBlockLevel: 0, CloudExtendedTimeout: 0,
      AttackSurfaceReductionRules_Ids: ['d4f940ab-401b-4efc-aadc-ad5f3c50688a', '3b576869-a4ec-4529-8536-b80a7769e899', '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2'],
      AttackSurfaceReductionRules_Actions: [1, 1, 1],
      AttackSurfaceReductionOnlyExclusions: null,
      ExclusionPath: null, ExclusionExtension: null, ExclusionProcess: null, ExclusionIpAddress: null,
      ScanScheduleDay: 0, SignatureUpdateInterval: 8, ServiceHealthReportInterval: 60,
    },
    events: [],
    processes: { MsMpEng: { id: 4242, cpuPercent: 48.5, cpuPercentWithExclusions: 3.5, workingSetMB: 312.4 } },
  };
}

function pad(n, w = 2) { return String(n).padStart(w, '0'); }
/** How Windows PowerShell prints a local date in a few cultures (the TroubleShooting* strings are such text). */
function formatLocal(date, culture) {
  const d = date.getDate(), m = date.getMonth() + 1, y = date.getFullYear();
  const H = date.getHours(), M = pad(date.getMinutes()), S = pad(date.getSeconds());
  switch (culture) {
    case 'de-DE': return `${pad(d)}.${pad(m)}.${y} ${pad(H)}:${M}:${S}`;
    case 'en-GB': return `${pad(d)}/${pad(m)}/${y} ${pad(H)}:${M}:${S}`;
    default: return `${m}/${d}/${y} ${H % 12 === 0 ? 12 : H % 12}:${M}:${S} ${H < 12 ? 'AM' : 'PM'}`;
  }
}
function formatTimeSpan(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

class DefenderDevice {
  constructor(state, now) {
    this.state = state;
    this.now = now;
    this.dirty = false;
  }

  tsActive() {
    const ts = this.state.troubleshooting;
    if (!ts) return false;
    const t = this.now().getTime();
    return new Date(ts.startTime).getTime() <= t && t < new Date(ts.endTime).getTime();
  }

  assertDefender(cmdlet) {
    if (this.state.defender === 'missing') {
      throw new PsRuntimeError(
        `The term '${cmdlet}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
        { errorId: 'CommandNotFoundException', category: 'ObjectNotFound' },
      );
    }
    if (this.state.defender === 'stopped') {
      throw new PsRuntimeError('A general error occurred that is not covered by a more specific error code.', {
        errorId: `HRESULT 0x800106ba,${cmdlet}`, category: 'NotSpecified',
      });
    }
  }

  logEvent(id, message) {
    const events = (this.state.events ??= []);
    const recordId = events.reduce((m, e) => Math.max(m, e.RecordId ?? 0), 0) + 1;
    events.push({ Id: id, TimeCreated: this.now().toISOString(), Message: message, RecordId: recordId });
    this.dirty = true;
  }

  computerStatus() {
    this.assertDefender('Get-MpComputerStatus');
    const s = this.state;
    const prefs = s.preferences;
    const now = this.now();
    const status = {
      AMEngineVersion: s.versions.AMEngineVersion, AMProductVersion: s.versions.AMProductVersion,
      AMRunningMode: s.runningMode, AMServiceEnabled: true, AMServiceVersion: s.versions.AMServiceVersion,
      AntispywareEnabled: true, AntispywareSignatureAge: 0, AntispywareSignatureVersion: s.versions.AntispywareSignatureVersion,
      AntispywareSignatureLastUpdated: new PsDate(new Date(now.getTime() - 3600_000)),
      AntivirusEnabled: true, AntivirusSignatureAge: 0, AntivirusSignatureVersion: s.versions.AntivirusSignatureVersion,
      AntivirusSignatureLastUpdated: new PsDate(new Date(now.getTime() - 3600_000)),
      BehaviorMonitorEnabled: !prefs.DisableBehaviorMonitoring, ComputerID: '5F5E4E3A-0000-4000-8000-STANDIN00001', ComputerState: 0,
      IoavProtectionEnabled: !prefs.DisableIOAVProtection, IsTamperProtected: !!s.tamperProtected, IsVirtualMachine: true,
      NISEnabled: true, NISEngineVersion: s.versions.NISEngineVersion, OnAccessProtectionEnabled: !prefs.DisableRealtimeMonitoring,
      RealTimeProtectionEnabled: !prefs.DisableRealtimeMonitoring, RebootRequired: false,
      TamperProtectionSource: s.tamperProtectionSource,
      PSComputerName: null, CimClass: 'ROOT/Microsoft/Windows/Defender:MSFT_MpComputerStatus', CimInstanceProperties: '…', CimSystemProperties: '…',
    };
    if (!s.oldPlatform) {
      const ts = s.troubleshooting;
      const active = this.tsActive();
      Object.assign(status, {
        TroubleShootingDailyMaxQuota: '480',
        TroubleShootingDailyQuotaLeft: active ? '240' : '479',
        TroubleShootingEndTime: ts ? formatLocal(new Date(ts.endTime), s.culture) : 'INFINITE',
        TroubleShootingExpirationLeft: active ? formatTimeSpan(new Date(ts.endTime).getTime() - now.getTime()) : 'INFINITE',
        TroubleShootingMode: active ? 'Enabled' : 'Disabled',
        TroubleShootingModeSource: 'ATP',
        TroubleShootingQuotaResetTime: formatLocal(new Date(now.getTime() + 20 * 3600_000), s.culture),
        TroubleShootingStartTime: ts ? formatLocal(new Date(ts.startTime), s.culture) : 'N/A',
      });
    }
    return status;
  }

  preferences() {
    this.assertDefender('Get-MpPreference');
    const out = { ...this.state.preferences, PSComputerName: null, CimClass: 'ROOT/Microsoft/Windows/Defender:MSFT_MpPreference', CimInstanceProperties: '…', CimSystemProperties: '…' };
    if (!this.state.elevated) {
      // Non-administrators cannot read exclusions; Defender returns this text in their place.
      for (const k of ['ExclusionPath', 'ExclusionExtension', 'ExclusionProcess', 'ExclusionIpAddress']) out[k] = ['N/A: Must be an administrator to view exclusions'];
    }
    return out;
  }

  /** Set-/Add-/Remove-MpPreference. */
  write(cmdlet, params) {
    this.assertDefender(cmdlet);
    const bound = bindPreferenceParams(cmdlet, params);
    if (!this.state.elevated) {
      throw new PsRuntimeError("You don't have enough permissions to perform the requested operation.", {
        errorId: `HRESULT 0x80070005,${cmdlet}`, category: 'PermissionDenied', hresult: -2146233087,
      });
    }
    const blocked = this.state.tamperProtected && !this.tsActive();
    const prefs = this.state.preferences;
    const apply = (name, mutate) => {
      const before = JSON.stringify(name === 'DisableTamperProtection' ? !this.state.tamperProtected : prefs[name]);
      if (blocked && TAMPER_PROTECTED.has(name)) {
        this.logEvent(5013, `Tamper protection blocked a change to Microsoft Defender Antivirus. If Tamper protection is enabled then, any attempt to change any of Defender's settings is blocked. Event ID 5013 is generated which states which setting change was blocked.\r\n\tValue: ${registryValue(name)}`);
        return;
      }
      mutate();
      const after = JSON.stringify(name === 'DisableTamperProtection' ? !this.state.tamperProtected : prefs[name]);
      if (before !== after) {
        this.logEvent(5007, `Microsoft Defender Antivirus Configuration has changed. If this is an unexpected event you should review the settings as this may be the result of malware.\r\n\tOld value: ${registryValue(name)} = ${before}\r\n\tNew value: ${registryValue(name)} = ${after}`);
        if (name === 'DisableRealtimeMonitoring') this.logEvent(prefs[name] ? 5001 : 5000, prefs[name] ? 'Real-time protection is disabled.' : 'Real-time protection is enabled.');
      }
      this.dirty = true;
    };

    const ids = bound.AttackSurfaceReductionRules_Ids;
    const actions = bound.AttackSurfaceReductionRules_Actions;
    if (ids !== undefined || actions !== undefined) {
      apply('AttackSurfaceReductionRules_Ids', () => {
        const curIds = [...(prefs.AttackSurfaceReductionRules_Ids ?? [])];
        const curActs = [...(prefs.AttackSurfaceReductionRules_Actions ?? [])];
        if (cmdlet === 'Set-MpPreference') {
          prefs.AttackSurfaceReductionRules_Ids = ids ?? curIds;
          prefs.AttackSurfaceReductionRules_Actions = actions ?? curActs;
        } else if (cmdlet === 'Add-MpPreference') {
          if (!ids || !actions || ids.length !== actions.length) {
            throw new PsRuntimeError('The number of ASR rule IDs and actions must match.', { errorId: `HRESULT 0x80070057,${cmdlet}`, category: 'InvalidArgument' });
          }
          ids.forEach((id, k) => {
            const at = curIds.findIndex((c) => c.toLowerCase() === id.toLowerCase());
            if (at >= 0) curActs[at] = actions[k];
            else { curIds.push(id); curActs.push(actions[k]); }
          });
          prefs.AttackSurfaceReductionRules_Ids = curIds;
          prefs.AttackSurfaceReductionRules_Actions = curActs;
        } else {
          const drop = new Set((ids ?? []).map((x) => x.toLowerCase()));
          const keep = curIds.map((id, k) => [id, curActs[k]]).filter(([id]) => !drop.has(id.toLowerCase()));
          prefs.AttackSurfaceReductionRules_Ids = keep.length ? keep.map((x) => x[0]) : null;
          prefs.AttackSurfaceReductionRules_Actions = keep.length ? keep.map((x) => x[1]) : null;
        }
      });
    }
    for (const [name, value] of Object.entries(bound)) {
      if (name.startsWith('AttackSurfaceReductionRules_')) continue;
      if (LIST_PARAMS.includes(name)) {
        apply(name, () => {
          const cur = prefs[name] ?? [];
          let next;
          if (cmdlet === 'Set-MpPreference') next = value;
          else if (cmdlet === 'Add-MpPreference') next = [...cur, ...value.filter((v) => !cur.some((c) => c.toLowerCase() === v.toLowerCase()))];
          else next = cur.filter((c) => !value.some((v) => v.toLowerCase() === c.toLowerCase()));
          prefs[name] = next.length ? next : null;
        });
        continue;
      }
      if (cmdlet !== 'Set-MpPreference') {
        throw new PsRuntimeError(`A parameter cannot be found that matches parameter name '${name}'.`, { errorId: `NamedParameterNotFound,${cmdlet}`, category: 'InvalidArgument' });
      }
      if (name === 'DisableTamperProtection') apply(name, () => { this.state.tamperProtected = !value; });
      else apply(name, () => { prefs[name] = value; });
    }
  }

  events(filter) {
    const ids = filter.ids;
    const start = filter.startTime ? filter.startTime.getTime() : -Infinity;
    return (this.state.events ?? [])
      .filter((e) => (!ids || ids.includes(e.Id)) && new Date(e.TimeCreated).getTime() >= start)
      .sort((a, b) => (b.RecordId ?? 0) - (a.RecordId ?? 0))
      .map((e) => ({
        Id: e.Id, TimeCreated: new PsDate(new Date(e.TimeCreated)), Message: e.Message, ProviderName: PROVIDER,
        LogName: OPERATIONAL_LOG, RecordId: e.RecordId, LevelDisplayName: e.Id === 5013 ? 'Warning' : 'Information',
      }));
  }

  cpuSample(name) {
    const proc = this.state.processes?.[name];
    if (!proc) throw new PsRuntimeError(`Process ${name} is not running.`, { errorId: 'System.Management.Automation.RuntimeException' });
    const p = this.state.preferences;
    const excluded = [p.ExclusionPath, p.ExclusionExtension, p.ExclusionProcess].some((l) => l && l.length);
    return { name, id: proc.id, cpuPercent: excluded && proc.cpuPercentWithExclusions !== undefined ? proc.cpuPercentWithExclusions : proc.cpuPercent, workingSetMB: proc.workingSetMB ?? 100 };
  }
}

/** Parameter binding for the Mp write cmdlets: case-insensitive names, unique prefixes, PowerShell type rules. */
function bindPreferenceParams(cmdlet, params) {
  const out = {};
  const known = Object.keys(PREFERENCE_PARAMS);
  for (const [given, raw] of Object.entries(params)) {
    const name = resolveParamName(cmdlet, given, [...known, ...COMMON_PARAMS]);
    if (COMMON_PARAMS.includes(name)) continue;
    const type = PREFERENCE_PARAMS[name];
    const fail = (what) => {
      throw new PsRuntimeError(`Cannot process argument transformation on parameter '${name}'. ${what}`, {
        errorId: `ParameterArgumentTransformationError,${cmdlet}`, category: 'InvalidData',
      });
    };
    switch (type) {
      case 'bool':
        if (typeof raw === 'boolean') out[name] = raw;
        else if (typeof raw === 'number') out[name] = raw !== 0;
        else fail(`Cannot convert value "System.String" to type "System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.`);
        break;
      case 'int':
        if (typeof raw !== 'number') fail(`Cannot convert value "${raw}" to type "System.Byte".`);
        out[name] = raw;
        break;
      case 'threeState':
        out[name] = enumValue(raw, THREE_STATE, fail);
        break;
      case 'asrActions':
        out[name] = enumerate(raw).map((v) => enumValue(v, ASR_ACTIONS, fail));
        break;
      case 'strings':
        out[name] = enumerate(raw).map((v) => String(v));
        break;
    }
  }
  return out;
}

function enumValue(raw, table, fail) {
  if (typeof raw === 'number' && Object.values(table).includes(raw)) return raw;
  const key = String(raw).toLowerCase();
  if (key in table) return table[key];
  return fail(`Cannot convert value "${raw}" to type "Microsoft.PowerShell.Cmdletization.GeneratedTypes.MpPreference". Specify one of the following enumerator names and try again: ${Object.keys(table).join(', ')}`);
}

function resolveParamName(cmdlet, given, known) {
  const lower = given.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  const prefixed = known.filter((k) => k.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) {
    throw new PsRuntimeError(`Parameter cannot be processed because the parameter name '${given}' is ambiguous. Possible matches include: -${prefixed.join(' -')}.`, { errorId: `AmbiguousParameter,${cmdlet}`, category: 'InvalidArgument' });
  }
  throw new PsRuntimeError(`A parameter cannot be found that matches parameter name '${given}'.`, { errorId: `NamedParameterNotFound,${cmdlet}`, category: 'InvalidArgument' });
}

module.exports = { DefenderDevice, defaultState, resolveParamName, formatLocal, OPERATIONAL_LOG };
