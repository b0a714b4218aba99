import * as os from 'node:os';
import * as vscode from 'vscode';
import { DEFAULT_GRAPH_ENDPOINT, graphHuntingScope, normalizeEndpoint } from '../api/endpoints';
import { GraphHuntingClient } from '../api/graph';
import { RestClient } from '../api/http';
import type { Machine } from '../api/mde';
import { CommandIds, NS, SettingIds } from '../constants';
import { componentLogger, type ILogger } from '../core/logger';
import type { SampleRequests } from '../core/sample';
import type { TenantScopedState } from '../core/tenantScope';
import type { NodeVM } from '../core/treeModel';
import type { DeviceTroubleshootingLookup } from '../defender/deviceTroubleshooting';
import { lifecycleRows } from '../defender/lifecycleNodes';
import { prerequisitesGroup } from '../defender/prerequisiteNodes';
import { evaluatePrerequisites, factsFromLocal, factsFromMachine } from '../defender/prerequisites';
import { DEFAULT_ENDING_SOON_MS, ENDED_VISIBLE_MS, notActivatedChecks, type LifecycleSession } from '../defender/sessionLifecycle';
import { DEFAULT_POLL_POLICY } from '../defender/sessionPolling';
import type { AuthService } from '../infra/auth';
import { registerCommand } from '../infra/commandRunner';
import type { DeviceFeatureApi } from '../device';
import type { DevicesView } from '../views/devicesView';
import type { SessionsView } from '../views/sessionsView';
import { SessionNotifier } from './notifier';
import { SessionStatusBar } from './statusBar';
import { SessionTracker, type HuntingRun, type LocalObservation } from './tracker';
import { turnOnTroubleshooting, vscodeTurnOnUi, type TurnOnDeps, type TurnOnUi } from './turnOn';

export interface SessionsDeps {
  readonly log: ILogger;
  readonly auth: AuthService;
  readonly sessions: SessionsView;
  readonly devices: DevicesView;
  readonly device?: DeviceFeatureApi;
  /** The tenant device list (registerFleet), looked up lazily: it is registered after this feature. */
  readonly fleet?: () => { machine(rowId: string): Machine | undefined; readonly model?: { readonly machines: readonly Machine[] } } | undefined;
  /**
   * Where sessions and announcements persist (globalState, the sample tenant's kept apart: src/core/tenantScope.ts),
   * and when the sample is entered or left: leaving forgets what the sample recorded and the views start over.
   */
  readonly tenant?: {
    readonly state: TenantScopedState;
    readonly onDidChange: vscode.Event<boolean>;
    readonly sampleActive: () => boolean;
    /** The sessions the sample's user asked for before VS Code opened (src/infra/sample.ts). */
    readonly sampleRequests?: () => Promise<SampleRequests | undefined>;
  };
}

/** What other features (the device list) and the tests get. */
export interface SessionsApi {
  readonly tracker: SessionTracker;
  readonly notifier: SessionNotifier;
  readonly statusBar: SessionStatusBar;
  /** The seam the tenant device list consumes (src/defender/deviceTroubleshooting.ts). */
  readonly lookup: DeviceTroubleshootingLookup;
  /** Rows under a tenant device: its prerequisites. */
  deviceChildren(machine: Machine): NodeVM[];
  /** Replace to answer the turn-on confirmation and portal opening programmatically (tests). */
  turnOnUi: TurnOnUi;
}

const cfg = () => vscode.workspace.getConfiguration(NS);
/** Which run of the sample's emulator its requested sessions were recorded from (sample scope only). */
const SAMPLE_SEED_KEY = 'defenderTroubleshooting.sessions.sampleSeed';

function settings() {
  const soon = cfg().get<number>('sessions.endingSoonMinutes');
  const poll = cfg().get<number>('sessions.pollMinutes');
  return {
    endingSoonMs: typeof soon === 'number' && soon >= 0 ? soon * 60_000 : DEFAULT_ENDING_SOON_MS,
    pollIntervalMs: typeof poll === 'number' && poll >= 1 ? poll * 60_000 : DEFAULT_POLL_POLICY.intervalMs,
  };
}

