import type { HostSupport } from '../core/host';
import { mdText } from '../core/markdown';
import type { NodeVM } from '../core/treeModel';
import { CommandIds } from '../constants';
import { formatDuration } from './computerStatus';
import type { DeviceStatus } from './deviceEngine';
import { SCENARIO_PLAYBOOKS } from './playbooks';
import type { SnapshotRef } from './snapshots';
import { l10n } from '../core/l10n';

export const THIS_DEVICE_ID = 'device/this';

/**
 * The "This device" row: the device VS Code's extension host runs on (the remote one under Remote-SSH).
 * When Defender cannot be reached from here it says why, plainly.
 */
export function thisDeviceNode(host: HostSupport, extra?: Partial<NodeVM>): NodeVM {
  if (!host.supported) {
    return {
      id: THIS_DEVICE_ID,
      label: l10n.t('This device'),
      description: host.reason,
      tooltip: l10n.t('**This device**: {0}\n\n{1}\n\nOpen a Windows device (locally or with Remote-SSH) to run Defender cmdlets.', mdText(host.summary), mdText(host.reason)),
      icon: 'vm',
      tone: 'muted',
      contextValue: 'thisDevice unsupported',
      ...extra,
    };
  }
  return {
    id: THIS_DEVICE_ID,
    label: l10n.t('This device'),
    description: host.summary,
    tooltip: l10n.t('**This device**: {0}', mdText(host.summary)),
    icon: 'vm',
    tone: 'info',
    contextValue: 'thisDevice windows',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Device status rows (issue #3): the This device row with its live Defender status, and the Sessions view row.

/** Under this much time left the row turns to a warning. */
export const LOW_TIME_MS = 30 * 60_000;

export type DeviceView =
  | { readonly kind: 'unsupported'; readonly host: HostSupport }
  | { readonly kind: 'untrusted'; readonly host: HostSupport }
  | { readonly kind: 'loading'; readonly host: HostSupport }
  | { readonly kind: 'error'; readonly host: HostSupport; readonly message: string; readonly code?: string }
  | { readonly kind: 'ok'; readonly host: HostSupport; readonly device: DeviceStatus; readonly now: Date };

const refresh = { command: CommandIds.deviceRefreshStatus, get title() { return l10n.t('Refresh This Device'); } };
/** @l10n */
const onOff = (v: boolean | undefined) => (v === undefined ? '?' : v ? l10n.t('on') : l10n.t('off'));
const fmtTime = (d: Date | undefined) => (d ? d.toLocaleString() : '—');

/** "Troubleshooting mode · 2h 41m left · TP off · RTP on". @l10n */
export function deviceSummary(device: DeviceStatus): string {
  const ts = device.status.troubleshooting;
  const mode =
    ts.active === true
      ? ts.timeLeftMs !== undefined
        ? l10n.t('Troubleshooting mode · {0} left', formatDuration(ts.timeLeftMs))
        : l10n.t('Troubleshooting mode')
      : ts.active === false
        ? l10n.t('Not in troubleshooting mode')
        : l10n.t('Troubleshooting mode unknown');
  return l10n.t('{0} · TP {1} · RTP {2}', mode, onOff(device.status.isTamperProtected), onOff(device.status.realTimeProtectionEnabled));
}

/** What the This device row warns about, one sentence each. @l10n */
export function deviceWarnings(device: DeviceStatus): string[] {
  const s = device.status;
  const ts = s.troubleshooting;
  const out: string[] = [];
  if (ts.active && ts.timeLeftMs !== undefined && ts.timeLeftMs < LOW_TIME_MS) {
    out.push(l10n.t('Troubleshooting mode ends in {0}; policy-managed settings then revert.', formatDuration(ts.timeLeftMs)));
  }
  if (s.isTamperProtected === false) out.push(l10n.t('Tamper protection is off.'));
  if (s.realTimeProtectionEnabled === false) out.push(l10n.t('Real-time protection is off.'));
  if (!device.elevated) out.push(l10n.t('VS Code is not elevated: Defender changes need "Run as administrator".'));
  if (ts.active === undefined) out.push(l10n.t('This Defender platform does not report troubleshooting mode.'));
  return out;
}

export function thisDeviceStatusNode(view: DeviceView): NodeVM {
  switch (view.kind) {
    case 'unsupported':
      return thisDeviceNode(view.host, { command: refresh });
    case 'untrusted':
      return thisDeviceNode(view.host, {
        description: l10n.t('Restricted Mode: PowerShell does not run until you trust this workspace'),
        tooltip: l10n.t('**This device**: {0}\n\nRestricted Mode: the extension runs no PowerShell in an untrusted workspace.', mdText(view.host.summary)),
        tone: 'muted',
        icon: 'workspace-untrusted',
        contextValue: 'thisDevice untrusted',
        command: { command: 'workbench.trust.manage', title: l10n.t('Manage Workspace Trust') },
      });
    case 'loading':
      return thisDeviceNode(view.host, { description: l10n.t('Reading Defender status…'), icon: 'loading~spin', contextValue: 'thisDevice loading' });
    case 'error':
      return thisDeviceNode(view.host, {
        description: view.message,
        tooltip: l10n.t('**This device**: {0}\n\n{1}\n\nSelect to retry.', mdText(view.host.summary), mdText(view.message)),
        icon: 'error',
        tone: 'error',
        contextValue: `thisDevice error${view.code ? ` ${view.code}` : ''}`,
        command: refresh,
      });
    case 'ok':
      return okNode(view.host, view.device);
  }
}

function okNode(host: HostSupport, device: DeviceStatus): NodeVM {
  const s = device.status;
  const ts = s.troubleshooting;
  const low = ts.active === true && ts.timeLeftMs !== undefined && ts.timeLeftMs < LOW_TIME_MS;
  const warnings = deviceWarnings(device);
  const tooltip = [
    `**This device**: ${mdText(device.computerName)} — ${mdText(host.summary)}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Troubleshooting mode | ${ts.active === true ? 'active' : ts.active === false ? 'not active' : 'unknown'}${ts.source ? ` (source ${mdText(ts.source)})` : ''} |`,
    `| Time left | ${ts.timeLeftMs !== undefined ? formatDuration(ts.timeLeftMs) : '—'} |`,
    `| Started / ends | ${fmtTime(ts.startTime)} / ${fmtTime(ts.endTime)} |`,
    `| Tamper protection | ${onOff(s.isTamperProtected)}${s.tamperProtectionSource ? ` (source ${mdText(s.tamperProtectionSource)})` : ''} |`,
    `| Real-time protection | ${onOff(s.realTimeProtectionEnabled)} |`,
    `| Running mode | ${mdText(s.amRunningMode ?? '—')} |`,
    `| Platform / engine / signatures | ${mdText(s.amProductVersion ?? '—')} / ${mdText(s.amEngineVersion ?? '—')} / ${mdText(s.antivirusSignatureVersion ?? '—')} |`,
    `| Elevated | ${device.elevated ? 'yes' : 'no'} |`,
    '',
    ...warnings.map((w) => `$(warning) ${mdText(w)}`),
    '',
    `_Read ${device.readAt.toLocaleTimeString()}_`,
  ].join('\n');
  return {
    id: THIS_DEVICE_ID,
    label: l10n.t('This device'),
    description: deviceSummary(device),
    tooltip,
    icon: ts.active ? 'debug-alt' : 'vm',
    tone: low ? 'warning' : ts.active ? 'ok' : 'info',
    contextValue: `thisDevice windows defender${ts.active ? ' tsActive' : ''}`,
    collapsed: true,
    children: () => deviceDetailRows(device),
  };
}

export function deviceDetailRows(device: DeviceStatus): NodeVM[] {
  const s = device.status;
  const ts = s.troubleshooting;
  const id = (k: string) => `${THIS_DEVICE_ID}/${k}`;
  const rows: NodeVM[] = [
    {
      id: id('ts'),
      label: l10n.t('Troubleshooting mode'),
      description: ts.active === true ? (ts.timeLeftMs !== undefined ? l10n.t('active · {0} left', formatDuration(ts.timeLeftMs)) : l10n.t('active')) : ts.active === false ? l10n.t('not active') : l10n.t('not reported'),
      icon: 'debug-alt',
      tone: ts.active ? (ts.timeLeftMs !== undefined && ts.timeLeftMs < LOW_TIME_MS ? 'warning' : 'ok') : 'muted',
      tooltip: Object.entries(ts.raw).map(([k, v]) => `${mdText(k)}: ${mdText(v ?? '(empty)')}`).join('  \n'),
    },
    { id: id('tsStart'), label: l10n.t('Started'), description: fmtTime(ts.startTime), icon: 'clock', tone: 'muted' },
    { id: id('tsEnd'), label: l10n.t('Ends'), description: fmtTime(ts.endTime), icon: 'clock', tone: 'muted' },
    {
      id: id('tp'),
      label: l10n.t('Tamper protection'),
      description: `${onOff(s.isTamperProtected)}${s.tamperProtectionSource ? ` (${s.tamperProtectionSource})` : ''}`,
      icon: s.isTamperProtected ? 'lock' : 'unlock',
      tone: s.isTamperProtected === false ? 'warning' : 'info',
    },
    {
      id: id('rtp'),
      label: l10n.t('Real-time protection'),
      description: onOff(s.realTimeProtectionEnabled),
      icon: 'shield',
      tone: s.realTimeProtectionEnabled === false ? 'warning' : 'info',
    },
    { id: id('mode'), label: l10n.t('Running mode'), description: s.amRunningMode ?? '—', icon: 'server-process', tone: 'info' },
    {
      id: id('versions'),
      label: l10n.t('Versions'),
      description: l10n.t('platform {0} · engine {1} · signatures {2}', s.amProductVersion ?? '—', s.amEngineVersion ?? '—', s.antivirusSignatureVersion ?? '—'),
      icon: 'versions',
      tone: 'muted',
    },
    {
      id: id('elevated'),
      label: l10n.t('Elevated'),
      description: device.elevated ? l10n.t('yes') : l10n.t('no: Defender changes need "Run as administrator"'),
      icon: device.elevated ? 'pass' : 'warning',
      tone: device.elevated ? 'info' : 'warning',
    },
    {
      id: id('playbooks'),
      label: l10n.t('Playbooks'),
      description: ts.active ? l10n.t('troubleshooting scenarios') : l10n.t('need troubleshooting mode'),
      icon: 'checklist',
      tone: 'info',
      collapsed: false,
      contextValue: 'playbooks',
      children: () =>
        SCENARIO_PLAYBOOKS.map((p) => ({
          id: id(`playbook/${p.id}`),
          label: p.title,
          tooltip: p.scenario,
          icon: 'play',
          tone: ts.active ? 'info' : 'muted',
          contextValue: `playbook ${p.id}`,
          command: { command: p.command, title: p.title },
        })),
    },
  ];
  return rows;
}

export const SESSION_ROW_ID = 'session/this-device';

/** The Sessions view's row for the local device: session state, times, warnings, and its snapshots. */
export function deviceSessionNodes(
  device: DeviceStatus | undefined,
  snapshots: readonly SnapshotRef[],
  toFileUri: (file: string) => string,
  /** More rows under the session (its events, performance reports, session report: issue #9). */
  extras: readonly NodeVM[] = [],
): NodeVM[] {
  if (!device && !snapshots.length) return [];
  const ts = device?.status.troubleshooting;
  if (!ts?.active && !snapshots.length) return [];
  const state = ts?.active ? l10n.t('active · {0}', ts.timeLeftMs !== undefined ? l10n.t('{0} left', formatDuration(ts.timeLeftMs)) : l10n.t('time left unknown')) : l10n.t('not active');
  const warnings = device ? deviceWarnings(device) : [];
  const low = !!ts?.active && ts.timeLeftMs !== undefined && ts.timeLeftMs < LOW_TIME_MS;
  const name = device?.computerName ?? snapshots[0]?.device ?? 'This device';
  return [
    {
      id: SESSION_ROW_ID,
      label: l10n.t('{0} (this device)', name),
      description: state,
      icon: ts?.active ? 'debug-alt' : 'history',
      tone: low ? 'warning' : ts?.active ? 'ok' : 'muted',
      contextValue: 'deviceSession',
      collapsed: false,
      tooltip: [
        `**${mdText(name)}**: troubleshooting mode ${mdText(state)}`,
        '',
        `Started: ${fmtTime(ts?.startTime)}  `,
        `Expires: ${fmtTime(ts?.endTime)}`,
        '',
        ...warnings.map((w) => `$(warning) ${mdText(w)}`),
      ].join('\n'),
      children: () => [
        ...warnings.map((w, k) => ({ id: `${SESSION_ROW_ID}/warning/${k}`, label: w, icon: 'warning', tone: 'warning' as const, contextValue: 'message' })),
        ...(ts?.startTime ? [{ id: `${SESSION_ROW_ID}/start`, label: l10n.t('Started'), description: fmtTime(ts.startTime), icon: 'clock', tone: 'muted' as const }] : []),
        ...(ts?.endTime ? [{ id: `${SESSION_ROW_ID}/end`, label: l10n.t('Expires'), description: fmtTime(ts.endTime), icon: 'clock', tone: 'muted' as const }] : []),
        ...snapshots.map((s, k) => ({
          id: `${SESSION_ROW_ID}/snapshot/${s.file}`,
          label: l10n.t('Snapshot {0}', s.takenAt.toLocaleString()),
          description: k === 0 ? 'first' : undefined,
          icon: 'device-camera',
          tone: 'info' as const,
          contextValue: 'snapshot',
          resourceUri: toFileUri(s.file),
          command: { command: CommandIds.snapshotOpen, title: l10n.t('Open Snapshot'), args: [{ file: s.file }] },
        })),
        ...extras,
      ],
    },
  ];
}
