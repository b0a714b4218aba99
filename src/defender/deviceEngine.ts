/**
 * The device side without VS Code: reads status, runs playbooks with preconditions, confirmation, a first
 * snapshot, verification after every write, undo, and an audit line for every command. Dependencies come in as
 * parameters so plain mocha tests drive it with the PowerShell stand-in.
 */
import { UserCancelledError } from '../core/errors';
import type { ILogger } from '../core/logger';
import { NotElevatedError } from '../powershell/errors';
import type { PowerShellRunner, RunOptions } from '../powershell/runner';
import { unusualNotes } from '../powershell/reveal';
import { WRAPPER_VERSION } from '../powershell/script';
import type { AuditEntry, AuditLog } from './audit';
import { parseComputerStatus, type ComputerStatus, type CultureInfo } from './computerStatus';
import {
  changeCommand,
  changeScript,
  cpuSampleScript,
  describeChange,
  preferencesScript,
  readBackScript,
  statusScript,
  type Change,
} from './operations';
import { checkPreconditions, getPlaybook, TamperProtectionNotScriptableError, type PlaybookId, type PlaybookInput } from './playbooks';
import type { Preferences } from './preferences';
import { CorruptFileError, restoreChanges, type Snapshot, type SnapshotRef, type SnapshotStore } from './snapshots';
import { observe, parseEvents, verifyChange, type Outcome, type ReadBack } from './verify';
import { l10n } from '../core/l10n';

export interface DeviceStatus {
  readonly computerName: string;
  readonly elevated: boolean;
  readonly status: ComputerStatus;
  readonly culture?: CultureInfo;
  /** Set-MpPreference has -DisableTamperProtection (undefined: the device did not say). */
  readonly canDisableTamperProtection?: boolean;
  readonly readAt: Date;
}

export interface CpuSample {
  readonly name: string;
  readonly cpuPercent: number;
  readonly sampleMs?: number;
  readonly cores?: number;
}

/** How a write runs: in the background runner, or typed into the "Defender PowerShell" terminal. */
export interface WriteExecutor {
  readonly via: 'background' | 'terminal';
  /**
   * Runs the change. Resolves `settled: true` when it is known to have finished (background, or a terminal with
   * shell integration), `false` when it was only sent (sendText): verification then polls for a while.
   */
  execute(change: Change, commandLine: string, script: string): Promise<{ settled: boolean; exitCode?: number; note?: string }>;
}

export interface ConfirmRequest {
  readonly title: string;
  /** The exact command lines that will run, in order. */
  readonly commands: readonly string[];
  readonly detail: string;
}

export interface EngineUi {
  confirm(request: ConfirmRequest): Promise<boolean>;
  progress?(message: string): void;
}

export interface StepResult {
  readonly description: string;
  readonly commandLine: string;
  readonly outcome: Outcome | 'skipped' | 'failed';
  readonly message: string;
}

export interface PlaybookResult {
  readonly playbook: PlaybookId | 'undo';
  readonly title: string;
  readonly device: string;
  readonly steps: readonly StepResult[];
  readonly cpuBefore?: CpuSample;
  readonly cpuAfter?: CpuSample;
  readonly snapshot?: SnapshotRef;
  /** True when every step was applied or already set. */
  readonly ok: boolean;
  readonly summary: string;
}

export interface DeviceEngineDeps {
  readonly runner: PowerShellRunner;
  readonly store: SnapshotStore;
  readonly audit: AuditLog;
  readonly log: ILogger;
  /** Name used until the device reports its own ($env:COMPUTERNAME). */
  readonly hostName: string;
  readonly clock?: () => Date;
  readonly writer?: () => WriteExecutor;
  readonly cpuSampleMs?: number;
  /** Polling after a terminal write whose completion is unknown. */
  readonly terminalPoll?: { readonly intervalMs: number; readonly attempts: number };
  readonly sleep?: (ms: number) => Promise<void>;
}

export class DeviceEngine {
  private last?: DeviceStatus;
  private readonly listeners = new Set<(s: DeviceStatus | undefined) => void>();
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: DeviceEngineDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get lastStatus(): DeviceStatus | undefined {
    return this.last;
  }

  get deviceName(): string {
    return this.last?.computerName || this.deps.hostName;
  }

