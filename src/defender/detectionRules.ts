import { l10n } from '../core/l10n';
/**
 * Custom detection rules from the seed's queries (issue 8 item 7): Microsoft Graph
 * `POST /security/rules/detectionRules` (defender.md §11; permission CustomDetection.ReadWrite.All; global
 * service only). The body follows microsoft-graph-docs-contrib's detectionRule / ruleSchedule / alertTemplate
 * pages: v1.0's ruleSchedule takes `frequency` (an ISO 8601 duration); the older `period` ("0", "1H", "3H",
 * "12H", "24H") is marked deprecated there, for removal on 2026-10-01, so it is not sent. Pure: no vscode import.
 */

/** The run frequencies offered: the intervals the docs list for `period`, as v1.0's `frequency` durations. */
export const RULE_FREQUENCIES = [
  { get label() { return l10n.t('Every hour'); }, frequency: 'PT1H', period: '1H' },
  { get label() { return l10n.t('Every 3 hours'); }, frequency: 'PT3H', period: '3H' },
  { get label() { return l10n.t('Every 12 hours'); }, frequency: 'PT12H', period: '12H' },
  { get label() { return l10n.t('Every 24 hours'); }, frequency: 'P1D', period: '24H' },
] as const;

export type RuleFrequency = (typeof RULE_FREQUENCIES)[number]['frequency'];

/** alertTemplate.severity values. */
export const RULE_SEVERITIES = ['informational', 'low', 'medium', 'high'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

export const DETECTION_RULES_PATH = 'v1.0/security/rules/detectionRules';

/** The seed's "Devices currently in troubleshooting mode" query, verbatim. */
export const TROUBLESHOOTING_NOW_QUERY = [
  'DeviceEvents',
  '| where Timestamp > ago(3h) // troubleshooting mode automatically disables after 4 hours',
  '| where ActionType == "AntivirusTroubleshootModeEvent"',
  '| extend _tsmodeproperties = parse_json(AdditionalFields)',
  '| where _tsmodeproperties.TroubleshootingStateChangeReason contains "started"',
  '|summarize (Timestamp, ReportId)=arg_max(Timestamp, ReportId), count() by DeviceId',
  '| order by Timestamp desc',
].join('\n');

export const TROUBLESHOOTING_NOW_RULE = {
  name: 'Devices in troubleshooting mode',
  get title() { return l10n.t('Device in Defender troubleshooting mode'); },
  get description() { return l10n.t('Troubleshooting mode was started on this device: tamper protection and policy-managed Defender settings can be changed locally until it expires.'); },
} as const;

export interface DetectionRuleInput {
  readonly name: string;
  readonly queryText: string;
  readonly frequency: RuleFrequency;
  readonly severity: RuleSeverity;
  readonly title?: string;
  readonly description?: string;
  /** Alert category; troubleshooting mode lowers defences, so the default is DefenseEvasion. */
  readonly category?: string;
}

export class DetectionRuleError extends Error {}

/** Problems that would make the rule useless or rejected, found before sending; empty when none. */
export function checkRuleInput(input: DetectionRuleInput): string[] {
  const problems: string[] = [];
  if (!input.name.trim()) problems.push('The rule needs a name.');
  if (input.name.length > 256) problems.push('Keep the name under 256 characters.');
  if (!input.queryText.trim()) problems.push('The query is empty.');
  if (!RULE_FREQUENCIES.some((f) => f.frequency === input.frequency)) problems.push(`Unknown frequency ${input.frequency}.`);
  if (!RULE_SEVERITIES.includes(input.severity)) problems.push(`Unknown severity ${input.severity}.`);
  // The alert's impacted asset is the device (identifier deviceId, as in the docs' example), so the query must
  // return the DeviceId column; the seed's summarize keeps Timestamp and ReportId for the same reason.
  const code = stripComments(input.queryText);
  for (const col of ['DeviceId', 'Timestamp', 'ReportId']) {
    if (!new RegExp(`\\b${col}\\b`).test(code)) problems.push(`The query does not return ${col}; a custom detection builds its alert from DeviceId, Timestamp and ReportId.`);
  }
  return problems;
}

function stripComments(kql: string): string {
  return kql
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('\n');
}

/** The request body for `POST /security/rules/detectionRules`. */
export function detectionRuleBody(input: DetectionRuleInput): Record<string, unknown> {
  const problems = checkRuleInput(input);
  if (problems.length) throw new DetectionRuleError(problems.join(' '));
  return {
    displayName: input.name.trim(),
    isEnabled: true,
    queryCondition: { queryText: input.queryText },
    schedule: { frequency: input.frequency },
    detectionAction: {
      alertTemplate: {
        title: (input.title ?? input.name).trim(),
        description: input.description ?? l10n.t('Created from VS Code (Defender Troubleshooting Mode): {0}', input.name.trim()),
        severity: input.severity,
        category: input.category ?? 'DefenseEvasion',
        recommendedActions: null,
        mitreTechniques: [],
        impactedAssets: [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }],
      },
      organizationalScope: null,
      responseActions: [],
    },
  };
}

