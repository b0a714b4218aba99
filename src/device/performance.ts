/**
 * The performance analyzer on This device (issue #9 item 2), bundled separately (dist/performance.js) and loaded on
 * its first command. Checks platform and elevation first, says that recordings can hold personal data and that
 * recording does not need troubleshooting mode (exclusions do), records with progress and cancel, offers the
 * documented fix when WPR is already recording, then reads `Get-MpPerformanceReport -Raw`, keeps the report per
 * device in global storage, and shows it with charts; "Add as Exclusion…" runs the exclusion playbook.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds, NS, PanelTypes } from '../constants';
import { DefenderToolError, UserCancelledError } from '../core/errors';
import type { ILogger } from '../core/logger';
import type { DeviceEngine, PlaybookResult } from '../defender/deviceEngine';
import {
  analyzerFactsScript,
  analyzerReadiness,
  isWprBusy,
  parsePerformanceReport,
  PII_NOTICE,
  recordingScript,
  reportFileName,
  reportScript,
  reportTables,
  TS_MODE_NOTICE,
  WPR_CANCEL_COMMAND,
  wprCancelScript,
  type ReportOptions,
  type StoredReport,
} from '../defender/performance';
import { deviceFolder, writeFileAtomic } from '../defender/snapshots';
import { labelIfSample } from '../infra/sample';
import { bundleUri, newNonce, panelOptions } from '../infra/webviewPanel';
import { renderPage } from '../webview-ui/toolkit/html';
import { THEME_CSS } from '../webview-ui/toolkit/theme';
import { isReportWebviewMessage, REPORT_CSS_EXTRA, type ReportExclusionTarget, type ReportHostMessage, type ReportTableData } from '../webview-ui/report/protocol';

export interface PerformanceDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: ILogger;
  readonly engine: DeviceEngine;
  readonly reportsDir: string;
  readonly onDidChange: () => void;
}

export interface RecordArgs {
  readonly seconds?: number;
  /** Skip the personal-data notice (already acknowledged, e.g. by a test). */
  readonly acknowledged?: boolean;
  /** Take the documented fix (`wpr -cancel`) without asking when WPR is already recording. */
  readonly cancelBusyWpr?: boolean;
}

export interface RecordResult {
  readonly reportFile: string;
  readonly etl: string;
  readonly tables: number;
}

export interface PerformanceAnalyzer {
  record(arg?: unknown): Promise<RecordResult | undefined>;
  openReport(arg?: unknown): Promise<ReportPanel | undefined>;
  cancel(): boolean;
  /** The panel shown last (tests read it). */
  readonly panel: ReportPanel | undefined;
  dispose(): void;
}

export class AnalyzerNotReadyError extends DefenderToolError {
  constructor(message: string) {
    super('perfNotReady', message);
  }
}

const cfg = () => vscode.workspace.getConfiguration(NS);
const DURATIONS = [30, 60, 120, 300, 600];

