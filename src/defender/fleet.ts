/**
 * Rows for the tenant's devices (MDE `GET /api/machines`, defender.md §1.2) and the portal deep links for them.
 * Pure: the Devices view adapter (src/fleet/) turns these into tree items.
 */
import type { Machine } from '../api/mde';
import type { NodeTone, NodeVM } from '../core/treeModel';
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

const esc = (s: unknown) => String(s ?? '').replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');

export function machineNode(m: Machine, now: Date): NodeVM {
  const name = m.computerDnsName || m.id;
  const seen = ago(m.lastSeen, now);
  const description = [m.osPlatform, m.healthStatus, seen && `report ${seen}`].filter(Boolean).join(' · ');
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
  return {
    id: `device/tenant/${m.id}`,
    label: name,
    description,
    tooltip,
    icon: 'vm',
    tone: healthTone(m.healthStatus),
    contextValue: ['tenantDevice', isWindows(m) ? 'windows' : 'other'].join(' '),
  };
}

export interface TenantListing {
  readonly machines: readonly Machine[];
  /** True when the list stopped at the configured maximum. */
  readonly truncated: boolean;
  readonly endpointHost: string;
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

export function tenantRows(listing: TenantListing, now: Date): NodeVM[] {
  const rows = [...listing.machines]
    .sort((a, b) => (a.computerDnsName ?? a.id).localeCompare(b.computerDnsName ?? b.id))
    .map((m) => machineNode(m, now));
  if (listing.truncated) {
    rows.push({
      id: `${TENANT_GROUP_ID}/truncated`,
      label: l10n.t('Showing the first {0} devices', listing.machines.length),
      description: l10n.t('raise defenderTroubleshooting.devices.maxCount to see more'),
      icon: 'info',
      tone: 'muted',
      contextValue: 'message',
    });
  }
  if (rows.length === 0) {
    rows.push({ id: `${TENANT_GROUP_ID}/empty`, label: l10n.t('No devices visible to your account'), icon: 'info', tone: 'muted', contextValue: 'message' });
  }
  return rows;
}
