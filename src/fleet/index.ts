import * as vscode from 'vscode';
import { DEFAULT_MDE_ENDPOINT, MdeClient, normalizeEndpoint, RestClient, type Machine } from '../api';
import { MACHINES_RATE, RateLimiter } from '../api/rateLimiter';
import { CommandIds, DEFAULT_PORTAL_URL, NS, SettingIds, ViewIds } from '../constants';
import { isCancellation, UserCancelledError } from '../core/errors';
import { componentLogger, type ILogger } from '../core/logger';
import { messageNode, type NodeVM } from '../core/treeModel';
import { FleetTreeModel, formatCount, GROUP_BY_OPTIONS, parseGroupBy, plural } from '../defender/deviceGrouping';
import { ODataFilterError, validateODataFilter } from '../defender/deviceSearch';
import { DEVICE_PICK_LIMIT, pickDeviceId } from '../infra/devicePicker';
import type { DeviceTroubleshootingLookup } from '../defender/deviceTroubleshooting';
import { devicePortalUrl, machineNode, tenantGroupNode, tenantMachineId, tenantMessage, TENANT_GROUP_ID } from '../defender/fleet';
import { loadFleet, progressText, waitText, type FleetLoadResult } from '../defender/fleetLoader';
import { dnsHostName, InvalidHostNameError, remoteSshUri } from '../defender/sshTarget';
import type { AuthService } from '../infra/auth';
import { registerCommand } from '../infra/commandRunner';
import type { DevicesView } from '../views/devicesView';
import { registerDetectionRules } from './detectionRules';
import { registerInvestigationPackage } from './investigationPackage';

/** Delegated MDE permission for listing devices (defender.md §1.1: Machine.Read on WindowsDefenderATP). */
export const DEFAULT_MDE_SCOPE = 'https://api.securitycenter.microsoft.com/Machine.Read';
const FILTER_STATE_KEY = `${NS}.devices.filter`;

const cfg = () => vscode.workspace.getConfiguration(NS);

export interface FleetDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly devices: DevicesView;
  /** What the session tracker knows per device (stage, time left); also feeds "group by troubleshooting state". */
  readonly troubleshooting?: DeviceTroubleshootingLookup;
  /** Rows under each tenant device (e.g. its prerequisites). */
  readonly deviceChildren?: (machine: Machine) => NodeVM[];
}

export interface FleetApi {
  /** Drops the loaded devices and lists them again. */
  reload(): void;
  /** The machine behind a tenant device row id (undefined for other rows or before it loaded). */
  machine(rowId: string | undefined): Machine | undefined;
  /** Fires when a load ends (done, stopped or failed). */
  readonly onDidLoad: vscode.Event<void>;
  /** The loaded devices (tests, search). */
  readonly model: FleetTreeModel;
  /** Endpoint, token and limiter for the MDE API; with `interactiveScopes`, a sign-in for them may be asked. */
  mdeClient(interactiveScopes?: string[], packageUriLimiter?: RateLimiter): Promise<MdeClient | undefined>;
}

type LoadState =
  | { kind: 'idle' }
  | { kind: 'signedOut' }
  | { kind: 'loading'; controller: AbortController; note?: string }
  | { kind: 'done'; result: FleetLoadResult }
  | { kind: 'stopped' }
  | { kind: 'failed'; error: unknown };

/**
 * The tenant's devices under "Tenant devices" in the Devices view, listed through the MDE API page by page
 * (10,000 per page, within 100 calls/min and 1,500/h), grouped by `devices.groupBy` with counts, searchable,
 * with deep links to each device page in the portal (where troubleshooting mode is turned on).
 */