/** The Graph hosts of national clouds, where custom detection rules are not available (global service only). */
export function isGlobalGraph(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.toLowerCase();
    return !['graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'].includes(host);
  } catch {
    return false;
  }
}

/** A one-line summary of a created rule for the message. */
export function createdRuleText(rule: Record<string, unknown>): string {
  const id = typeof rule.id === 'string' || typeof rule.id === 'number' ? String(rule.id) : '?';
  const name = typeof rule.displayName === 'string' ? rule.displayName : l10n.t('The rule');
  const schedule = rule.schedule as Record<string, unknown> | undefined;
  const freq = RULE_FREQUENCIES.find((f) => f.frequency === schedule?.frequency || f.period === schedule?.period)?.label.toLowerCase() ?? l10n.t('on its schedule');
  return l10n.t('Custom detection rule "{0}" created (id {1}); it runs {2}.', name, id, freq);
}

/**
 * The message after creating a rule: what was created and where it is in the Defender portal. From Microsoft's docs, "Create and manage custom detection rules in
 * Microsoft Defender XDR" (MicrosoftDocs/defender-docs, defender-xdr/custom-detection-rules.md, ms.date
 * 07/18/2024, section "Manage existing custom detection rules › View existing rules"): "To view all existing
 * custom detection rules, navigate to **Hunting** > **Custom detection rules**", and to see one rule, "go to
 * **Hunting** > **Custom detection rules** and then select the name of rule". The docs give no deep link to
 * that page, so the button opens the portal itself. (defender.md §11 covers the Graph request, not the portal.)
 */
export function createdRuleMessage(rule: Record<string, unknown>): string {
  return l10n.t('{0} In the Defender portal it is listed under Hunting › Custom detection rules; select its name there to see its runs and alerts.', createdRuleText(rule));
}

/** Query lines and characters the confirmation shows; the whole request body goes to the log. */
export const CONFIRM_QUERY_LINES = 12;
export const CONFIRM_QUERY_CHARS = 1000;

/**
 * The confirmation's detail: the request line, every value the user chose, and the query, bounded in height.
 * VS Code's custom dialog (code-server, and desktop with `window.dialogStyle: custom`) does not scroll its
 * detail: the whole pretty-printed body (about 45 lines) pushed the dialog's buttons below a 900-pixel window,
 * where "Create Rule" could not be clicked. The exact body is logged before the dialog opens. @l10n
 */
export function confirmationDetail(endpoint: string, body: Record<string, unknown>): string {
  const b = body as {
    displayName?: string;
    queryCondition?: { queryText?: string };
    schedule?: { frequency?: string };
    detectionAction?: { alertTemplate?: { title?: string; severity?: string; category?: string; impactedAssets?: { identifier?: string }[] }; responseActions?: unknown[] };
  };
  const t = b.detectionAction?.alertTemplate ?? {};
  const query = b.queryCondition?.queryText ?? '';
  const lines = query.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const shown: string[] = [];
  let chars = 0;
  for (const line of lines) {
    if (shown.length >= CONFIRM_QUERY_LINES || chars + line.length > CONFIRM_QUERY_CHARS) break;
    shown.push(line);
    chars += line.length + 1;
  }
  const out = [
    `POST ${endpoint.replace(/\/+$/, '')}/${DETECTION_RULES_PATH}`,
    `displayName: ${b.displayName ?? ''}`,
    `schedule.frequency: ${b.schedule?.frequency ?? ''}`,
    l10n.t('alertTemplate: title "{0}", severity {1}, category {2}, impacted asset {3}', t.title ?? '', t.severity ?? '', t.category ?? '', (t.impactedAssets ?? []).map((a) => a.identifier).join(', ')),
    l10n.t('responseActions: {0}', String(b.detectionAction?.responseActions?.length ?? 0)),
    'queryCondition.queryText:',
    ...shown,
  ];
  const rest = lines.length - shown.length;
  if (rest === 1) out.push(l10n.t('… 1 more line of the query (the whole request body is in the log)'));
  else if (rest > 1) out.push(l10n.t('… {0} more lines of the query (the whole request body is in the log)', rest));
  return out.join('\n');
}
