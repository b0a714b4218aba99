import * as vscode from 'vscode';
import { DEFAULT_MDE_ENDPOINT, MdeClient, normalizeEndpoint, RestClient, type Machine } from '../api';
import { CommandIds, DEFAULT_PORTAL_URL, NS, SettingIds, ViewIds } from '../constants';
import { UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import { messageNode, type NodeVM } from '../core/treeModel';
import { devicePortalUrl, tenantGroupNode, tenantRows, type TenantListing } from '../defender/fleet';
import type { DeviceTroubleshootingLookup } from '../defender/deviceTroubleshooting';
import type { AuthService } from '../infra/auth';
import { registerCommand } from '../infra/commandRunner';
import type { DevicesView } from '../views/devicesView';

/** Delegated MDE permission for listing devices (defender.md §1.1: Machine.Read on WindowsDefenderATP). */
export const DEFAULT_MDE_SCOPE = 'https://api.securitycenter.microsoft.com/Machine.Read';
const TENANT_PREFIX = 'device/tenant/';

const cfg = () => vscode.workspace.getConfiguration(NS);

export interface FleetDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly devices: DevicesView;
  /** Optional (issue 8 seam): each device's troubleshooting stage, from the session lifecycle. */
  readonly troubleshooting?: DeviceTroubleshootingLookup;
  /** Optional (issue 8 seam): rows under each device (the session lifecycle's prerequisites). */
  readonly deviceChildren?: (machine: Machine) => NodeVM[];
}

export interface FleetApi {
  reload(): void;
  /** The loaded Machine behind a tree row id (`device/tenant/<id>`). */
  machine(rowId: string): Machine | undefined;
}

/**
 * The tenant's devices under "Tenant devices" in the Devices view: listed through the MDE API when signed in
 * (paged, throttling honoured by the API client), with deep links to each device page in the portal, where
 * troubleshooting mode is turned on.
 */
