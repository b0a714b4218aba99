import * as vscode from 'vscode';
import { DEFAULT_MDE_ENDPOINT, MdeClient, normalizeEndpoint, RestClient } from '../api';
import { CommandIds, DEFAULT_PORTAL_URL, NS, SettingIds, ViewIds } from '../constants';
import { UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import { messageNode, type NodeVM } from '../core/treeModel';
import { devicePortalUrl, tenantGroupNode, tenantRows, type TenantListing } from '../defender/fleet';
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
}

/**
 * The tenant's devices under "Tenant devices" in the Devices view: listed through the MDE API when signed in
 * (paged, throttling honoured by the API client), with deep links to each device page in the portal, where
 * troubleshooting mode is turned on.
 */
export function registerFleet(context: vscode.ExtensionContext, deps: FleetDeps): { reload(): void } {
  const log = componentLogger(deps.log, 'devices');
  let cached: Promise<TenantListing | undefined> | undefined;

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
      { location: { viewId: ViewIds.devices }, title: vscode.l10n.t('Listing tenant devices') },
      () => client.listMachines({ maxItems: max + 1 }),
    );
    log.info(`listed ${machines.length} device(s) from ${new URL(endpoint).host}`);
    return { machines: machines.slice(0, max), truncated: machines.length > max, endpointHost: new URL(endpoint).host };
  };

  const signInRow = (): NodeVM =>
    messageNode('devices/tenant/signin', vscode.l10n.t('Sign in to list your tenant\'s devices'), {
      icon: 'account',
      command: { command: CommandIds.signIn, title: vscode.l10n.t('Sign in') },
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
        return tenantRows(listing, new Date());
      } catch (err) {
        cached = undefined; // the next expand or refresh tries again
        throw err;
      }
    }),
  ];

  const reload = () => {
    cached = undefined;
    deps.devices.refresh();
  };

  const machineId = (node?: NodeVM): string => {
    if (node?.id?.startsWith(TENANT_PREFIX)) return node.id.slice(TENANT_PREFIX.length);
    throw new UserCancelledError(vscode.l10n.t('Run this from a device in the Devices view.'));
  };

  context.subscriptions.push(
    deps.devices.addSource(source),
    deps.auth.onDidChange(reload),
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
            vscode.l10n.t('Connecting to a device needs the Remote - SSH extension.'),
            vscode.l10n.t('Show Remote - SSH'),
          );
          if (choice) await vscode.commands.executeCommand('workbench.extensions.search', 'ms-vscode-remote.remote-ssh');
          return undefined;
        }
        const folder = await vscode.window.showInputBox({
          title: vscode.l10n.t('Open a folder on {0} over Remote-SSH', host),
          prompt: vscode.l10n.t('Folder on the device; the extension then runs there, so its PowerShell commands act on that device.'),
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
  return { reload };
}