  onDidChangeStatus(listener: (s: DeviceStatus | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private setStatus(s: DeviceStatus): void {
    this.last = s;
    for (const l of this.listeners) l(s);
  }

  /**
   * A read-only body from another feature (event log, performance analyzer), run in the background and audited
   * like every other command; `signal` cancels it (the process tree is killed).
   */
  async runRead<T>(operation: string, body: string, options: RunOptions = {}): Promise<T> {
    const started = Date.now();
    try {
      const data = await this.deps.runner.run<T>(body, options);
      await this.auditRun({ kind: 'read', operation, script: body, via: 'background', ok: true, result: 'ok', durationMs: Date.now() - started });
      return data;
    } catch (err) {
      await this.auditRun({ kind: 'read', operation, script: body, via: 'background', ok: false, result: errorCode(err), message: errorMessage(err), durationMs: Date.now() - started });
      throw err;
    }
  }

  /** The audit lines written so far (the session report reads them). */
  auditEntries(): Promise<AuditEntry[]> {
    return this.deps.audit.read();
  }

  /** Runs a read-only body and audits it. */
  private async read<T>(operation: string, body: string, timeoutMs?: number): Promise<T> {
    const started = Date.now();
    try {
      const data = await this.deps.runner.run<T>(body, timeoutMs ? { timeoutMs } : undefined);
      await this.auditRun({ kind: 'read', operation, script: body, via: 'background', ok: true, result: 'ok', durationMs: Date.now() - started });
      return data;
    } catch (err) {
      await this.auditRun({ kind: 'read', operation, script: body, via: 'background', ok: false, result: errorCode(err), message: errorMessage(err), durationMs: Date.now() - started });
      throw err;
    }
  }

  private auditRun(entry: Omit<Parameters<AuditLog['append']>[0], 'time' | 'host' | 'wrapper'>): Promise<void> {
    return this.deps.audit
      .append({ time: this.clock().toISOString(), host: this.deviceName, wrapper: entry.via === 'background' ? WRAPPER_VERSION : undefined, ...entry })
      .catch(() => undefined);
  }

  async readStatus(operation = 'status'): Promise<DeviceStatus> {
    const data = await this.read<{ status?: unknown; elevated?: unknown; computerName?: unknown; culture?: unknown; canDisableTamperProtection?: unknown }>(
      operation,
      statusScript(),
    );
    const culture = (data?.culture ?? undefined) as CultureInfo | undefined;
    const readAt = this.clock();
    const status: DeviceStatus = {
      computerName: typeof data?.computerName === 'string' && data.computerName ? data.computerName : this.deps.hostName,
      elevated: data?.elevated === true,
      status: parseComputerStatus(data?.status, readAt, culture),
      culture,
      canDisableTamperProtection: typeof data?.canDisableTamperProtection === 'boolean' ? data.canDisableTamperProtection : undefined,
      readAt,
    };
    this.setStatus(status);
    return status;
  }

  async readPreferences(operation = 'preferences'): Promise<Preferences> {
    const data = await this.read<unknown>(operation, preferencesScript());
    return (typeof data === 'object' && data !== null ? data : {}) as Preferences;
  }

  async readBack(since: Date, operation = 'verify'): Promise<ReadBack> {
    const data = await this.read<{ preferences?: unknown; status?: unknown; events?: unknown }>(operation, readBackScript(since));
    const now = this.clock();
    return {
      preferences: (typeof data?.preferences === 'object' && data.preferences !== null ? data.preferences : {}) as Preferences,
      status: parseComputerStatus(data?.status, now, this.last?.culture),
      events: parseEvents(data?.events),
    };
  }

  async sampleCpu(): Promise<CpuSample> {
    const ms = this.deps.cpuSampleMs ?? 3000;
    const data = await this.read<Partial<CpuSample>>('cpu sample', cpuSampleScript(ms), ms + 60_000);
    return { name: String(data?.name ?? 'MsMpEng'), cpuPercent: Number(data?.cpuPercent ?? NaN), sampleMs: data?.sampleMs, cores: data?.cores };
  }

  /** A stored snapshot's content. */
  readSnapshot(file: string): Promise<Snapshot> {
    return this.deps.store.read(file);
  }

  async snapshots(): Promise<SnapshotRef[]> {
    return this.deps.store.list(this.deviceName);
  }

  async takeSnapshot(reason: string): Promise<SnapshotRef> {
    const preferences = await this.readPreferences(`snapshot (${reason})`);
    const status = this.last ?? (await this.readStatus('snapshot status'));
    const snapshot: Snapshot = {
      version: 1,
      device: this.deviceName,
      takenAt: this.clock().toISOString(),
      reason,
      isTamperProtected: status.status.isTamperProtected,
      preferences,
    };
    const ref = await this.deps.store.save(snapshot);
    this.deps.log.info(`[device] snapshot of ${snapshot.device} saved to ${ref.file}`);
    return ref;
  }

  /** The first snapshot of the current troubleshooting session (or the first ever, when the start is unknown). */
  async firstSnapshot(): Promise<SnapshotRef | undefined> {
    const all = await this.snapshots();
    const start = this.last?.status.troubleshooting.startTime;
    return (start ? all.find((s) => s.takenAt.getTime() >= start.getTime() - 60_000) : undefined) ?? (start ? undefined : all[0]);
  }

  async runPlaybook(id: PlaybookId, input: PlaybookInput, ui: EngineUi): Promise<PlaybookResult> {
    const playbook = getPlaybook(id);
    ui.progress?.(l10n.t('Reading device status…'));
    const device = await this.readStatus(`playbook ${id}: preconditions`);
    checkPreconditions(playbook, { device: device.computerName, elevated: device.elevated, status: device.status, canDisableTamperProtection: device.canDisableTamperProtection });
    const changes = playbook.changes(input, device.status);
    let cpuBefore: CpuSample | undefined;
    if (playbook.samplesCpu) {
      ui.progress?.(l10n.t('Sampling MsMpEng CPU…'));
      cpuBefore = await this.sampleCpu();
    }
    const run = await this.applyChanges(changes, ui, `playbook ${id}`, playbook.title);
    let cpuAfter: CpuSample | undefined;
    if (playbook.samplesCpu && run.steps.some((s) => s.outcome === 'applied')) {
      ui.progress?.(l10n.t('Sampling MsMpEng CPU again…'));
      cpuAfter = await this.sampleCpu().catch(() => undefined);
    }
    const cpuLine = cpuBefore
      ? ` MsMpEng CPU: ${cpuBefore.cpuPercent}%${cpuAfter ? ` before, ${cpuAfter.cpuPercent}% after` : ''}.`
      : '';
    return { ...run, playbook: id, cpuBefore, cpuAfter, summary: `${run.summary}${cpuLine}` };
  }

  /** Restores what changed since the first snapshot, verified like any write. */
  async undo(ui: EngineUi): Promise<PlaybookResult> {
    const device = await this.readStatus('undo: status');
    const first = await this.firstSnapshot();
    if (!first) {
      return { playbook: 'undo', title: l10n.t('Undo my changes'), device: device.computerName, steps: [], ok: true, summary: l10n.t('There is no snapshot for this session, so there is nothing to undo.') };
    }
    // A damaged first snapshot (truncated, edited): fall back to the next good one of the session, and say so.
    const all = await this.snapshots();
    const found = await this.deps.store.readFirstGood(all.filter((s) => s.takenAt.getTime() >= first.takenAt.getTime()));
    for (const d of found.damaged) this.deps.log.warn(`[device] ${d.message}`);
    if (!('snapshot' in found)) {
      const d = found.damaged[0]!;
      throw new CorruptFileError(d.file, `${d.problem}; no other snapshot of this session can be read, so there is nothing to undo to`);
    }
    const { snapshot, ref } = found;
    const fallback = found.damaged.length
      ? `${found.damaged.map((d) => d.message).join(' ')} Used the snapshot of ${ref.takenAt.toLocaleString()} instead. `
      : '';
    const preferences = await this.readPreferences('undo: current preferences');
    const changes = restoreChanges(snapshot, { preferences, isTamperProtected: device.status.isTamperProtected });
    if (!changes.length) {
      return { playbook: 'undo', title: l10n.t('Undo my changes'), device: device.computerName, steps: [], ok: true, snapshot: ref, summary: l10n.t('{0}Nothing to undo: the settings match the snapshot of {1}.', fallback, ref.takenAt.toLocaleString()) };
    }
    if (!device.elevated) throw new NotElevatedError();
    const run = await this.applyChanges(changes, ui, 'undo', l10n.t('Undo my changes'), { skipSnapshot: true });
    return { ...run, playbook: 'undo', snapshot: ref, summary: `${fallback}${run.summary}` };
  }

  /** Confirm, snapshot before the first change, write, verify; stops at the first step that did not apply. */
  async applyChanges(
    changes: readonly Change[],
    ui: EngineUi,
    operation: string,
    title: string,
    options: { skipSnapshot?: boolean } = {},
  ): Promise<Omit<PlaybookResult, 'playbook'>> {
    const device = this.deviceName;
    // Never offer a command the device's module cannot bind (defender.md §11): send the admin to Windows Security.
    const tamper = changes.find((c): c is Extract<Change, { kind: 'tamperProtection' }> => c.kind === 'tamperProtection');
    if (tamper && this.last?.canDisableTamperProtection === false) throw new TamperProtectionNotScriptableError(device, tamper.disable);
    ui.progress?.(l10n.t('Reading current settings…'));
    const before = await this.readBack(this.clock(), `${operation}: current values`);
    const steps: StepResult[] = [];
    const pending: Change[] = [];
    for (const change of changes) {
      const { matches, observed } = observe(change, before);
      if (matches === true) {
        steps.push({ description: describeChange(change), commandLine: changeCommand(change), outcome: 'alreadySet', message: l10n.t('{0}: already set ({1}).', describeChange(change), observed) });
      } else {
        pending.push(change);
      }
    }
    if (!pending.length) return finish(title, device, steps);

    const commands = pending.map(changeCommand);
    const writer = this.deps.writer?.() ?? backgroundWriter(this.deps.runner);
    const unusual = unusualNotes(commands);
    const confirmed = await ui.confirm({
      title: l10n.t('{0} on {1}', title, device),
      commands,
      detail: l10n.t('{0}{1}\n\nRuns {2}; each change is read back and checked for tamper-protection event 5013.', unusual.length ? l10n.t('Look closely, the command contains:\n{0}\n\n', unusual.map((n) => `• ${n}`).join('\n')) : '', pending.map(describeChange).join('\n'), writer.via === 'terminal' ? l10n.t('in the "Defender PowerShell" terminal') : l10n.t('in a background PowerShell')),
    });
    if (!confirmed) throw new UserCancelledError();

    let snapshot: SnapshotRef | undefined;
    if (!options.skipSnapshot && !(await this.firstSnapshot())) {
      ui.progress?.(l10n.t('Taking a snapshot of the current settings…'));
      snapshot = await this.takeSnapshot(l10n.t('before the first change'));
    }

    let stopped = false;
    for (const change of pending) {
      const commandLine = changeCommand(change);
      if (stopped) {
        steps.push({ description: describeChange(change), commandLine, outcome: 'skipped', message: l10n.t('{0}: skipped because the previous step did not apply.', describeChange(change)) });
        continue;
      }
      ui.progress?.(`${describeChange(change)}…`);
      const since = new Date(this.clock().getTime() - 1000);
      const started = Date.now();
      let settled = true;
      let note: string | undefined;
      let exitCode: number | undefined;
      try {
        const r = await writer.execute(change, commandLine, changeScript(change));
        settled = r.settled;
        note = r.note;
        exitCode = r.exitCode;
      } catch (err) {
        await this.auditRun({ kind: 'write', operation, script: writer.via === 'terminal' ? commandLine : changeScript(change), via: writer.via, ok: false, result: errorCode(err), message: errorMessage(err), durationMs: Date.now() - started });
        throw err;
      }
      const verification = await this.verifyAfterWrite(change, since, settled, operation);
      const ok = verification.outcome === 'applied';
      await this.auditRun({
        kind: 'write', operation, script: writer.via === 'terminal' ? commandLine : changeScript(change), via: writer.via, ok,
        result: verification.outcome, message: verification.message + (note ? ` ${note}` : ''), exitCode, durationMs: Date.now() - started,
      });
      steps.push({ description: describeChange(change), commandLine, outcome: verification.outcome, message: verification.message + (note ? ` ${note}` : '') });
      if (!ok) stopped = true;
    }
    await this.readStatus(`${operation}: refresh`).catch(() => undefined);
    return { ...finish(title, device, steps), snapshot };
  }

  private async verifyAfterWrite(change: Change, since: Date, settled: boolean, operation: string) {
    let rb = await this.readBack(since, `${operation}: verify`);
    let v = verifyChange(change, rb);
    if (!settled) {
      // Sent to a terminal without shell integration: the command may still be running.
      const poll = this.deps.terminalPoll ?? { intervalMs: 2000, attempts: 10 };
      for (let k = 0; k < poll.attempts && v.outcome === 'notApplied'; k++) {
        await this.sleep(poll.intervalMs);
        rb = await this.readBack(since, `${operation}: verify`);
        v = verifyChange(change, rb);
      }
    }
    return v;
  }
}

function finish(title: string, device: string, steps: readonly StepResult[]): Omit<PlaybookResult, 'playbook'> {
  const ok = steps.every((s) => s.outcome === 'applied' || s.outcome === 'alreadySet');
  // Each step's message starts with what it changed and says what was verified: said once, not as a short form too.
  return { title, device, steps, ok, summary: steps.length ? `${title}: ${steps.map((s) => s.message).join(' ')}` : `${title}.` };
}

/** Writes through the background runner: the typed error of a failed command propagates. */
export function backgroundWriter(runner: PowerShellRunner): WriteExecutor {
  return {
    via: 'background',
    async execute(_change, _commandLine, script) {
      await runner.run(script);
      return { settled: true };
    },
  };
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : 'error';
}
function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