export function createPerformanceAnalyzer(deps: PerformanceDeps): PerformanceAnalyzer {
  let controller: AbortController | undefined;
  let panel: ReportPanel | undefined;
  const dir = () => path.join(deps.reportsDir, deviceFolder(deps.engine.deviceName));
  const options = (): ReportOptions => ({
    topCount: cfg().get<number>('performance.topCount') ?? 10,
    nestedCount: cfg().get<number>('performance.nestedCount') ?? 5,
  });

  async function checkReady(): Promise<void> {
    const facts = await deps.engine.runRead<{ platform?: string; elevated?: boolean; hasReport?: boolean }>('performance analyzer facts', analyzerFactsScript());
    const ready = analyzerReadiness(facts?.platform || undefined, facts?.elevated === true);
    if (!ready.ok) throw new AnalyzerNotReadyError(ready.message);
    if (facts?.hasReport === false) throw new AnalyzerNotReadyError(vscode.l10n.t('Get-MpPerformanceReport is not available on this device (the DefenderPerformance module ships with platform 4.18.2108.7 and later).'));
  }

  async function pickSeconds(args: RecordArgs): Promise<number> {
    if (args.seconds !== undefined) return args.seconds;
    const pick = await vscode.window.showQuickPick(
      DURATIONS.map((s) => ({ label: s < 60 ? vscode.l10n.t('{0} seconds', s) : vscode.l10n.t('{0} minute{1}', s / 60, s === 60 ? '' : 's'), seconds: s, description: s === 60 ? vscode.l10n.t('reproduce the slow scenario meanwhile') : undefined })),
      { title: vscode.l10n.t('Record Defender performance: how long?'), ignoreFocusOut: true, placeHolder: vscode.l10n.t('Reproduce the slow scenario while the recording runs') },
    );
    if (!pick) throw new UserCancelledError();
    return pick.seconds;
  }

  async function runRecording(etl: string, seconds: number): Promise<void> {
    controller = new AbortController();
    const signal = controller.signal;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Recording Defender performance ({0} s)', seconds), cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller?.abort());
          const started = Date.now();
          let shown = 0;
          const tick = setInterval(() => {
            const done = Math.min(100, ((Date.now() - started) / 1000 / seconds) * 100);
            progress.report({ increment: done - shown, message: vscode.l10n.t('{0} s left', Math.max(0, Math.ceil(seconds - (Date.now() - started) / 1000))) });
            shown = done;
          }, 1000);
          try {
            await deps.engine.runRead('performance recording', recordingScript(etl, seconds), { signal, timeoutMs: (seconds + 180) * 1000 });
          } finally {
            clearInterval(tick);
          }
        },
      );
    } finally {
      controller = undefined;
    }
  }

  async function record(arg?: unknown): Promise<RecordResult | undefined> {
    const args: RecordArgs = arg && typeof arg === 'object' ? (arg as RecordArgs) : {};
    if (controller) throw new AnalyzerNotReadyError(vscode.l10n.t('A performance recording is already running. Cancel it first.'));
    await checkReady();
    const seconds = await pickSeconds(args);
    if (!args.acknowledged) {
      const go = await vscode.window.showWarningMessage(
        vscode.l10n.t('Record Defender performance for {0} seconds?', seconds),
        { modal: true, detail: `${PII_NOTICE}\n\n${TS_MODE_NOTICE}` },
        vscode.l10n.t('Record'),
      );
      if (go !== vscode.l10n.t('Record')) throw new UserCancelledError();
    }
    const recordedAt = new Date();
    const base = reportFileName(recordedAt);
    await fs.mkdir(dir(), { recursive: true });
    const etl = path.join(dir(), `${base}.etl`);
    try {
      await runRecording(etl, seconds);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!isWprBusy(message)) throw err;
      const fix = args.cancelBusyWpr || await vscode.window.showWarningMessage(
        vscode.l10n.t('Windows Performance Recorder is already recording, so a new recording cannot start.'),
        { modal: true, detail: vscode.l10n.t('The documented fix cancels the running WPR session:\n\n{0}\n\nThen record again.', WPR_CANCEL_COMMAND) },
        vscode.l10n.t('Cancel WPR Recording and Retry'),
      );
      if (!fix) throw new UserCancelledError();
      await deps.engine.runRead('wpr cancel', wprCancelScript());
      await runRecording(etl, seconds);
    }
    const data = await deps.engine.runRead<{ json?: string; hasPaths?: boolean }>('performance report', reportScript(etl, options()), { timeoutMs: 10 * 60_000 });
    const json = typeof data?.json === 'string' ? data.json : JSON.stringify(data?.json ?? {});
    const report = parsePerformanceReport(json);
    const stored: StoredReport = { device: deps.engine.deviceName, recordedAt: recordedAt.toISOString(), seconds, etl, options: options(), hasPaths: report.hasPaths, json };
    const reportFile = path.join(dir(), `${base}.json`);
    await writeFileAtomic(reportFile, `${JSON.stringify(stored, null, 2)}\n`);
    deps.log.info(`[performance] report saved: ${reportFile}`);
    deps.onDidChange();
    const shown = await openReport({ file: reportFile });
    return { reportFile, etl, tables: shown?.tables ?? 0 };
  }

  async function openReport(arg?: unknown): Promise<ReportPanel | undefined> {
    let file = arg && typeof arg === 'object' && typeof (arg as { file?: unknown }).file === 'string' ? (arg as { file: string }).file : undefined;
    if (!file) {
      const names = (await fs.readdir(dir()).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort().reverse();
      if (!names.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There is no performance report for this device yet. Record one first.'));
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(names.map((n) => ({ label: n.replace(/\.json$/, ''), file: path.join(dir(), n) })), { title: vscode.l10n.t('Open a performance report') });
      if (!pick) return undefined;
      file = pick.file;
    }
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as StoredReport;
    const tables = reportTables(parsePerformanceReport(stored.json));
    panel?.dispose();
    panel = new ReportPanel(deps, stored, tables);
    return panel;
  }

  return {
    record,
    openReport,
    cancel: () => {
      if (!controller) return false;
      controller.abort();
      return true;
    },
    get panel() {
      return panel;
    },
    dispose: () => {
      controller?.abort();
      panel?.dispose();
    },
  };
}

/** The report webview: toolkit page and CSP, Chart.js bundle, "Add as Exclusion…" through the exclusion playbook. */
export class ReportPanel {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private readonly subs: vscode.Disposable[] = [];
  /** Set when the webview has drawn: how many charts and tables (tests read it). */
  rendered: { charts: number; tables: number } | undefined;
  /** The last exclusion's result (tests read it). */
  lastExclusion: { target: ReportExclusionTarget; outcome: string; ok: boolean } | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<{ charts: number; tables: number }>();
  readonly onDidRender = this.renderedEmitter.event;

  constructor(
    deps: PerformanceDeps,
    private readonly stored: StoredReport,
    private readonly data: ReturnType<typeof reportTables>,
  ) {
    this.panel = vscode.window.createWebviewPanel(PanelTypes.performanceReport, labelIfSample(vscode.l10n.t('Performance: {0}', stored.device)), vscode.ViewColumn.Active, panelOptions(deps.extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'defender.svg');
    this.panel.webview.html = renderPage({
      cspSource: this.panel.webview.cspSource,
      scriptUri: bundleUri(this.panel.webview, deps.extensionUri, 'report.js'),
      nonce: newNonce(),
      l10nBundle: vscode.l10n.bundle,
      title: labelIfSample(vscode.l10n.t('Defender performance report: {0}', stored.device)),
      css: THEME_CSS + REPORT_CSS_EXTRA,
      body: '<div id="app" role="main"></div>',
    });
    this.subs.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      this.panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      this.panel.onDidDispose(() => this.dispose()),
      this.renderedEmitter,
    );
  }

  get tables(): number {
    return this.data.length;
  }

  private post(m: ReportHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isReportWebviewMessage(raw)) return;
    if (raw.type === 'ready') {
      this.ready = true;
      const tables: ReportTableData[] = this.data;
      this.post({
        type: 'report',
        info: {
          device: this.stored.device,
          recordedAt: this.stored.recordedAt,
          seconds: this.stored.seconds,
          hasPaths: this.stored.hasPaths,
          notices: [
            'The performance analyzer shows what Defender spent time scanning; it does not recommend exclusions. Each exclusion lowers protection: add the narrowest one, and only during troubleshooting mode.',
            PII_NOTICE,
          ],
        },
        tables,
      });
    } else if (raw.type === 'rendered') {
      this.rendered = { charts: raw.charts, tables: raw.tables };
      this.renderedEmitter.fire(this.rendered);
    } else if (raw.type === 'addExclusion') {
      await this.addExclusion(raw.target);
    }
  }

  /** Hands the value to the exclusion playbook (its confirmation, verification and audit). */
  async addExclusion(target: ReportExclusionTarget): Promise<PlaybookResult | undefined> {
    const exclusions = { [target.list]: [target.value] };
    try {
      const result = await vscode.commands.executeCommand<PlaybookResult | undefined>(CommandIds.playbookHighCpu, { exclusions });
      const step = result?.steps?.at(-1);
      const outcome = step ? step.outcome : 'not run';
      const ok = step?.outcome === 'applied' || step?.outcome === 'alreadySet';
      this.lastExclusion = { target, outcome: ok ? `verified (${outcome})` : outcome, ok };
    } catch (err) {
      this.lastExclusion = { target, outcome: err instanceof Error ? err.message : String(err), ok: false };
    }
    this.post({ type: 'exclusionResult', ...this.lastExclusion });
    return undefined;
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.panel.dispose();
  }
}