/**
 * The session lifecycle (issue 8 items 2–5): "Turn On Troubleshooting Mode…" on tenant devices, a tracker that
 * follows each session from request to end (polling the troubleshooting query within the hunting quota, fed
 * also by This device's status and by manual hunting runs), notifications once per transition, a status-bar
 * countdown, and prerequisites under each device.
 */
export function registerSessions(context: vscode.ExtensionContext, deps: SessionsDeps): SessionsApi {
  const log = componentLogger(deps.log, 'sessions');

  // Background polls never pop a sign-in, and a long Retry-After comes back to the tracker's own backoff.
  const run: HuntingRun = async (query, timespan) => {
    const endpoint = normalizeEndpoint(vscode.workspace.getConfiguration().get<string>(SettingIds.graphEndpoint), DEFAULT_GRAPH_ENDPOINT, SettingIds.graphEndpoint);
    const scopes = [graphHuntingScope(endpoint)];
    let serverDate: string | undefined;
    const rest = new RestClient({
      baseUrl: endpoint,
      name: 'graph',
      log,
      retry: { maxRetries: 1, maxRetryAfterSec: 5 },
      getToken: async () => deps.auth.getToken(false, scopes),
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        serverDate = res.headers.get('date') ?? undefined;
        return res;
      },
    });
    const res = await new GraphHuntingClient(rest).runHuntingQuery(query, { timespan });
    return { schema: res.schema, results: res.results, serverDate };
  };

  const hostName = () => {
    const v = deps.device?.view();
    return v?.kind === 'ok' ? v.device.computerName : os.hostname();
  };
  const late: { notifier?: SessionNotifier } = {};
  const state: vscode.Memento = deps.tenant?.state ?? context.globalState;
  const tracker = new SessionTracker({
    memento: state,
    log,
    run,
    canRun: () => deps.auth.isSignedIn && vscode.workspace.isTrusted,
    settings,
    isOwnDevice: (s) => !!s.deviceName && s.deviceName.toLowerCase().split('.')[0] === hostName()?.toLowerCase().split('.')[0],
    notify: async (stage, session) => {
      await late.notifier?.notify(stage, session);
    },
  });
  const notifier = new SessionNotifier(state, log, tracker.clock);
  late.notifier = notifier;
  const statusBar = new SessionStatusBar(() => tracker.sessions(), hostName, tracker.clock);

  const checksFor = (s: LifecycleSession) => {
    const machine = s.deviceId ? deps.fleet?.()?.machine(`device/tenant/${s.deviceId}`) : undefined;
    const prereq = machine ? evaluatePrerequisites(factsFromMachine(machine)) : undefined;
    return notActivatedChecks(
      s,
      {
        prerequisites: prereq && {
          verdict: prereq.verdict,
          problems: prereq.rows.filter((r) => r.status !== 'pass').map((r) => `${r.requirement} (${r.found}; needs ${r.needed}${r.kb ? `, ${r.kb}` : ''})`),
        },
        healthStatus: machine?.healthStatus ?? undefined,
        lastQueryAt: tracker.lastQueryAt,
        pollEveryMs: settings().pollIntervalMs,
      },
      tracker.clock.now(),
    );
  };

  // The Sessions view: the lifecycle's rows replace the hunting source's plain rows.
  deps.sessions.lifecycleOwnsRows = true;
  const source = deps.sessions.addSource(() => {
    const now = tracker.clock.now();
    // Ended sessions stay listed for a day.
    // This device's own session already has its row (with snapshots) from the device feature.
    const recent = tracker
      .sessions()
      .filter((s) => !s.deviceId?.startsWith('local:'))
      .filter((s) => s.stage !== 'ended' || (s.endedAt && now.getTime() - s.endedAt.getTime() <= ENDED_VISIBLE_MS));
    return lifecycleRows(recent, now, checksFor);
  });

  // This device: its Get-MpComputerStatus feeds its own session, and its prerequisites show under its row.
  const localObservation = (): LocalObservation | undefined => {
    const v = deps.device?.view();
    if (v?.kind !== 'ok') return undefined;
    const ts = v.device.status.troubleshooting;
    return { computerName: v.device.computerName, active: ts.active, startTime: ts.startTime, endTime: ts.endTime, readAt: v.device.readAt };
  };
  const innerThisDevice = deps.devices.thisDeviceRow;
  deps.devices.thisDeviceRow = async () => {
    const row = await innerThisDevice();
    const v = deps.device?.view();
    void tracker.observeLocal(localObservation());
    if (v?.kind !== 'ok' || !row.children) return row;
    const s = v.device.status;
    const result = evaluatePrerequisites(factsFromLocal({ platform: process.platform, release: os.release(), productName: os.version(), amProductVersion: s.amProductVersion, amEngineVersion: s.amEngineVersion, amRunningMode: s.amRunningMode }));
    const children = row.children;
    return { ...row, children: async () => [...(await children()), prerequisitesGroup(row.id, result, false)] };
  };

  const deviceChildren = (machine: Machine): NodeVM[] => [prerequisitesGroup(`device/tenant/${machine.id}`, evaluatePrerequisites(factsFromMachine(machine)), true)];

  const api: SessionsApi = {
    tracker,
    notifier,
    statusBar,
    lookup: tracker.index,
    deviceChildren,
    turnOnUi: vscodeTurnOnUi,
  };
  const turnOnDeps: TurnOnDeps = {
    log,
    tracker,
    machine: (rowId) => deps.fleet?.()?.machine(rowId),
    machines: () => deps.fleet?.()?.model?.machines ?? [],
    get ui() {
      return api.turnOnUi;
    },
  };

  // The sample was left (or entered): its sessions, events and announcements are not the tenant's now in use.
  const switchTenant = async (sampleActive: boolean) => {
    if (!sampleActive) {
      const removed = (await deps.tenant?.state.forgetSample()) ?? [];
      log.info(`left the sample tenant: forgot what it recorded (${removed.length} key(s))`);
    }
    await tracker.reset();
    deps.sessions.eventsChanged();
    deps.sessions.refresh();
    statusBar.update();
    if (sampleActive) await seedSample();
  };
  // The sample starts with a session already requested, as if its user had run "Turn On…" just before (the request
  // lives only in VS Code: there is no API for it). Once per run of the sample's emulator.
  const seedSample = async () => {
    if (!deps.tenant?.sampleActive() || !deps.tenant.sampleRequests) return;
    const seed = await deps.tenant.sampleRequests();
    if (!seed || state.get(SAMPLE_SEED_KEY) === seed.runId) return;
    await state.update(SAMPLE_SEED_KEY, seed.runId);
    if (seed.requests.length) await tracker.addRequests(seed.requests);
    log.info(`sample tenant: ${seed.requests.length} session(s) requested before VS Code opened`);
  };

  context.subscriptions.push(
    tracker,
    statusBar,
    source,
    tracker.onDidChange(() => {
      deps.sessions.refresh();
      statusBar.update();
    }),
    deps.sessions.onDidChangeEvents(() => void tracker.evaluate()),
    deps.auth.onDidChange(() => void tracker.poll(false)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SettingIds.sessionsEndingSoonMinutes) || e.affectsConfiguration(SettingIds.sessionsPollMinutes)) void tracker.evaluate();
    }),
    ...(deps.tenant ? [deps.tenant.onDidChange((sampleActive) => void switchTenant(sampleActive))] : []),
    registerCommand(CommandIds.deviceTurnOnTroubleshooting, (clicked?: NodeVM, selected?: NodeVM[]) => turnOnTroubleshooting(turnOnDeps, clicked, selected), deps.log),
  );
  void tracker.evaluate().then(() => seedSample()).catch((err) => log.warn(`sample tenant: ${String(err)}`));
  return api;
}

/** Runs the troubleshooting query now (the Sessions view's refresh). */
export async function refreshSessions(api: SessionsApi | undefined): Promise<void> {
  if (!api) return;
  await api.tracker.poll(true);
  await api.tracker.evaluate();
}
