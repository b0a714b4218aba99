/**
 * Rows for the tenant's devices (MDE `GET /api/machines`, defender.md §1.2) and the portal deep links for them.
 * Pure: the Devices view adapter (src/fleet/) turns these into tree items.
 */
import type { Machine } from '../api/mde';
import { mdText as esc } from '../core/markdown';
import type { NodeTone, NodeVM } from '../core/treeModel';
import { machineIdOfRow, tenantRowId } from './deviceGrouping';
import type { DeviceTroubleshootingInfo } from './deviceTroubleshooting';
import { l10n } from '../core/l10n';

export const TENANT_GROUP_ID = 'devices/tenant';

/** Device page in the Defender portal (defender.md §10): /machines/v2/{machineId}/overview, optionally ?tid=. */
export function devicePortalUrl(portalBase: string, machineId: string, tenantId?: string): string {
  const base = portalBase.replace(/\/+$/, '');
  const tid = tenantId && /^[0-9a-f-]{36}$/i.test(tenantId) ? `?tid=${tenantId}` : '';
  return `${base}/machines/v2/${encodeURIComponent(machineId)}/overview${tid}`;
}

/** healthStatus values from the Machine entity; casing varies in real responses, so compare case-insensitively. */
function healthTone(health: string | null | undefined): NodeTone {
  switch ((health ?? '').toLowerCase()) {
    case 'active':
      return 'ok';
    case 'inactive':
      return 'muted';
    case 'impairedcommunication':
    case 'nosensordata':
    case 'nosensordataimpairedcommunication':
      return 'warning';
    default:
      return 'info';
  }
}

/** "3 h ago", "2 d ago": lastSeen is the last *full device report*, normally daily (defender.md §1.2). */
export function ago(iso: string | null | undefined, now: Date): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const minutes = Math.max(0, Math.round((now.getTime() - t) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

function isWindows(m: Machine): boolean {
  return /^windows/i.test(m.osPlatform ?? '');
}

/** The machine id behind a tenant device row id (rows of a device under several tag groups differ by suffix). */
export function tenantMachineId(rowId: string | undefined): string | undefined {
  return machineIdOfRow(rowId);
}

export interface MachineNodeOptions {
  /** Row id; defaults to `device/tenant/<id>`. */
  readonly rowId?: string;
  /** What the session tracker knows (stage and time left). */
  readonly troubleshooting?: DeviceTroubleshootingInfo;
  /** Rows under the device (e.g. its prerequisites), when a feature supplies them. */
  readonly children?: () => Promise<readonly NodeVM[]> | readonly NodeVM[];
}

export function machineNode(m: Machine, now: Date, options: MachineNodeOptions = {}): NodeVM {
  const name = m.computerDnsName || m.id;
  const seen = ago(m.lastSeen, now);
  const ts = options.troubleshooting && options.troubleshooting.stage !== 'none' ? options.troubleshooting : undefined;
  const tags = (m.machineTags ?? []).filter(Boolean);
  const description = [ts?.label, m.osPlatform, m.healthStatus, seen && `report ${seen}`, tags.length ? tags.map((t) => `#${t}`).join(' ') : '']
    .filter(Boolean)
    .join(' · ');
  const rows: [string, unknown][] = [
    ['Device id', m.id],
    ['OS', [m.osPlatform, m.version, m.osBuild].filter((x) => x != null && x !== '').join(' ')],
    ['Health', m.healthStatus],
    ['Onboarding', m.onboardingStatus],
    ['Antivirus', m.defenderAvStatus],
    ['Sensor', m.agentVersion],
    ['Risk / exposure', [m.riskScore, m.exposureLevel].filter(Boolean).join(' / ')],
    ['Device group', m.rbacGroupName],
    ['Last IP', m.lastIpAddress],
    ['Last full report', m.lastSeen],
    ['Tags', (m.machineTags ?? []).join(', ')],
    ['Troubleshooting mode', ts?.label],
    ['Session ends', ts?.endsAt?.toISOString()],
  ];
  const tooltip = [
    `**${esc(name)}**`,
    '',
    '| | |',
    '|---|---|',
    ...rows.filter(([, v]) => v != null && v !== '').map(([k, v]) => `| ${k} | ${esc(v)} |`),
    '',
    isWindows(m)
      ? 'Troubleshooting mode is turned on from the device page in the Defender portal (right-click › Open in Defender Portal).'
      : 'Troubleshooting mode for this platform is not covered by the device-side commands (they need Windows).',
  ].join('\n');
  const inSession = ts && (ts.stage === 'active' || ts.stage === 'endingSoon');
  return {
    id: options.rowId ?? tenantRowId(m.id),
    label: name,
    description,
    tooltip,
    icon: inSession ? 'debug-alt' : 'vm',
    tone: ts?.stage === 'endingSoon' || ts?.stage === 'notActivated' ? 'warning' : healthTone(m.healthStatus),
    contextValue: ['tenantDevice', isWindows(m) ? 'windows' : 'other', ...(ts ? [`ts-${ts.stage}`] : [])].join(' '),
    ...(options.children ? { children: options.children, collapsed: true } : {}),
  };
}

/** The "Tenant devices" group, sorted by name; the machines load when the group is expanded. */
export function tenantGroupNode(children: () => Promise<readonly NodeVM[]>, description?: string): NodeVM {
  return {
    id: TENANT_GROUP_ID,
    label: l10n.t('Tenant devices'),
    description,
    icon: 'organization',
    contextValue: 'tenantDevices',
    collapsed: false,
    children,
  };
}

/** A message row under "Tenant devices" (loading, stopped, empty, filter in use). */
export function tenantMessage(key: string, label: string, extra: Partial<NodeVM> = {}): NodeVM {
  return { id: `${TENANT_GROUP_ID}/${key}`, label, icon: 'info', tone: 'muted', contextValue: 'message', ...extra };
}
