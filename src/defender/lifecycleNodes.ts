/**
 * Sessions view rows and messages for the lifecycle (pure): one row per tracked session with its stage and time,
 * what to check when a request did not activate, and what the docs say happens when a session ends.
 */
import type { NodeTone, NodeVM } from '../core/treeModel';
import { formatLeft, type LifecycleSession, type LiveStage } from './sessionLifecycle';
import { l10n } from '../core/l10n';

const LOOK: Record<LiveStage, [string, NodeTone, string]> = {
  requested: ['clock', 'info', 'Requested'],
  notActivated: ['warning', 'warning', 'Not activated'],
  active: ['pass', 'ok', 'Active'],
  endingSoon: ['warning', 'warning', 'Ending soon'],
  ended: ['history', 'muted', 'Ended'],
};

const ORDER: Record<LiveStage, number> = { endingSoon: 0, active: 1, notActivated: 2, requested: 3, ended: 4 };

function utc(d: Date | undefined): string {
  return d ? `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC` : 'unknown';
}

export function sessionName(s: Pick<LifecycleSession, 'deviceName' | 'deviceId'>): string {
  if (s.deviceName) return s.deviceName;
  return s.deviceId ? `${s.deviceId.slice(0, 8)}…` : 'Unknown device';
}

export function describeStage(s: LifecycleSession, now: Date): string {
  const [, , word] = LOOK[s.stage];
  switch (s.stage) {
    case 'requested':
      return `${word} · ${formatLeft(now.getTime() - (s.requestedAt?.getTime() ?? now.getTime()))} ago, waiting for the device (up to 15 min)`;
    case 'notActivated':
      return `${word} · requested ${formatLeft(now.getTime() - (s.requestedAt?.getTime() ?? now.getTime()))} ago, not seen active`;
    case 'active':
    case 'endingSoon':
      return `${word} · ${formatLeft(s.timeLeftMs ?? 0)} left`;
    case 'ended':
      return s.endedAt ? `${word} ${formatLeft(Math.max(0, now.getTime() - s.endedAt.getTime()))} ago` : word;
  }
}

const EXPIRY_NOTES: Record<NonNullable<LifecycleSession['endsAtSource']>, string> = {
  'expiry-field': 'reported by the device (TroubleshootingStateExpiry)',
  'remaining-minutes': 'from TroubleshootingStateRemainingMinutes',
  'assumed-4h': 'assumed: start + 4 hours (the data gave no expiry)',
};

