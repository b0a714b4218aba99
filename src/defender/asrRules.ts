/**
 * The 19 documented attack surface reduction rules, copied from /work/shared/reference/asr-rules.json (source:
 * MicrosoftDocs/defender-docs attack-surface-reduction-rules-reference.md @ 00515eba, 2024-10-07).
 * Validate GUIDs against this list only: community code contains made-up ones (defender.md §4).
 */
export interface AsrRule {
  readonly name: string;
  /** Lower-case; Defender compares GUIDs case-insensitively. */
  readonly guid: string;
  readonly standardProtection: boolean;
  readonly preview: boolean;
}

export const ASR_RULES: readonly AsrRule[] = [
  { name: "Block abuse of exploited vulnerable signed drivers", guid: "56a863a9-875e-4185-98a7-b882c64b5ce5", standardProtection: true, preview: false },
  { name: "Block Adobe Reader from creating child processes", guid: "7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c", standardProtection: false, preview: false },
  { name: "Block all Office applications from creating child processes", guid: "d4f940ab-401b-4efc-aadc-ad5f3c50688a", standardProtection: false, preview: false },
  { name: "Block credential stealing from the Windows local security authority subsystem (lsass.exe)", guid: "9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2", standardProtection: true, preview: false },
  { name: "Block executable content from email client and webmail", guid: "be9ba2d9-53ea-4cdc-84e5-9b1eeee46550", standardProtection: false, preview: false },
  { name: "Block executable files from running unless they meet a prevalence, age, or trusted list criterion", guid: "01443614-cd74-433a-b99e-2ecdc07bfc25", standardProtection: false, preview: false },
  { name: "Block execution of potentially obfuscated scripts", guid: "5beb7efe-fd9a-4556-801d-275e5ffc04cc", standardProtection: false, preview: false },
  { name: "Block JavaScript or VBScript from launching downloaded executable content", guid: "d3e037e1-3eb8-44c8-a917-57927947596d", standardProtection: false, preview: false },
  { name: "Block Office applications from creating executable content", guid: "3b576869-a4ec-4529-8536-b80a7769e899", standardProtection: false, preview: false },
  { name: "Block Office applications from injecting code into other processes", guid: "75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84", standardProtection: false, preview: false },
  { name: "Block Office communication application from creating child processes", guid: "26190899-1602-49e8-8b27-eb1d0a1ce869", standardProtection: false, preview: false },
  { name: "Block persistence through WMI event subscription", guid: "e6db77e5-3df2-4cf1-b95a-636979351e5b", standardProtection: true, preview: false },
  { name: "Block process creations originating from PSExec and WMI commands", guid: "d1e49aac-8f56-4280-b9ba-993a6d77406c", standardProtection: false, preview: false },
  { name: "Block rebooting machine in Safe Mode", guid: "33ddedf1-c6e0-47cb-833e-de6133960387", standardProtection: false, preview: true },
  { name: "Block untrusted and unsigned processes that run from USB", guid: "b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4", standardProtection: false, preview: false },
  { name: "Block use of copied or impersonated system tools", guid: "c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb", standardProtection: false, preview: true },
  { name: "Block Webshell creation for Servers", guid: "a8f5898e-1dc8-49a9-9878-85004b8a61e6", standardProtection: false, preview: false },
  { name: "Block Win32 API calls from Office macros", guid: "92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b", standardProtection: false, preview: false },
  { name: "Use advanced protection against ransomware", guid: "c1db55ab-c21a-4637-bb3f-a12568109d35", standardProtection: false, preview: false },
];

/**
 * Action codes as Get-MpPreference returns them, and the names Set-/Add-MpPreference accept: the module's enum
 * MpPreference.ASRRuleActionType (defender-module.json: Disabled 0, Enabled 1, AuditMode 2, NotConfigured 5, Warn 6;
 * asr-rules.json _meta lists 0/1/2/6).
 */
export const ASR_ACTION_CODES = { Disabled: 0, Enabled: 1, AuditMode: 2, NotConfigured: 5, Warn: 6 } as const;
export type AsrActionName = keyof typeof ASR_ACTION_CODES;

const ACTION_LABELS: Record<number, string> = { 0: "Disabled/Not configured", 1: "Block", 2: "Audit", 5: "Not configured", 6: "Warn" };

export function asrActionLabel(code: number | undefined): string {
  return code === undefined ? "not configured" : (ACTION_LABELS[code] ?? `unknown (${code})`);
}

export function asrActionName(code: number): AsrActionName | undefined {
  return (Object.keys(ASR_ACTION_CODES) as AsrActionName[]).find((k) => ASR_ACTION_CODES[k] === code);
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function findAsrRule(guid: string): AsrRule | undefined {
  const g = guid.trim().toLowerCase();
  return GUID_RE.test(g) ? ASR_RULES.find((r) => r.guid === g) : undefined;
}
