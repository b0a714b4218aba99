/**
 * The session report (issue #9 item 3): one Markdown document a person can keep or hand over. The device, the
 * session's start and expiry, the prerequisites, every command that ran and its verified result (the audit log),
 * the snapshot diff before and after, the session's events, the exclusions added with the performance findings
 * behind them, what reverts at expiry, and which changes to make permanent through policy.
 *
 * Facts (defender.md §2.1): after expiry "all policy-managed configurations become read-only again and revert back
 * to how the device was configured before enabling troubleshooting mode"; Defender keeps an MpPreference snapshot
 * before the session and one just before expiry, collected with "Collect investigation package".
 */
import type { AuditEntry } from './audit';
import type { EventRow } from './events';
import { formatMs, type EntryKind } from './performance';
import type { Preferences } from './preferences';
import { stableJson } from './snapshots';
import { l10n } from '../core/l10n';
import { SAMPLE_LABEL } from '../core/sample';

export interface Prerequisite {
  readonly name: string;
  readonly ok: boolean | undefined;
  readonly detail: string;
}

export interface PerformanceFinding {
  readonly recordedAt: Date;
  readonly kind: EntryKind;
  readonly key: string;
  readonly totalMs: number;
  readonly count: number;
}

export interface SessionReportInput {
  readonly device: string;
  readonly generatedAt: Date;
  readonly start?: Date;
  readonly expiry?: Date;
  readonly active?: boolean;
  readonly prerequisites: readonly Prerequisite[];
  /** The audit lines of this device (the report keeps the ones inside the session window). */
  readonly audit: readonly AuditEntry[];
  readonly before?: { readonly takenAt: Date; readonly preferences: Preferences; readonly isTamperProtected?: boolean };
  readonly after?: { readonly takenAt: Date; readonly preferences: Preferences; readonly isTamperProtected?: boolean };
  readonly events: readonly EventRow[];
  /** Bookkeeping 5007s left out of `events`. */
  readonly foldedEvents?: number;
  readonly findings: readonly PerformanceFinding[];
  /** Written on the sample tenant (`npm run dev`): the header says it is sample data. */
  readonly sampleTenant?: boolean;
}

export interface PreferenceChange {
  readonly name: string;
  readonly before: string;
  readonly after: string;
}

function show(v: unknown): string {
  if (v === undefined) return l10n.t('(not set)');
  if (v === null) return '(null)';
  if (typeof v === 'string') return v;
  return stableJson(v).trim().replace(/\s*\n\s*/g, ' ');
}

/** Every preference whose value differs between two snapshots, by name. */
export function diffPreferences(before: Preferences, after: Preferences): PreferenceChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: PreferenceChange[] = [];
  for (const name of names) {
    const a = show(before[name]);
    const b = show(after[name]);
    if (a !== b) out.push({ name, before: a, after: b });
  }
  return out;
}

/** The audit lines from the session (start, or first line, to expiry or now) on this device. */
export function sessionAudit(input: Pick<SessionReportInput, 'audit' | 'start' | 'expiry' | 'device' | 'generatedAt'>): AuditEntry[] {
  const from = input.start?.getTime() ?? -Infinity;
  const to = Math.max(input.expiry?.getTime() ?? input.generatedAt.getTime(), input.generatedAt.getTime());
  return input.audit.filter((e) => {
    const t = new Date(e.time).getTime();
    return t >= from && t <= to && (!e.host || e.host.toLowerCase() === input.device.toLowerCase() || input.device === '');
  });
}

export interface ExclusionAdded {
  readonly list: string;
  readonly value: string;
  readonly when?: string;
  readonly verified?: string;
  readonly finding?: PerformanceFinding;
}

const EXCLUSION_CMD = /(?:Add|Set)-MpPreference\s+-(ExclusionPath|ExclusionExtension|ExclusionProcess)\s+(.+)$/im;
const FINDING_KIND: Record<string, EntryKind[]> = {
  ExclusionPath: ['file', 'path'],
  ExclusionExtension: ['extension'],
  ExclusionProcess: ['process'],
};

/** PowerShell single-quoted literals in a command's argument list, unescaped. */
export function quotedValues(args: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(args); m; m = re.exec(args)) out.push(m[1].replace(/''/g, "'"));
  return out;
}