export function lifecycleNode(s: LifecycleSession, now: Date, checks: readonly string[] = []): NodeVM {
  const [icon, tone] = LOOK[s.stage];
  const tooltip = [
    `**${sessionName(s)}**: ${describeStage(s, now)}`,
    s.deviceId ? `Device id: \`${s.deviceId}\`` : undefined,
    s.requestedAt ? `Requested: ${utc(s.requestedAt)}` : undefined,
    s.startedAt ? `Started: ${utc(s.startedAt)}` : 'Not seen active yet (activation can take up to 15 minutes).',
    s.endsAt ? `Ends: ${utc(s.endsAt)}${s.endsAtSource ? ` (${EXPIRY_NOTES[s.endsAtSource]})` : ''}` : undefined,
    ...checks.map((c) => `- ${c}`),
    'A session cannot be ended early; it ends on its own.',
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n\n');
  return {
    id: `lifecycle/${s.key}`,
    label: sessionName(s),
    description: describeStage(s, now),
    tooltip,
    icon,
    tone,
    contextValue: `session lifecycle ${s.stage}${s.deviceId && !s.deviceId.startsWith('local:') ? ' tenantSession' : ''}`,
    children: checks.length
      ? () => checks.map((c, k) => ({ id: `lifecycle/${s.key}/check/${k}`, label: c, icon: 'checklist', tone: 'info' as const, contextValue: 'message', tooltip: c }))
      : undefined,
    collapsed: checks.length ? false : undefined,
  };
}

/** Rows in a stable order: live first (least time left), then not activated, requested, ended (newest first). */
export function lifecycleRows(sessions: readonly LifecycleSession[], now: Date, checksFor: (s: LifecycleSession) => readonly string[] = () => []): NodeVM[] {
  const sorted = [...sessions].sort((a, b) => {
    const r = ORDER[a.stage] - ORDER[b.stage];
    if (r) return r;
    if (a.timeLeftMs !== undefined && b.timeLeftMs !== undefined) return a.timeLeftMs - b.timeLeftMs;
    return (b.endedAt ?? b.requestedAt ?? b.startedAt ?? new Date(0)).getTime() - (a.endedAt ?? a.requestedAt ?? a.startedAt ?? new Date(0)).getTime();
  });
  return sorted.map((s) => lifecycleNode(s, now, s.stage === 'notActivated' ? checksFor(s) : []));
}

/**
 * What the docs say happens at the end (seed "Get started with troubleshooting mode"; defender.md §2.1, §0 #6),
 * quoted, for the "ended" notification.
 */
export const END_OF_SESSION_FACTS: readonly string[] = [
  'After expiration, "all policy-managed configurations become read-only again and revert back to how the device was configured before enabling troubleshooting mode."',
  'Policy changes made during the session "do not take effect until troubleshooting mode expires."',
  '"Platform updates are applied when troubleshooting mode ends with a Windows update."',
  'The MpPreference snapshots (before the session and just before expiry) and the operational logs are collected for "Collect investigation package"; "Microsoft doesn\'t remove this data from the device until an admin has collected it."',
];

export interface StageMessage {
  readonly text: string;
  readonly severity: 'info' | 'warning';
}

/** The notification text for a transition. */
export function stageMessage(s: LifecycleSession, stage: 'active' | 'endingSoon' | 'ended' | 'notActivated', now: Date): StageMessage {
  const name = sessionName(s);
  switch (stage) {
    case 'active':
      return {
        severity: 'info',
        text: l10n.t('Troubleshooting mode is active on {0}{1}. Local admins can now change policy-managed Defender Antivirus settings.', name, s.endsAt ? l10n.t(' until {0} ({1} left)', utc(s.endsAt), formatLeft(Math.max(0, s.endsAt.getTime() - now.getTime()))) : ''),
      };
    case 'endingSoon':
      return {
        severity: 'warning',
        text: l10n.t('Troubleshooting mode on {0} ends in {1}{2}. It cannot be extended or ended early; local changes to policy-managed settings then revert.', name, formatLeft(s.timeLeftMs ?? 0), s.endsAt ? ` (${utc(s.endsAt)})` : ''),
      };
    case 'ended':
      return {
        severity: 'info',
        text: l10n.t('Troubleshooting mode on {0} has ended. {1}', name, END_OF_SESSION_FACTS.slice(0, 3).join(' ')),
      };
    case 'notActivated':
      return {
        severity: 'warning',
        text: l10n.t('Troubleshooting mode on {0} was requested {1} but has not been seen active (the docs say up to 15 minutes). See the Sessions view for what to check.', name, s.requestedAt ? l10n.t('{0} ago', formatLeft(now.getTime() - s.requestedAt.getTime())) : ''),
      };
  }
}

/** "2:41:10" for the status bar; "0:00:59" under a minute. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/**
 * Which session the status bar counts down: the one of the device VS Code runs on (by name), else the live
 * session that ends first; a request waiting for activation when nothing is live.
 */
export function statusBarSession(sessions: readonly LifecycleSession[], hostName: string | undefined): LifecycleSession | undefined {
  const live = sessions.filter((s) => s.stage === 'active' || s.stage === 'endingSoon');
  const host = hostName?.toLowerCase().split('.')[0];
  const own = host ? live.find((s) => s.deviceName?.toLowerCase().split('.')[0] === host) : undefined;
  if (own) return own;
  const soonest = [...live].sort((a, b) => (a.timeLeftMs ?? Infinity) - (b.timeLeftMs ?? Infinity))[0];
  if (soonest) return soonest;
  return sessions.find((s) => s.stage === 'requested' || s.stage === 'notActivated');
}

export function statusBarText(s: LifecycleSession, now: Date, hostName: string | undefined): { text: string; tooltip: string; warning: boolean } {
  const host = hostName?.toLowerCase().split('.')[0];
  const own = !!host && s.deviceName?.toLowerCase().split('.')[0] === host;
  const who = own ? 'this device' : sessionName(s);
  if (s.stage === 'requested' || s.stage === 'notActivated') {
    return {
      text: l10n.t('$(clock) TS {0}: {1}', s.stage === 'requested' ? l10n.t('requested') : l10n.t('not active'), sessionName(s)),
      tooltip: l10n.t('Troubleshooting mode requested for {0} at {1}. Select to open Sessions.', who, utc(s.requestedAt)),
      warning: s.stage === 'notActivated',
    };
  }
  const left = s.endsAt ? s.endsAt.getTime() - now.getTime() : s.timeLeftMs ?? 0;
  return {
    text: l10n.t('$(debug-alt) TS {0}{1}', formatCountdown(left), own ? '' : ` ${sessionName(s).split('.')[0]}`),
    tooltip: l10n.t('Troubleshooting mode on {0} ends {1}. Select to open Sessions.', who, utc(s.endsAt)),
    warning: s.stage === 'endingSoon',
  };
}
