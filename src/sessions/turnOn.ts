import * as vscode from 'vscode';
import type { Machine } from '../api/mde';
import { DEFAULT_PORTAL_URL, NS } from '../constants';
import { UserCancelledError } from '../core/errors';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { devicePortalUrl, tenantMachineId } from '../defender/fleet';
import { describePrerequisites, evaluatePrerequisites, factsFromMachine, REMOTE_UNKNOWNS, type PrerequisiteResult } from '../defender/prerequisites';
import type { SessionRequest } from '../defender/sessions';
import { pickDeviceId } from '../infra/devicePicker';
import type { SessionTracker } from './tracker';

/** What the command asks and opens; tests replace it. */
export interface TurnOnUi {
  /** Modal confirmation; true when the user chose `action`. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  openExternal(url: string): Promise<boolean>;
  info(message: string): void;
  /** Run without a device row: pick one of the loaded tenant devices (default: pickTenantDevice). */
  pickDevice?(machines: readonly Machine[]): Promise<NodeVM | undefined>;
}

export const vscodeTurnOnUi: TurnOnUi = {
  async confirm(message, detail, action) {
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
    return choice === action;
  },
  openExternal: async (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
  info: (message) => void vscode.window.showInformationMessage(message),
  pickDevice: (machines) => pickTenantDevice(machines),
};

export interface TurnOnDeps {
  readonly log: ILogger;
  readonly tracker: SessionTracker;
  /** The loaded Machine record of a tenant device row (registerFleet's `machine(rowId)`). */
  readonly machine: (rowId: string) => Machine | undefined;
  /** The loaded tenant devices, to pick one from when the command runs without a row (the walkthrough's button). */
  readonly machines?: () => readonly Machine[];
  ui: TurnOnUi;
}

/**
 * Without a device row (the command palette, the walkthrough's button): a quick pick of the loaded tenant devices,
 * searched as "Search Tenant Devices…" does. Undefined when none is loaded or the pick is cancelled.
 */
export async function pickTenantDevice(machines: readonly Machine[]): Promise<NodeVM | undefined> {
  if (machines.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No tenant devices are loaded yet: sign in, then run "Turn On Troubleshooting Mode…" on a device in the Devices view.'));
    return undefined;
  }
  const picked = await pickDeviceId(machines, () => vscode.l10n.t('Turn on troubleshooting mode: which device?'));
  const m = picked ? machines.find((x) => x.id === picked) : undefined;
  return m ? { id: `device/tenant/${m.id}`, label: m.computerDnsName || m.id } : undefined;
}

export interface TurnOnTarget {
  readonly machineId: string;
  readonly name: string;
  readonly machine?: Machine;
  readonly prerequisites: PrerequisiteResult;
  readonly url: string;
}

export interface TurnOnResult {
  readonly requested: readonly SessionRequest[];
  readonly targets: readonly TurnOnTarget[];
  readonly opened: readonly string[];
}

const cfg = () => vscode.workspace.getConfiguration(NS);

/**
 * The tenant device rows the command runs on: the selection when the clicked row is part of it, else the clicked
 * row; one per device (a device can show under several groups).
 */
export function targetRows(clicked: NodeVM | undefined, selected: readonly NodeVM[] | undefined): NodeVM[] {
  const all = selected && selected.length > 0 && (!clicked || selected.some((s) => s.id === clicked.id)) ? [...selected] : clicked ? [clicked] : [];
  const seen = new Set<string>();
  return all.filter((n) => {
    const id = typeof n?.id === 'string' ? tenantMachineId(n.id) : undefined;
    if (!id || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * "Turn On Troubleshooting Mode…" (issue 8 item 2): there is no API to turn it on (defender.md §0 #1), so for each
 * selected tenant device this checks the prerequisites, asks once, opens the device page in the Defender portal
 * (where the admin selects "Turn on troubleshooting mode" and confirms), and records a *requested* session with the
 * time. The tracker then watches for the device to report it active.
 */
export async function turnOnTroubleshooting(deps: TurnOnDeps, clicked?: NodeVM, selected?: readonly NodeVM[]): Promise<TurnOnResult> {
  let rows = targetRows(clicked, selected);
  if (rows.length === 0 && !clicked && deps.machines) {
    const row = await (deps.ui.pickDevice ?? pickTenantDevice)(deps.machines());
    rows = row ? [row] : [];
  }
  if (rows.length === 0) throw new UserCancelledError(vscode.l10n.t('Run "Turn On Troubleshooting Mode…" from one or more tenant devices in the Devices view.'));
  const portal = (cfg().get<string>('portal.url') || DEFAULT_PORTAL_URL).trim();
  const tenant = (cfg().get<string>('auth.tenant') ?? '').trim();
  const targets: TurnOnTarget[] = rows.map((row) => {
    const machineId = tenantMachineId(row.id)!;
    const machine = deps.machine(row.id);
    const prerequisites = evaluatePrerequisites(factsFromMachine(machine ?? {}));
    return { machineId, name: machine?.computerDnsName || row.label || machineId, machine, prerequisites, url: devicePortalUrl(portal, machineId, tenant) };
  });

  const live = targets
    .map((t) => ({ t, s: deps.tracker.index.session(t.machineId, t.name) }))
    .filter(({ s }) => s && (s.stage === 'requested' || s.stage === 'active' || s.stage === 'endingSoon'));
  const failing = targets.filter((t) => t.prerequisites.verdict === 'fail');
  const many = targets.length > 1;
  const message = many ? vscode.l10n.t('Turn on troubleshooting mode for {0} devices?', targets.length) : vscode.l10n.t('Turn on troubleshooting mode for {0}?', targets[0]!.name);
  const detail = [
    'Troubleshooting mode is turned on in the Defender portal; there is no API for it. For each device its page opens: select "Turn on troubleshooting mode" there and confirm.',
    'It can take up to 15 minutes to become active, lasts 4 hours, and cannot be ended early. This extension then tracks it and tells you when it is active, ending soon and ended.',
    '',
    ...targets.flatMap((t) => [`${t.name} — prerequisites ${t.prerequisites.verdict === 'pass' ? 'met' : t.prerequisites.verdict === 'fail' ? 'NOT met' : 'not confirmed'}:`, describePrerequisites(t.prerequisites), '']),
    REMOTE_UNKNOWNS,
    failing.length ? `\n${failing.length} device(s) do not meet the prerequisites: the portal offers the command anyway, but it may never activate.` : '',
    live.length ? `\nAlready tracked: ${live.map(({ t, s }) => `${t.name} (${s!.stage})`).join(', ')}.` : '',
  ].join('\n');
  const action = many ? `Open ${targets.length} Portal Pages and Track` : 'Open Portal Page and Track';
  if (!(await deps.ui.confirm(message, detail, action))) throw new UserCancelledError();

  const opened: string[] = [];
  for (const t of targets) {
    if (await deps.ui.openExternal(t.url)) opened.push(t.url);
  }
  const requestedAt = deps.tracker.clock.now();
  const requested: SessionRequest[] = targets.map((t) => ({ deviceId: t.machineId, deviceName: t.name, requestedAt }));
  await deps.tracker.addRequests(requested);
  deps.log.info(`requested troubleshooting mode for ${targets.map((t) => t.name).join(', ')} at ${requestedAt.toISOString()}`);
  deps.ui.info(
    vscode.l10n.t('Troubleshooting mode requested for {0} at {1} UTC. Sessions tracks it; it should be active within 15 minutes.', many ? vscode.l10n.t('{0} devices', targets.length) : targets[0]!.name, requestedAt.toISOString().slice(11, 16)),
  );
  return { requested, targets, opened };
}