/** Exclusions the session added (from the audit log's write commands), each with the finding that names it. */
export function exclusionsAdded(audit: readonly AuditEntry[], findings: readonly PerformanceFinding[]): ExclusionAdded[] {
  const out: ExclusionAdded[] = [];
  for (const e of audit) {
    if (e.kind !== 'write') continue;
    const m = EXCLUSION_CMD.exec(e.script);
    if (!m) continue;
    for (const value of quotedValues(m[2])) {
      const finding = findings.find((f) => FINDING_KIND[m[1]].includes(f.kind) && f.key.toLowerCase() === value.toLowerCase());
      out.push({ list: m[1], value, when: e.time, verified: e.result, finding });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** A table cell: no pipes or line breaks. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

/** An inline code span that survives backticks in the text. */
export function code(text: string): string {
  const oneLine = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const f = '`'.repeat(longest + 1);
  return `${f}powershell\n${text}\n${f}`;
}

function time(d: Date | undefined): string {
  return d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : l10n.t('unknown');
}

/** The settings a session changed that revert at expiry (the policy-managed ones), worded for the report. */
function revertNotes(changes: readonly PreferenceChange[], tamper: { before?: boolean; after?: boolean }): string[] {
  const notes = changes.map((c) => l10n.t('{0}: {1} goes back to {2} where policy manages it.', code(c.name), cell(c.after), cell(c.before)));
  if (tamper.before === true && tamper.after === false) notes.push(l10n.t('Tamper protection turns back on.'));
  return notes;
}

/** Builds the Markdown. Pure: the caller reads the audit log, snapshots, events and reports. */
export function renderSessionReport(input: SessionReportInput): string {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const audit = sessionAudit(input);
  const changes = input.before && input.after ? diffPreferences(input.before.preferences, input.after.preferences) : [];
  const exclusions = exclusionsAdded(audit, input.findings);

  push(`# ${l10n.t('Troubleshooting session report: {0}', cell(input.device))}${input.sampleTenant ? ` · ${SAMPLE_LABEL}` : ''}`, '');
  if (input.sampleTenant) {
    push(`> **${SAMPLE_LABEL}**: ${l10n.t('sample data, played on this machine by the API emulator and the PowerShell stand-in; no real device or tenant was changed.')}`, '');
  }
  push(l10n.t('Generated {0} by Defender Troubleshooting Mode.', time(input.generatedAt)), '');
  push(`## ${l10n.t('Session')}`, '');
  push('| | |', '|---|---|');
  push(`| ${l10n.t('Device')} | ${cell(input.device)} |`);
  push(`| ${l10n.t('Started')} | ${time(input.start)} |`);
  push(`| ${l10n.t('Expires')} | ${time(input.expiry)} |`);
  push(`| ${l10n.t('State when written')} | ${input.active === undefined ? l10n.t('unknown') : input.active ? l10n.t('active') : l10n.t('ended')} |`, '');

  push(`## ${l10n.t('Prerequisites')}`, '');
  if (!input.prerequisites.length) push(`_${l10n.t('Not checked.')}_`);
  // Words, not emoji: a Markdown preview without an emoji font shows empty boxes.
  const verdict = (ok: boolean | undefined) => (ok === true ? l10n.t('met') : ok === false ? l10n.t('not met') : l10n.t('not known'));
  for (const p of input.prerequisites) push(`- **${cell(p.name)}** (${verdict(p.ok)}): ${cell(p.detail)}`);
  push('');

  push(`## ${l10n.t('Commands and their verified results')}`, '');
  if (!audit.length) push(`_${l10n.t('No command ran on this device during the session.')}_`);
  else {
    push(`| ${l10n.t('Time')} | ${l10n.t('Kind')} | ${l10n.t('Operation')} | ${l10n.t('Command')} | ${l10n.t('Result')} |`, '|---|---|---|---|---|');
    for (const e of audit) {
      const first = e.script.split('\n').find((l) => l.trim()) ?? '';
      push(`| ${time(new Date(e.time))} | ${e.kind} | ${cell(e.operation)} | ${code(first.length > 160 ? `${first.slice(0, 160)}…` : first)} | ${e.ok ? '' : '⚠ '}${cell(e.result)}${e.message ? ` (${cell(e.message)})` : ''} |`);
    }
    const writes = audit.filter((e) => e.kind === 'write');
    if (writes.length) {
      push('', `<details><summary>${l10n.t('Write commands in full')}</summary>`, '');
      for (const e of writes) push(fence(e.script), '');
      push('</details>');
    }
  }
  push('');

  push(`## ${l10n.t('Preferences before and after')}`, '');
  if (!input.before || !input.after) push(`_${l10n.t('Needs two snapshots (the first is taken before the first change).')}_`);
  else {
    push(l10n.t('Snapshot before: {0}; after: {1}.', time(input.before.takenAt), time(input.after.takenAt)), '');
    if (!changes.length) push(`_${l10n.t('No preference differs.')}_`);
    else {
      push(`| ${l10n.t('Preference')} | ${l10n.t('Before')} | ${l10n.t('After')} |`, '|---|---|---|');
      for (const c of changes) push(`| ${code(c.name)} | ${cell(c.before)} | ${cell(c.after)} |`);
    }
    if (input.before.isTamperProtected !== input.after.isTamperProtected) {
      push('', l10n.t('Tamper protection: {0} → {1}.', String(input.before.isTamperProtected ?? l10n.t('unknown')), String(input.after.isTamperProtected ?? l10n.t('unknown'))));
    }
  }
  push('');

  push(`## ${l10n.t('Events')}`, '');
  if (!input.events.length) push(`_${l10n.t('No events in the session window.')}_`);
  else {
    push(`| ${l10n.t('Time')} | ${l10n.t('Id')} | ${l10n.t('Meaning')} | ${l10n.t('Details')} |`, '|---|---|---|---|');
    for (const e of input.events) push(`| ${time(e.time)} | ${e.id} | ${cell(e.meaning)} | ${cell(e.summary)} |`);
  }
  if (input.foldedEvents) push('', l10n.t('{0} bookkeeping 5007 event(s) from Defender itself are left out.', input.foldedEvents));
  push('');

  push(`## ${l10n.t('Exclusions added and the findings behind them')}`, '');
  if (!exclusions.length) push(`_${l10n.t('No exclusion was added.')}_`);
  else {
    push(`| ${l10n.t('Exclusion')} | ${l10n.t('Value')} | ${l10n.t('Verified')} | ${l10n.t('Performance finding')} |`, '|---|---|---|---|');
    for (const x of exclusions) {
      const f = x.finding ? l10n.t('{0} {1}: {2} over {3} scan(s)', x.finding.kind, code(x.finding.key), formatMs(x.finding.totalMs), x.finding.count) : l10n.t('none recorded');
      push(`| ${x.list} | ${code(x.value)} | ${cell(x.verified ?? '')} | ${f} |`);
    }
  }
  if (input.findings.length) {
    push('', l10n.t('Top findings of the performance recordings:'), '');
    for (const f of input.findings) push(`- ${l10n.t('{0} {1}: {2} total over {3} scan(s) (recorded {4})', f.kind, code(f.key), formatMs(f.totalMs), f.count, time(f.recordedAt))}`);
  }
  push('');

  push(`## ${l10n.t('What reverts at expiry')}`, '');
  push(
    l10n.t('When troubleshooting mode expires, policy-managed settings become read-only again and revert to how the device was configured before the session.'),
    '',
  );
  const notes = revertNotes(changes, { before: input.before?.isTamperProtected, after: input.after?.isTamperProtected });
  if (!notes.length) push(`_${l10n.t('Nothing this session changed is known to revert.')}_`);
  for (const n of notes) push(`- ${n}`);
  push('');

  push(`## ${l10n.t('Make permanent through policy')}`, '');
  const keep = exclusions.filter((x) => x.verified === 'applied' || x.verified === 'alreadySet');
  if (!keep.length) push(`_${l10n.t('Nothing to make permanent: no verified exclusion was added.')}_`);
  else {
    push(l10n.t('These changes helped during the session and revert at expiry; to keep them, add them to the policy that manages the device (Intune, Group Policy or Defender for Endpoint security settings management):'), '');
    for (const x of keep) push(`- ${x.list}: ${code(x.value)}${x.finding ? ` (${l10n.t('finding: {0} of scan time', formatMs(x.finding.totalMs))})` : ''}`);
  }
  push('');
  return lines.join('\n');
}