export function registerFleet(context: vscode.ExtensionContext, deps: FleetDeps): FleetApi {
  const log = componentLogger(deps.log, 'devices');
  let cached: Promise<TenantListing | undefined> | undefined;
  let loaded: TenantListing | undefined;

  const scope = () => (cfg().get<string>('mde.scope') ?? '').trim() || DEFAULT_MDE_SCOPE;

  /** A token if a session exists, looked up silently: listing devices never pops a sign-in. */
  const silentToken = async (): Promise<string | undefined> => {
    try {
      return await deps.auth.getToken(false, [scope()]);
    } catch (err) {
      log.debug(`no session for the MDE API: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  const load = async (): Promise<TenantListing | undefined> => {
    if (!(await silentToken())) return undefined;
    const endpoint = normalizeEndpoint(cfg().get<string>('mde.endpoint'), DEFAULT_MDE_ENDPOINT, SettingIds.mdeEndpoint);
    const max = Math.max(1, Math.floor(cfg().get<number>('devices.maxCount') ?? 2000));
    const rest = new RestClient({ baseUrl: endpoint, name: 'mde', log: deps.log, getToken: silentToken });
    const client = new MdeClient(rest);
    const machines = await vscode.window.withProgress(
      { location: { viewId: ViewIds.devices }, title: 'Listing tenant devices' },
      () => client.listMachines({ maxItems: max + 1 }),
    );
    log.info(`listed ${machines.length} device(s) from ${new URL(endpoint).host}`);
    return { machines: machines.slice(0, max), truncated: machines.length > max, endpointHost: new URL(endpoint).host };
  };

  const signInRow = (): NodeVM =>
    messageNode('devices/tenant/signin', 'Sign in to list your tenant\'s devices', {
      icon: 'account',
      command: { command: CommandIds.signIn, title: 'Sign in' },
    });

  const source = (): readonly NodeVM[] => [
    tenantGroupNode(async () => {
      cached ??= load();
      try {
        const listing = await cached;
        if (!listing) {
          cached = undefined; // signing in reloads through onDidChange
          return [signInRow()];
        }
        loaded = listing;
        return withSeam(tenantRows(listing, new Date()), listing);
      } catch (err) {
        cached = undefined; // the next expand or refresh tries again
        throw err;
      }
    }),
  ];

  /** The seam's optional deps: the stage before the description, and the extra rows under each device. */
  const withSeam = (rows: NodeVM[], listing: TenantListing): NodeVM[] => {
    if (!deps.troubleshooting && !deps.deviceChildren) return rows;
    const byId = new Map(listing.machines.map((m) => [m.id, m]));
    return rows.map((row) => {
      const m = row.id.startsWith(TENANT_PREFIX) ? byId.get(row.id.slice(TENANT_PREFIX.length)) : undefined;
      if (!m) return row;
      const info = deps.troubleshooting?.forDevice(m.id, m.computerDnsName ?? undefined);
      const extra = deps.deviceChildren;
      return {
        ...row,
        description: info ? `${info.label} · ${row.description ?? ''}` : row.description,
        contextValue: info ? `${row.contextValue ?? ''} ts-${info.stage}` : row.contextValue,
        ...(extra ? { collapsed: true, children: () => extra(m) } : {}),
      };
    });
  };

  const reload = () => {
    cached = undefined;
    deps.devices.refresh();
  };

  const machineId = (node?: NodeVM): string => {
    if (node?.id?.startsWith(TENANT_PREFIX)) return node.id.slice(TENANT_PREFIX.length);
    throw new UserCancelledError('Run this from a device in the Devices view.');
  };

  context.subscriptions.push(
    deps.devices.addSource(source),
    deps.auth.onDidChange(reload),
    deps.troubleshooting ? deps.troubleshooting.onDidChange(() => deps.devices.refresh()) : { dispose: () => undefined },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['mde.endpoint', 'mde.scope', 'devices.maxCount', 'auth.provider', 'auth.tenant', 'auth.clientId'].some((k) => e.affectsConfiguration(`${NS}.${k}`))) reload();
    }),
    registerCommand(CommandIds.devicesRefresh, reload, deps.log),
    registerCommand(
      CommandIds.deviceOpenInPortal,
      async (node?: NodeVM) => {
        const portal = (cfg().get<string>('portal.url') || DEFAULT_PORTAL_URL).trim();
        const url = devicePortalUrl(portal, machineId(node), (cfg().get<string>('auth.tenant') ?? '').trim());
        await vscode.env.openExternal(vscode.Uri.parse(url));
        return url;
      },
      deps.log,
    ),
    registerCommand(
      CommandIds.deviceCopyId,
      async (node?: NodeVM) => {
        const id = machineId(node);
        await vscode.env.clipboard.writeText(id);
        return id;
      },
      deps.log,
    ),
    registerCommand(
      CommandIds.deviceConnectSsh,
      async (node?: NodeVM) => {
        machineId(node);
        const host = node?.label ?? '';
        if (!vscode.extensions.getExtension('ms-vscode-remote.remote-ssh')) {
          const choice = await vscode.window.showWarningMessage(
            'Connecting to a device needs the Remote - SSH extension.',
            'Show Remote - SSH',
          );
          if (choice) await vscode.commands.executeCommand('workbench.extensions.search', 'ms-vscode-remote.remote-ssh');
          return undefined;
        }
        const folder = await vscode.window.showInputBox({
          title: `Open a folder on ${host} over Remote-SSH`,
          prompt: 'Folder on the device; the extension then runs there, so its PowerShell commands act on that device.',
          value: 'C:\\',
        });
        if (!folder) throw new UserCancelledError();
        const remotePath = `/${folder.replace(/\\/g, '/').replace(/^\/+/, '')}`;
        const uri = vscode.Uri.parse(`vscode-remote://ssh-remote+${encodeURIComponent(host)}${remotePath}`);
        await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
        return uri.toString();
      },
      deps.log,
    ),
  );
  return {
    reload,
    machine: (rowId) => (rowId.startsWith(TENANT_PREFIX) ? loaded?.machines.find((m) => m.id === rowId.slice(TENANT_PREFIX.length)) : undefined),
  };
}