export function registerFleet(context: vscode.ExtensionContext, deps: FleetDeps): FleetApi {
  const log = componentLogger(deps.log, 'devices');
  const model = new FleetTreeModel();
  const loaded = new vscode.EventEmitter<void>();
  const limiters = new Map<string, RateLimiter>();
  let state: LoadState = { kind: 'idle' };
  let generation = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  const scope = () => (cfg().get<string>('mde.scope') ?? '').trim() || DEFAULT_MDE_SCOPE;
  const endpoint = () => normalizeEndpoint(cfg().get<string>('mde.endpoint'), DEFAULT_MDE_ENDPOINT, SettingIds.mdeEndpoint);
  const filter = () => (context.workspaceState.get<string>(FILTER_STATE_KEY) ?? '').trim();

  /** A token if a session exists, looked up silently: listing devices never pops a sign-in. */
  const silentToken = async (scopes: string[] = [scope()]): Promise<string | undefined> => {
    try {
      return await deps.auth.getToken(false, scopes);
    } catch (err) {
      log.debug(`no session for the MDE API: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  const mdeClient = async (interactiveScopes?: string[], packageUriLimiter?: RateLimiter): Promise<MdeClient | undefined> => {
    const base = endpoint();
    const scopes = interactiveScopes ?? [scope()];
    const getToken = interactiveScopes
      ? async () => deps.auth.getToken(true, scopes)
      : async () => silentToken(scopes);
    if (!(await getToken())) return undefined;
    let limiter = limiters.get(base);
    if (!limiter) limiters.set(base, (limiter = new RateLimiter(MACHINES_RATE)));
    const rest = new RestClient({ baseUrl: base, name: 'mde', log: deps.log, getToken });
    return new MdeClient(rest, { limiter, packageUriLimiter });
  };

  // One stable group row, refreshed in place, so its expansion and children survive every page.
  const group: { -readonly [K in keyof NodeVM]: NodeVM[K] } = tenantGroupNode(async () => children());

  const refreshGroup = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = undefined;
    group.description = describeState();
    deps.devices.provider.refresh(group);
  };
  /** Page arrivals refresh at most every 300 ms (each refresh re-renders the visible groups). */
  const scheduleRefresh = () => {
    if (!refreshTimer) refreshTimer = setTimeout(refreshGroup, 300);
  };

  const describeState = (): string | undefined => {
    const f = filter() ? ' · filtered' : '';
    switch (state.kind) {
      case 'loading':
        return `${progressText(model.count)}${f}`;
      case 'done':
      case 'stopped':
        return `${plural(model.count, 'device')}${f}`;
      default:
        return undefined;
    }
  };

  /** Starts loading; resolves once it is known whether there is a session (the first rows can then be right). */
  const startLoad = (): Promise<void> => {
    let tokenChecked!: () => void;
    const checked = new Promise<void>((r) => (tokenChecked = r));
    const gen = ++generation;
    const controller = new AbortController();
    state = { kind: 'loading', controller };
    model.clear();
    const max = Math.max(0, Math.floor(cfg().get<number>('devices.maxCount') ?? 0));
    const finished = new Promise<void>((resolve) => {
      void (async () => {
        let client: MdeClient | undefined;
        try {
          client = await mdeClient();
        } catch (err) {
          if (gen === generation) state = { kind: 'failed', error: err }; // e.g. a bad endpoint setting
          tokenChecked();
          return resolve();
        }
        tokenChecked();
        if (gen !== generation) return resolve();
        if (!client) {
          state = { kind: 'signedOut' };
          refreshGroup();
          return resolve();
        }
        let notify: vscode.Progress<{ message?: string }> | undefined;
        const started = Date.now();
        try {
          const result = await loadFleet(client, model, {
            filter: filter() || undefined,
            maxCount: max,
            signal: controller.signal,
            onPage: (p) => {
              if (gen !== generation) return;
              if (state.kind === 'loading') state.note = undefined;
              notify?.report({ message: progressText(p.loaded) });
              // More pages are likely: offer a cancellable notification with the count.
              if (!notify && p.loaded >= 10_000) {
                void vscode.window.withProgress(
                  { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Loading tenant devices'), cancellable: true },
                  (progress, token) => {
                    notify = progress;
                    progress.report({ message: progressText(model.count) });
                    token.onCancellationRequested(() => controller.abort());
                    return finished;
                  },
                );
              }
              scheduleRefresh();
            },
            onWait: (w) => {
              if (gen !== generation) return;
              const note = waitText(w);
              if (state.kind === 'loading') state.note = note;
              notify?.report({ message: `${progressText(model.count)}: ${note}` });
              log.info(`${progressText(model.count)}: ${note}`);
              scheduleRefresh();
            },
          });
          if (gen !== generation) return resolve();
          state = { kind: 'done', result };
          log.info(`listed ${formatCount(result.loaded)} device(s) in ${result.pages} page(s), ${Date.now() - started} ms, from ${new URL(endpoint()).host}`);
        } catch (err) {
          if (gen !== generation) return resolve();
          if (isCancellation(err) || controller.signal.aborted) {
            state = { kind: 'stopped' };
            log.info(`stopped after ${formatCount(model.count)} device(s)`);
          } else {
            state = { kind: 'failed', error: err };
            log.error(err instanceof Error ? err : String(err));
          }
        }
        refreshGroup();
        loaded.fire();
        resolve();
      })();
    });
    void vscode.window.withProgress({ location: { viewId: ViewIds.devices } }, () => finished);
    return checked;
  };

  /** A device under several tag groups: its child rows get the row's scope too, so tree ids stay unique. */
  const rescope = (nodes: readonly NodeVM[], rowId: string): NodeVM[] =>
    nodes.map((n) => ({
      ...n,
      id: `${rowId}/${n.id}`,
      ...(n.children ? { children: async () => rescope(await n.children!(), rowId) } : {}),
    }));

  const deviceRow = (m: Machine, rowId: string): NodeVM =>
    machineNode(m, new Date(), {
      rowId,
      troubleshooting: deps.troubleshooting?.forDevice(m.id, m.computerDnsName ?? undefined),
      children: deps.deviceChildren
        ? () => (rowId.includes('@') ? rescope(deps.deviceChildren!(m), rowId) : deps.deviceChildren!(m))
        : undefined,
    });

  const children = async (): Promise<readonly NodeVM[]> => {
    if (state.kind === 'idle') await startLoad();
    if (state.kind === 'signedOut') return [signInRow()];
    const rows: NodeVM[] = [];
    const f = filter();
    if (f) {
      rows.push(
        tenantMessage('filter', vscode.l10n.t('Filter: {0}', f), {
          icon: 'filter',
          tooltip: vscode.l10n.t('Only devices matching this OData $filter are listed. Select to clear it.'),
          command: { command: CommandIds.devicesClearFilter, title: vscode.l10n.t('Clear Filter') },
        }),
      );
    }
    if (state.kind === 'loading') {
      rows.push(
        tenantMessage('loading', vscode.l10n.t('Loading… {0}', progressText(model.count)), {
          icon: 'loading~spin',
          description: state.note,
          tooltip: vscode.l10n.t('Select to stop loading; the devices listed so far stay.'),
          command: { command: CommandIds.devicesStopLoading, title: vscode.l10n.t('Stop Loading') },
        }),
      );
    }
    if (state.kind === 'failed' && model.count === 0) {
      const { error } = state;
      state = { kind: 'idle' }; // the error row's retry loads again
      throw error;
    }
    if (state.kind === 'failed') {
      const msg = state.error instanceof Error ? state.error.message.split('\n')[0] : String(state.error);
      rows.push(
        messageNode(`${TENANT_GROUP_ID}/failed`, vscode.l10n.t('Stopped after {0}: {1}', plural(model.count, 'device'), msg), {
          icon: 'error',
          tone: 'error',
          command: { command: CommandIds.devicesRefresh, title: vscode.l10n.t('Retry') },
        }),
      );
    }
    if (state.kind === 'stopped') {
      rows.push(
        tenantMessage('stopped', vscode.l10n.t('Stopped after {0}', plural(model.count, 'device')), {
          description: vscode.l10n.t('select to load all again'),
          command: { command: CommandIds.devicesRefresh, title: vscode.l10n.t('Reload') },
        }),
      );
    }
    if (state.kind === 'done' && state.result.stoppedAtMax) {
      rows.push(
        tenantMessage('limit', vscode.l10n.t('Showing the first {0}', plural(model.count, 'device')), {
          description: vscode.l10n.t('your limit {0}; set it to 0 to list all', SettingIds.devicesMaxCount),
        }),
      );
    }
    rows.push(
      ...model.rows({
        groupBy: parseGroupBy(cfg().get<string>('devices.groupBy')),
        troubleshooting: deps.troubleshooting,
        deviceRow,
        parentId: TENANT_GROUP_ID,
      }),
    );
    if (state.kind === 'done' && model.count === 0) {
      rows.push(tenantMessage('empty', f ? vscode.l10n.t('No devices match the filter') : vscode.l10n.t('No devices visible to your account')));
    }
    return rows;
  };

  const signInRow = (): NodeVM =>
    messageNode('devices/tenant/signin', vscode.l10n.t('Sign in to list your tenant\'s devices'), {
      icon: 'account',
      command: { command: CommandIds.signIn, title: vscode.l10n.t('Sign in') },
    });

  const stopLoading = () => {
    if (state.kind === 'loading') state.controller.abort();
  };

  const reload = () => {
    stopLoading();
    generation++;
    state = { kind: 'idle' };
    model.clear();
    refreshGroup();
  };

  const machineId = (node?: NodeVM): string => {
    const id = tenantMachineId(node?.id);
    if (id) return id;
    throw new UserCancelledError(vscode.l10n.t('Run this from a device in the Devices view.'));
  };

  const search = async (): Promise<Machine | undefined> => {
    if (model.count === 0) {
      void vscode.window.showInformationMessage(
        state.kind === 'loading' ? vscode.l10n.t('Devices are still loading; search again in a moment.') : vscode.l10n.t('No tenant devices are loaded yet.'),
      );
      return undefined;
    }
    const picked = await pickDeviceId(model.machines, (total) =>
      vscode.l10n.t('Search {0}: {1} match{2}{3}', plural(model.count, 'loaded device'), formatCount(total), total === 1 ? '' : 'es', total > DEVICE_PICK_LIMIT ? vscode.l10n.t(', showing 200') : ''),
    );
    if (!picked) throw new UserCancelledError();
    const m = model.machine(picked);
    if (!m) return undefined;
    // Reveal needs the row's place in the tree; show the device's facts and actions instead.
    const choice = await vscode.window.showInformationMessage(
      `${m.computerDnsName ?? m.id}: ${[m.osPlatform, m.healthStatus, m.rbacGroupName].filter(Boolean).join(' · ')}`,
      vscode.l10n.t('Open in Defender Portal'),
      vscode.l10n.t('Copy Device Id'),
    );
    if (choice === vscode.l10n.t('Open in Defender Portal')) await vscode.commands.executeCommand(CommandIds.deviceOpenInPortal, { id: `device/tenant/${m.id}`, label: m.computerDnsName ?? m.id });
    if (choice === vscode.l10n.t('Copy Device Id')) await vscode.env.clipboard.writeText(m.id);
    return m;
  };

  const setFilter = async (text?: string): Promise<string | undefined> => {
    let value = text;
    if (value === undefined) {
      value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Filter tenant devices (OData $filter, sent to the MDE API)'),
        prompt:
          vscode.l10n.t("e.g. healthStatus ne 'Active' · osPlatform eq 'Windows11' and riskScore eq 'High' · contains(machineTags,'pilot') · lastSeen gt 2026-11-01Z. Empty clears the filter."),
        value: filter(),
        validateInput: (v) => {
          if (!v.trim()) return undefined;
          try {
            validateODataFilter(v);
            return undefined;
          } catch (err) {
            return err instanceof ODataFilterError ? err.message : String(err);
          }
        },
      });
      if (value === undefined) throw new UserCancelledError();
    }
    const normalized = value.trim() ? validateODataFilter(value) : '';
    await context.workspaceState.update(FILTER_STATE_KEY, normalized || undefined);
    reload();
    return normalized;
  };

  const pickGroupBy = async () => {
    const current = parseGroupBy(cfg().get<string>('devices.groupBy'));
    const pick = await vscode.window.showQuickPick(
      GROUP_BY_OPTIONS.map((o) => ({ label: o.label, detail: o.detail, value: o.value, picked: o.value === current, description: o.value === current ? 'current' : undefined })),
      { title: vscode.l10n.t('Group tenant devices by') },
    );
    if (!pick) throw new UserCancelledError();
    await cfg().update('devices.groupBy', pick.value, vscode.ConfigurationTarget.Global);
    return pick.value;
  };

  context.subscriptions.push(
    loaded,
    { dispose: () => (stopLoading(), refreshTimer && clearTimeout(refreshTimer)) },
    deps.devices.addSource(() => [group]),
    deps.auth.onDidChange(reload),
    ...(deps.troubleshooting
      ? [
          deps.troubleshooting.onDidChange(() => {
            model.invalidate();
            scheduleRefresh();
          }),
        ]
      : []),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['mde.endpoint', 'mde.scope', 'devices.maxCount', 'auth.provider', 'auth.tenant', 'auth.clientId'].some((k) => e.affectsConfiguration(`${NS}.${k}`))) reload();
      else if (e.affectsConfiguration(`${NS}.devices.groupBy`)) refreshGroup();
    }),
    registerCommand(CommandIds.devicesRefresh, reload, deps.log),
    registerCommand(CommandIds.devicesStopLoading, stopLoading, deps.log),
    registerCommand(CommandIds.devicesSearch, search, deps.log),
    registerCommand(CommandIds.devicesFilter, setFilter, deps.log),
    registerCommand(CommandIds.devicesClearFilter, () => setFilter(''), deps.log),
    registerCommand(CommandIds.devicesGroupBy, pickGroupBy, deps.log),
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
        const name = node?.label ?? '';
        // The name comes from the API: only a DNS name goes to Remote - SSH.
        const host = dnsHostName(name);
        if (!host) throw new InvalidHostNameError(name);
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
        const uri = vscode.Uri.parse(remoteSshUri(host, folder));
        await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
        return uri.toString();
      },
      deps.log,
    ),
  );

  registerInvestigationPackage(context, {
    log: deps.log,
    deviceName: (id) => model.machine(id)?.computerDnsName ?? undefined,
    mdeClient,
    readScope: scope,
  });

  registerDetectionRules(context, { log: deps.log, auth: deps.auth });

  return {
    reload,
    machine: (rowId) => {
      const id = tenantMachineId(rowId);
      return id ? model.machine(id) : undefined;
    },
    onDidLoad: loaded.event,
    model,
    mdeClient,
  };
}
