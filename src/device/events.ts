/**
 * The Defender Operational event log of This device in the toolkit grid (issue #9 item 1): one Get-WinEvent page at
 * a time (`defenderTroubleshooting.events.pageSize`), "Load older events" for the next, bookkeeping 5007s folded
 * away unless `events.showBookkeeping`. The models and the script are pure (src/defender/events.ts).
 */
import * as vscode from 'vscode';
import { NS, PanelTypes } from '../constants';
import type { ILogger } from '../core/logger';
import type { DeviceEngine } from '../defender/deviceEngine';
import {
  buildEventList,
  EVENT_COLUMNS,
  eventGridRows,
  eventsPageScript,
  nextPageToken,
  normalizeEventIds,
  parseEventRecords,
  type EventList,
  type EventRecord,
  type PageToken,
} from '../defender/events';
import { labelIfSample } from '../infra/sample';
import { GridListPanel } from '../infra/webviewPanel';
import type { GridColumn } from '../webview-ui/toolkit/model';
import type { Notice, RunInfo } from '../webview-ui/toolkit/protocol';

export interface EventRange {
  readonly start: Date;
  readonly end?: Date;
  readonly title?: string;
}

/** What the command returns (tests read it): the rows shown, how many were folded, whether older pages exist. */
export interface EventLogResult extends EventList {
  readonly hasMore: boolean;
  readonly records: number;
}

const cfg = () => vscode.workspace.getConfiguration(NS);

const COLUMNS: GridColumn[] = EVENT_COLUMNS.map((name) => ({
  name,
  type: name === 'Time' ? 'datetime' : name === 'Id' ? 'int' : 'string',
  kind: name === 'Time' ? 'datetime' : name === 'Id' ? 'number' : 'string',
}));

/** Reads pages of the log for a range; pure of VS Code except the settings. */
export class EventLogReader {
  private records: EventRecord[] = [];
  private token: PageToken | undefined;
  private done = false;

  constructor(
    private readonly engine: DeviceEngine,
    readonly range: EventRange,
    private readonly ids = normalizeEventIds(cfg().get<unknown>('events.ids')),
    private readonly pageSize = Math.max(1, cfg().get<number>('events.pageSize') ?? 500),
  ) {}

  get hasMore(): boolean {
    return !this.done;
  }

  async nextPage(): Promise<void> {
    if (this.done) return;
    const script = eventsPageScript({ ids: this.ids, start: this.range.start, end: this.range.end, pageSize: this.pageSize, after: this.token });
    const data = await this.engine.runRead<{ events?: unknown }>('events', script);
    const page = parseEventRecords(data?.events);
    this.records.push(...page);
    this.token = nextPageToken(page, this.pageSize);
    this.done = this.token === undefined;
  }

  list(includeBookkeeping = cfg().get<boolean>('events.showBookkeeping') ?? false): EventLogResult {
    return { ...buildEventList(this.records, { includeBookkeeping }), hasMore: this.hasMore, records: this.records.length };
  }
}

function label(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Opens (or reuses) the event list panel for a range. */
export class EventLogPanels {
  private panel: GridListPanel | undefined;
  private reader: EventLogReader | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: ILogger,
    private readonly engine: DeviceEngine,
  ) {}

  async show(range: EventRange): Promise<EventLogResult> {
    const reader = new EventLogReader(this.engine, range);
    this.reader = reader;
    await reader.nextPage();
    const title = labelIfSample(range.title ?? vscode.l10n.t('Defender events'));
    if (!this.panel) {
      this.panel = GridListPanel.create(PanelTypes.events, title, this.extensionUri, this.log, () => this.loadMore());
      this.panel.onDidDispose(() => (this.panel = undefined));
    } else {
      this.panel.panel.title = title;
      this.panel.panel.reveal();
    }
    return this.render(reader, title);
  }

  private async loadMore(): Promise<void> {
    const reader = this.reader;
    if (!reader || !this.panel) return;
    this.panel.status(vscode.l10n.t('Loading older events…'));
    await reader.nextPage();
    this.render(reader, this.panel.panel.title);
  }

  private render(reader: EventLogReader, title: string): EventLogResult {
    const result = reader.list();
    const notices: Notice[] = [];
    if (result.folded) {
      notices.push({
        level: 'info',
        code: 'bookkeeping',
        text: vscode.l10n.t('{0} bookkeeping 5007 event(s) from Defender itself (WdConfigHash, IsServiceRunning…) are folded away; set defenderTroubleshooting.events.showBookkeeping to see them.', result.folded),
      });
    }
    if (result.hasMore) notices.push({ level: 'info', code: 'more', text: vscode.l10n.t('Showing the newest {0} events; "Load older events" reads the next page.', result.records) });
    const run: RunInfo = {
      runId: `events-${Date.now()}`,
      documentUri: '',
      fileName: this.engine.deviceName,
      queryPreview: title,
      timespan: `${reader.range.start.toISOString()}/${reader.range.end?.toISOString() ?? ''}`,
      timespanLabel: `${label(reader.range.start)} – ${reader.range.end ? label(reader.range.end) : 'now'}`,
      startedAt: Date.now(),
      mode: 'list',
      actionLabel: result.hasMore ? 'Load older events' : undefined,
    };
    this.panel?.show({ run, columns: COLUMNS, rows: eventGridRows(result.rows), notices });
    return result;
  }

  dispose(): void {
    this.panel?.panel.dispose();
  }
}

/** The ranges the command offers when called without one. */
export async function pickRange(sessionStart: Date | undefined, sessionEnd: Date | undefined): Promise<EventRange | undefined> {
  const now = Date.now();
  const items: (vscode.QuickPickItem & { range: EventRange })[] = [];
  if (sessionStart) items.push({ label: vscode.l10n.t('This troubleshooting session'), description: vscode.l10n.t('since {0}', label(sessionStart)), range: { start: sessionStart, end: sessionEnd, title: vscode.l10n.t('Session events') } });
  const ranges = [
    [vscode.l10n.t('Last hour'), 1],
    [vscode.l10n.t('Last 4 hours'), 4],
    [vscode.l10n.t('Last 24 hours'), 24],
    [vscode.l10n.t('Last 7 days'), 168],
  ] as const;
  for (const [text, hours] of ranges) {
    items.push({ label: text, range: { start: new Date(now - hours * 3_600_000), title: vscode.l10n.t('Defender events: {0}', text) } });
  }
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Defender events: which time range?'), ignoreFocusOut: true });
  return pick?.range;
}

/** Reads `{ start, end, title }` from a command argument (dates as Date, ISO text or epoch ms). */
export function rangeFromArg(arg: unknown): EventRange | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as { start?: unknown; end?: unknown; title?: unknown };
  const date = (v: unknown) => {
    if (v instanceof Date) return v;
    if (typeof v === 'string' || typeof v === 'number') {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? undefined : d;
    }
    return undefined;
  };
  const start = date(a.start);
  if (!start) return undefined;
  return { start, end: date(a.end), title: typeof a.title === 'string' ? a.title : undefined };
}
