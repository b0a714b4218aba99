/**
 * Issue #9 on This device: the session's event log, the performance analyzer (loaded lazily from
 * dist/performance.js on its first command), and the session report. Rows under the session in the Sessions view
 * open each of them.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { CommandIds } from '../constants';
import type { NodeVM } from '../core/treeModel';
import type { ILogger } from '../core/logger';
import type { DeviceEngine } from '../defender/deviceEngine';
import { evaluatePrerequisites, factsFromLocal } from '../defender/prerequisites';
import { parsePerformanceReport, topFindings, type StoredReport } from '../defender/performance';
import { renderSessionReport, type PerformanceFinding, type Prerequisite } from '../defender/sessionReport';
import { deviceFolder, type SnapshotRef } from '../defender/snapshots';
import { registerCommand } from '../infra/commandRunner';
import { currentSampleState } from '../infra/sample';
import { EventLogPanels, EventLogReader, pickRange, rangeFromArg, type EventRange } from './events';
import type { PerformanceAnalyzer, PerformanceDeps } from './performance';

export interface DiagnosticsDeps {
  readonly log: ILogger;
  readonly engine: DeviceEngine;
  readonly storage: string;
  readonly snapshotsDir: string;
  readonly redraw: () => void;
}

export interface DiagnosticsApi {
  /** Rows under This device's session. */
  sessionNodes(): NodeVM[];
  /** The performance analyzer, loaded on first use. */
  performance(): PerformanceAnalyzer;
  readonly reportsDir: string;
}

/** The session window from the device status (start, expiry), when troubleshooting mode reports one. */
export function sessionWindow(engine: DeviceEngine): { start?: Date; end?: Date } {
  const ts = engine.lastStatus?.status.troubleshooting;
  return { start: ts?.startTime, end: ts?.endTime };
}

