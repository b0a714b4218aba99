import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { CommandIds, NS } from '../constants';
import { UserCancelledError, WorkspaceNotTrustedError } from '../core/errors';
import { assessHost } from '../core/host';
import type { ILogger } from '../core/logger';
import { componentLogger } from '../core/logger';
import { AuditLog } from '../defender/audit';
import { backgroundWriter, DeviceEngine, type DeviceStatus, type EngineUi, type PlaybookResult } from '../defender/deviceEngine';
import { deviceSessionNodes, thisDeviceStatusNode, type DeviceView } from '../defender/deviceNodes';
import { getPlaybook, type ExclusionInput, type PlaybookId } from '../defender/playbooks';
import { asrEntries } from '../defender/preferences';
import { SnapshotStore, type SnapshotRef } from '../defender/snapshots';
import { chooseExecutable, ProcessPowerShellRunner, type PowerShellRunner } from '../powershell/runner';
import { registerCommand } from '../infra/commandRunner';
import { currentHostFacts, type DevicesView } from '../views/devicesView';
import type { SessionsView } from '../views/sessionsView';
import { VsCodePrompter, type Prompter } from './prompter';
import { DefenderTerminal } from './terminal';
import { registerDiagnostics, type DiagnosticsApi } from './diagnostics';

export interface DeviceFeatureDeps {
  readonly log: ILogger;
  readonly devices: DevicesView;
  readonly sessions: SessionsView;
}

/** What integration tests (and other features) get: the engine, the current view, and a replaceable prompter. */
export interface DeviceFeatureApi {
  readonly engine: DeviceEngine;
  readonly terminal: DefenderTerminal;
  readonly auditFile: string;
  readonly snapshotsDir: string;
  /** The event log, performance analyzer and session report (issue #9). */
  readonly diagnostics: DiagnosticsApi;
  /** Replace to answer prompts programmatically (tests). */
  prompter: Prompter;
  view(): DeviceView;
  refresh(): Promise<DeviceView>;
}

/** Optional arguments the commands take, so callers (tests, other commands) can skip pickers. */
export interface PlaybookArgs {
  readonly ruleGuid?: string;
  readonly exclusions?: ExclusionInput;
}

const cfg = () => vscode.workspace.getConfiguration(NS);

/** Refuses to run PowerShell in Restricted Mode, whatever asks for it. */
class TrustedRunner implements PowerShellRunner {
  constructor(private readonly inner: PowerShellRunner) {}
  run<T>(body: string, options?: { timeoutMs?: number }): Promise<T> {
    if (!vscode.workspace.isTrusted) return Promise.reject(new WorkspaceNotTrustedError(vscode.l10n.t('Running PowerShell')));
    return this.inner.run<T>(body, options);
  }
}

