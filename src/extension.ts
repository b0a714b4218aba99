import * as vscode from 'vscode';
import { CommandIds, DEFAULT_PORTAL_URL, DOCS_URL, NS } from './constants';
import { assessHost } from './core/host';
import { TenantScopedState } from './core/tenantScope';
import { AuthService } from './infra/auth';
import { registerCommand } from './infra/commandRunner';
import { installL10n } from './infra/l10n';
import { ChannelLogger } from './infra/logger';
import { fetchSampleRequests, leaveSample, SampleTenant } from './infra/sample';
import { currentHostFacts, DevicesView } from './views/devicesView';
import { SessionsView } from './views/sessionsView';
import { registerDeviceFeature, type DeviceFeatureApi } from './device';
import { registerKqlLanguage } from './kqlClient';
import { registerHunting } from './hunting';
import { registerFleet, type FleetApi } from './fleet';
import { refreshSessions, registerSessions, type SessionsApi } from './sessions';

/** What other features (and the integration tests) get from activation. */
export interface ExtensionApi {
  readonly devices: DevicesView;
  readonly sessions: SessionsView;
  readonly auth: AuthService;
  /** Whether the sample tenant (`npm run dev`) is in use; it labels views and the status bar. */
  readonly sample: SampleTenant;
  readonly log: ChannelLogger;
  readonly activatedInMs: number;
  /** Milliseconds each feature's registration took inside activate(). */
  readonly activationTimings: Readonly<Record<string, number>>;
  /** Device side (PowerShell engine, playbooks); tests answer its prompts through `device.prompter`. */
  readonly device: DeviceFeatureApi;
  /** Session lifecycle (issue 8): tracker, notifier, status bar; tests answer the turn-on prompt through it. */
  readonly sessionLifecycle: SessionsApi;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  // First: pure modules' l10n.t (src/core/l10n.ts) translates with the bundle VS Code loaded from now on.
  context.subscriptions.push(installL10n());
  const log = new ChannelLogger();
  const devices = new DevicesView(log);
  const sessions = new SessionsView(log);
  const auth = new AuthService(log);
  const sample = new SampleTenant(log, [devices.treeView, sessions.treeView]);
  context.subscriptions.push(log, devices, sessions, auth, sample);
  // Sessions and hunting's troubleshooting events persist per tenant: the sample's apart from a real tenant's.
  const tenantState = new TenantScopedState(context.globalState, () => sample.active);
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, register: () => T): T => {
    const t0 = performance.now();
    try {
      return register();
    } finally {
      timings[name] = performance.now() - t0;
    }
  };
  const device = timed('device', () => registerDeviceFeature(context, { log, devices, sessions }));
  timed('kql', () => registerKqlLanguage(context, { log, auth }));
  timed('hunting', () => registerHunting(context, { log, auth, sessions, state: tenantState }));
  // Sessions feed the device list (stage, prerequisites) and look devices up in it: the fleet is set just below.
  const fleetRef: { api?: FleetApi } = {};
  const sessionLifecycle = timed('sessions', () => registerSessions(context, { log, auth, sessions, devices, device, fleet: () => fleetRef.api, tenant: { state: tenantState, onDidChange: sample.onDidChange, sampleActive: () => sample.active, sampleRequests: () => fetchSampleRequests(log) } }));
  fleetRef.api = timed('fleet', () =>
    registerFleet(context, { log, auth, devices, troubleshooting: sessionLifecycle.lookup, deviceChildren: sessionLifecycle.deviceChildren }),
  );

  const portalUrl = () =>
    (vscode.workspace.getConfiguration(NS).get<string>('portal.url') || DEFAULT_PORTAL_URL).replace(/\/+$/, '');

  context.subscriptions.push(
    registerCommand(CommandIds.showLog, () => log.show(), log),
    registerCommand(CommandIds.sessionsRefresh, async () => {
      sessions.refresh();
      await refreshSessions(sessionLifecycle);
    }, log),
    registerCommand(CommandIds.openPortal, () => vscode.env.openExternal(vscode.Uri.parse(portalUrl())), log),
    registerCommand(CommandIds.openDocs, () => vscode.env.openExternal(vscode.Uri.parse(DOCS_URL)), log),
    registerCommand(CommandIds.signIn, () => auth.signIn(), log),
    registerCommand(
      CommandIds.sampleLeave,
      async () => {
        const leave = vscode.l10n.t('Leave Sample');
        const choice = await vscode.window.showInformationMessage(
          vscode.l10n.t('Leave the sample tenant? Its settings (sample tenant, the emulator\'s endpoints, the PowerShell stand-in) are removed; then sign in to your tenant.'),
          { modal: true },
          leave,
        );
        if (choice !== leave) return;
        await leaveSample();
      },
      log,
    ),
    registerCommand(
      CommandIds.newKqlFile,
      async () => {
        const doc = await vscode.workspace.openTextDocument({
          language: 'kql',
          content: '// Advanced hunting query. Type "tsmode-" for the troubleshooting snippets; blank lines separate queries.\n',
        });
        // Set explicitly as well: VS Code keeps an untitled document's language over a reload only when it was.
        const kql = await vscode.languages.setTextDocumentLanguage(doc, 'kql');
        await vscode.window.showTextDocument(kql);
        return kql;
      },
      log,
    ),
    registerCommand(
      CommandIds.showHostInfo,
      async () => {
        const host = assessHost(currentHostFacts());
        const message = host.supported ? vscode.l10n.t('This device: {0}', host.summary) : vscode.l10n.t('This device: {0}. {1}', host.summary, String(host.reason));
        log.info(`[host] ${message}`);
        // Not awaited: the notification stays until dismissed, the command's result should not.
        void vscode.window.showInformationMessage(message);
        return host;
      },
      log,
    ),
  );

  void auth.refreshSilently();
  const activatedInMs = performance.now() - started;
  const breakdown = Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  log.info(`[activation] activated in ${activatedInMs.toFixed(1)} ms (${breakdown} ms)`);
  return { devices, sessions, auth, sample, log, activatedInMs, activationTimings: timings, device, sessionLifecycle };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