export function registerDiagnostics(context: vscode.ExtensionContext, deps: DiagnosticsDeps): DiagnosticsApi {
  const { log, engine } = deps;
  const events = new EventLogPanels(context.extensionUri, log, engine);
  const reportsDir = path.join(deps.storage, 'performance');
  let analyzer: PerformanceAnalyzer | undefined;
  let storedReports: { file: string; recordedAt: Date; seconds: number }[] = [];
  let sessionReports: string[] = [];

  const performance = (): PerformanceAnalyzer => {
    if (!analyzer) {
      const mod = require(context.asAbsolutePath('dist/performance.js')) as typeof import('./performance');
      const pdeps: PerformanceDeps = { extensionUri: context.extensionUri, log, engine, reportsDir, onDidChange: () => void refreshLists() };
      analyzer = mod.createPerformanceAnalyzer(pdeps);
      context.subscriptions.push(analyzer);
    }
    return analyzer;
  };

  async function listReports(): Promise<{ file: string; recordedAt: Date; seconds: number }[]> {
    const dir = path.join(reportsDir, deviceFolder(engine.deviceName));
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: { file: string; recordedAt: Date; seconds: number }[] = [];
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      try {
        const r = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as StoredReport;
        out.push({ file: path.join(dir, n), recordedAt: new Date(r.recordedAt), seconds: r.seconds });
      } catch {
        // A report being written or broken: skip it.
      }
    }
    return out;
  }

  async function refreshLists(): Promise<void> {
    storedReports = await listReports();
    const dir = path.join(deps.snapshotsDir, deviceFolder(engine.deviceName));
    sessionReports = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => /^session-report-.*\.md$/.test(n)).sort().map((n) => path.join(dir, n));
    deps.redraw();
  }
  void refreshLists();
  context.subscriptions.push(engine.onDidChangeStatus(() => void refreshLists()));

  function sessionNodes(): NodeVM[] {
    const w = sessionWindow(engine);
    const inSession = (d: Date) => !w.start || d.getTime() >= w.start.getTime();
    const nodes: NodeVM[] = [];
    if (w.start) {
      nodes.push({
        id: 'session/this-device/events',
        label: vscode.l10n.t('Events'),
        description: vscode.l10n.t('Defender Operational log of this session'),
        icon: 'list-flat',
        tone: 'info',
        contextValue: 'sessionEvents',
        command: { command: CommandIds.eventsShow, title: vscode.l10n.t('Show Events'), args: [{ start: w.start.toISOString(), end: w.end?.toISOString(), title: vscode.l10n.t('Session events') }] },
      });
    }
    for (const r of storedReports.filter((x) => inSession(x.recordedAt))) {
      nodes.push({
        id: `session/this-device/perf/${r.file}`,
        label: vscode.l10n.t('Performance report {0}', r.recordedAt.toLocaleTimeString()),
        description: vscode.l10n.t('{0} s recording', r.seconds),
        icon: 'graph',
        tone: 'info',
        contextValue: 'performanceReport',
        command: { command: CommandIds.performanceOpenReport, title: vscode.l10n.t('Open Performance Report'), args: [{ file: r.file }] },
      });
    }
    const last = sessionReports.at(-1);
    nodes.push({
      id: 'session/this-device/report',
      label: vscode.l10n.t('Session report'),
      description: last ? path.basename(last) : vscode.l10n.t('write it'),
      icon: 'notebook-render-output',
      tone: 'info',
      contextValue: 'sessionReport',
      command: last
        ? { command: CommandIds.sessionReportOpen, title: vscode.l10n.t('Open Session Report'), args: [{ file: last }] }
        : { command: CommandIds.sessionReportWrite, title: vscode.l10n.t('Write Session Report'), args: [] },
    });
    return nodes;
  }

  async function showEvents(arg: unknown) {
    let range: EventRange | undefined = rangeFromArg(arg);
    if (!range) {
      const w = sessionWindow(engine);
      range = await pickRange(w.start, w.end);
    }
    if (!range) return undefined;
    return events.show(range);
  }

  async function prerequisites(): Promise<Prerequisite[]> {
    const s = engine.lastStatus?.status;
    const result = evaluatePrerequisites(
      factsFromLocal({
        platform: process.platform,
        release: os.release(),
        productName: typeof os.version === 'function' ? os.version() : undefined,
        amProductVersion: s?.amProductVersion,
        amEngineVersion: s?.amEngineVersion,
        amRunningMode: s?.amRunningMode,
      }),
    );
    return result.rows.map((r) => ({
      name: r.requirement,
      ok: r.status === 'pass' ? true : r.status === 'fail' ? false : undefined,
      detail: vscode.l10n.t('{0} (needs {1}{2})', r.found, r.needed, r.kb && r.status !== 'pass' ? `; ${r.kb}` : ''),
    }));
  }

  /** Writes the Markdown beside the snapshots and opens its preview. */
  async function writeSessionReport(arg?: unknown): Promise<string> {
    const open = !(arg && typeof arg === 'object' && (arg as { open?: unknown }).open === false);
    const device = await engine.readStatus('session report status').catch(() => engine.lastStatus);
    const ts = device?.status.troubleshooting;
    const now = new Date();
    const start = ts?.startTime;
    const expiry = ts?.endTime;
    const name = engine.deviceName;
    const snaps = await engine.snapshots();
    const inWindow = snaps.filter((s) => !start || s.takenAt.getTime() >= start.getTime() - 60_000);
    let after = inWindow.at(-1);
    if (ts?.active) after = await engine.takeSnapshot(vscode.l10n.t('session report')).catch(() => after);
    const before = inWindow[0];
    const read = async (ref: SnapshotRef | undefined) => {
      if (!ref) return undefined;
      const snap = await engine.readSnapshot(ref.file);
      return { takenAt: ref.takenAt, preferences: snap.preferences, isTamperProtected: snap.isTamperProtected };
    };
    const reader = new EventLogReader(engine, { start: start ?? inWindow[0]?.takenAt ?? new Date(now.getTime() - 4 * 3_600_000), end: expiry && expiry < now ? expiry : undefined });
    try {
      for (let page = 0; page < 5 && reader.hasMore; page++) await reader.nextPage();
    } catch (err) {
      log.warn(`[session report] events could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    const evs = reader.list(false);
    const findings: PerformanceFinding[] = [];
    for (const r of (await listReports()).filter((x) => !start || x.recordedAt.getTime() >= start.getTime())) {
      try {
        const stored = JSON.parse(await fs.readFile(r.file, 'utf8')) as StoredReport;
        for (const f of topFindings(parsePerformanceReport(stored.json))) findings.push({ ...f, recordedAt: r.recordedAt });
      } catch (err) {
        log.warn(`[session report] ${r.file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const sameSnapshot = before && after && before.file === after.file;
    const markdown = renderSessionReport({
      device: name,
      generatedAt: now,
      start,
      expiry,
      active: ts?.active,
      prerequisites: await prerequisites(),
      audit: await engine.auditEntries(),
      before: sameSnapshot ? undefined : await read(before),
      after: sameSnapshot ? undefined : await read(after),
      events: evs.rows,
      foldedEvents: evs.folded,
      findings,
      sampleTenant: currentSampleState().active,
    });
    const dir = path.join(deps.snapshotsDir, deviceFolder(name));
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `session-report-${now.toISOString().replace(/[:.]/g, '-')}.md`);
    await fs.writeFile(file, markdown, 'utf8');
    log.info(`[session report] wrote ${file}`);
    await refreshLists();
    if (open) await openSessionReport({ file });
    return file;
  }

  async function openSessionReport(arg?: unknown): Promise<string | undefined> {
    const given = arg && typeof arg === 'object' && typeof (arg as { file?: unknown }).file === 'string' ? (arg as { file: string }).file : undefined;
    const file = given ?? sessionReports.at(-1);
    if (!file) {
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('There is no session report for this device yet.'), vscode.l10n.t('Write Session Report'));
      return choice ? writeSessionReport() : undefined;
    }
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
    return file;
  }

  context.subscriptions.push(
    { dispose: () => events.dispose() },
    registerCommand(CommandIds.eventsShow, (arg?: unknown) => showEvents(arg), log),
    registerCommand(CommandIds.performanceRecord, (arg?: unknown) => performance().record(arg), log),
    registerCommand(CommandIds.performanceOpenReport, (arg?: unknown) => performance().openReport(arg), log),
    registerCommand(CommandIds.performanceCancelRecording, () => analyzer?.cancel() ?? false, log),
    registerCommand(CommandIds.sessionReportWrite, (arg?: unknown) => writeSessionReport(arg), log),
    registerCommand(CommandIds.sessionReportOpen, (arg?: unknown) => openSessionReport(arg), log),
  );

  return { sessionNodes, performance, reportsDir };
}