export function registerDeviceFeature(context: vscode.ExtensionContext, deps: DeviceFeatureDeps): DeviceFeatureApi {
  const log = componentLogger(deps.log, 'device');
  const storage = context.globalStorageUri.fsPath;
  const auditFile = path.join(storage, 'audit.jsonl');
  const snapshotsDir = path.join(storage, 'snapshots');

  const executable = () => chooseExecutable(cfg().get<string>('powershell.path'), process.platform, process.env);
  const runner = new TrustedRunner(
    new ProcessPowerShellRunner({
      executable,
      log,
      defaultTimeoutMs: Math.max(5, cfg().get<number>('powershell.timeoutSeconds') ?? 60) * 1000,
    }),
  );

  let prompter: Prompter = new VsCodePrompter({ undo: CommandIds.deviceUndo, audit: CommandIds.auditShow });
  const terminal = new DefenderTerminal(
    () => {
      const choice = executable();
      return choice.kind === 'run' ? choice.executable : undefined;
    },
    log,
    (m) => api.prompter.note(m),
  );
  const engine = new DeviceEngine({
    runner,
    store: new SnapshotStore(snapshotsDir),
    audit: new AuditLog(auditFile, log),
    log,
    hostName: os.hostname(),
    // Where writes run (defenderTroubleshooting.execution.mode); verification always reads back in the background.
    writer: () => (cfg().get<string>('execution.mode') === 'terminal' ? terminal.writer() : backgroundWriter(runner)),
  });

  const host = () => assessHost(currentHostFacts());
  let view: DeviceView = { kind: 'loading', host: host() };
  let snapshots: SnapshotRef[] = [];
  let inFlight: Promise<DeviceView> | undefined;

  const hasUserPath = () => !!(cfg().get<string>('powershell.path') ?? '').trim();
  const redraw = () => {
    deps.devices.refresh();
    deps.sessions.refresh();
  };

  async function refresh(): Promise<DeviceView> {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      const h = host();
      if (!vscode.workspace.isTrusted) view = { kind: 'untrusted', host: h };
      else if (!h.supported && !hasUserPath()) view = { kind: 'unsupported', host: h };
      else {
        try {
          const device = await engine.readStatus('status');
          view = { kind: 'ok', host: h, device, now: new Date() };
        } catch (err) {
          const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;
          view = { kind: 'error', host: h, message: err instanceof Error ? err.message : String(err), code };
        }
      }
      snapshots = await engine.snapshots().catch(() => []);
      redraw();
      return view;
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  // Status written by playbooks (they re-read it) updates the rows too.
  const statusSub = engine.onDidChangeStatus((device?: DeviceStatus) => {
    if (device) view = { kind: 'ok', host: host(), device, now: new Date() };
    void engine.snapshots().then((s) => {
      snapshots = s;
      redraw();
    });
  });

  let firstShown = false;
  deps.devices.thisDeviceRow = () => {
    if (!firstShown) {
      firstShown = true;
      void refresh();
    }
    if (view.kind === 'ok') view = { ...view, now: new Date() };
    return thisDeviceStatusNode(view);
  };
  // Issue #9: the session's events, performance reports and session report, as rows under the session.
  const diagnostics = registerDiagnostics(context, { log, engine, storage, snapshotsDir, redraw: () => redraw() });
  const sessionSource = deps.sessions.addSource(() =>
    deviceSessionNodes(view.kind === 'ok' ? view.device : undefined, snapshots, (f) => vscode.Uri.file(f).toString(), diagnostics.sessionNodes()),
  );

  // Timer: defenderTroubleshooting.status.refreshSeconds (0 = off).
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = cfg().get<number>('status.refreshSeconds') ?? 60;
    // Only while someone can see it: each refresh starts a PowerShell process on the device.
    if (seconds > 0) timer = setInterval(() => deps.devices.treeView.visible && void refresh(), seconds * 1000);
  };
  schedule();
  const visibilitySub = deps.devices.treeView.onDidChangeVisibility((e) => {
    if (e.visible && firstShown) void refresh();
  });

  const ui = (): EngineUi => ({ confirm: (r) => api.prompter.confirm(r) });
  const withProgress = <T>(title: string, work: (ui: EngineUi) => Promise<T>) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, (progress) =>
      work({ ...ui(), progress: (message) => progress.report({ message }) }),
    );

  async function runPlaybook(id: PlaybookId, args: PlaybookArgs | undefined): Promise<PlaybookResult> {
    const playbook = getPlaybook(id);
    let input: PlaybookArgs = args && typeof args === 'object' && !('id' in args) ? args : {};
    if (playbook.needs === 'asrRule' && !input.ruleGuid) {
      const prefs = await engine.readPreferences('asr rules for picker');
      const guid = await api.prompter.pickAsrRule(new Map(asrEntries(prefs).map((e) => [e.guid, e.action])));
      if (!guid) throw new UserCancelledError();
      input = { ...input, ruleGuid: guid };
    }
    if (playbook.needs === 'exclusions' && !input.exclusions) {
      const exclusions = await api.prompter.askExclusions();
      if (!exclusions) throw new UserCancelledError();
      input = { ...input, exclusions };
    }
    const result = await withProgress(playbook.title, (u) => engine.runPlaybook(id, input, u));
    api.prompter.showResult(result);
    await refresh();
    return result;
  }

  const playbookCommands: [string, PlaybookId][] = [
    [CommandIds.playbookUnableToInstall, 'unableToInstall'],
    [CommandIds.playbookHighCpu, 'highCpu'],
    [CommandIds.playbookAppSlow, 'appSlow'],
    [CommandIds.playbookPuaBlocked, 'puaBlocked'],
    [CommandIds.playbookAsrRule, 'asrRule'],
    [CommandIds.playbookNetworkProtection, 'networkProtection'],
    [CommandIds.deviceDisableTamperProtection, 'disableTamperProtection'],
  ];

  async function openSnapshot(arg: unknown): Promise<void> {
    const file = typeof arg === 'object' && arg !== null && typeof (arg as { file?: unknown }).file === 'string' ? (arg as { file: string }).file : undefined;
    const target = file ?? (await engine.snapshots()).at(-1)?.file;
    if (!target) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no snapshot of this device yet.'));
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: true });
  }

  async function compareSnapshots(arg: unknown): Promise<[string, string] | undefined> {
    let files: readonly string[] | undefined;
    if (typeof arg === 'object' && arg !== null && Array.isArray((arg as { files?: unknown }).files)) files = (arg as { files: string[] }).files;
    else if (typeof arg === 'object' && arg !== null && (arg as { contextValue?: string }).contextValue === 'snapshot') {
      // From a snapshot row: compare it with the snapshot before it (or the first with the newest).
      const all = await engine.snapshots();
      const file = (arg as { command?: { args?: { file: string }[] } }).command?.args?.[0]?.file;
      const k = all.findIndex((s) => s.file === file);
      if (k > 0) files = [all[k - 1]!.file, all[k]!.file];
      else if (k === 0 && all.length > 1) files = [all[0]!.file, all.at(-1)!.file];
    }
    if (!files) {
      const pair = await api.prompter.pickSnapshots(await engine.snapshots());
      if (!pair) return undefined;
      files = [pair[0].file, pair[1].file];
    }
    if (files.length !== 2) throw new Error('Compare needs exactly two snapshot files.');
    const [a, b] = files as [string, string];
    await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(a), vscode.Uri.file(b), vscode.l10n.t('Defender settings: {0} ↔ {1}', path.basename(a, '.json'), path.basename(b, '.json')));
    return [a, b];
  }

  context.subscriptions.push(
    terminal,
    sessionSource,
    { dispose: () => statusSub.dispose() },
    { dispose: () => timer && clearInterval(timer) },
    visibilitySub,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${NS}.status.refreshSeconds`)) schedule();
      if (e.affectsConfiguration(`${NS}.powershell.path`)) void refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void refresh()),
    registerCommand(CommandIds.deviceRefreshStatus, () => refresh(), log),
    ...playbookCommands.map(([command, id]) => registerCommand(command, (args?: PlaybookArgs) => runPlaybook(id, args), log)),
    registerCommand(
      CommandIds.deviceUndo,
      async () => {
        const result = await withProgress(vscode.l10n.t('Undo my changes'), (u) => engine.undo(u));
        api.prompter.showResult(result);
        await refresh();
        return result;
      },
      log,
    ),
    registerCommand(
      CommandIds.snapshotTake,
      async () => {
        const ref = await engine.takeSnapshot(vscode.l10n.t('on demand'));
        // Said as soon as it is on disk; the device's rows catch up after.
        void vscode.window.showInformationMessage(vscode.l10n.t('Snapshot of {0} saved ({1}).', ref.device, ref.takenAt.toLocaleString()));
        await refresh();
        return ref;
      },
      log,
    ),
    registerCommand(CommandIds.snapshotCompare, (arg?: unknown) => compareSnapshots(arg), log),
    registerCommand(CommandIds.snapshotOpen, (arg?: unknown) => openSnapshot(arg), log),
    registerCommand(
      CommandIds.auditShow,
      async () => {
        await fs.mkdir(storage, { recursive: true });
        await fs.appendFile(auditFile, '');
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(auditFile));
        await vscode.window.showTextDocument(doc, { preview: false });
        return auditFile;
      },
      log,
    ),
  );

  const api: DeviceFeatureApi = {
    engine,
    terminal,
    auditFile,
    snapshotsDir,
    diagnostics,
    get prompter() {
      return prompter;
    },
    set prompter(p: Prompter) {
      prompter = p;
    },
    view: () => view,
    refresh,
  };
  return api;
}
