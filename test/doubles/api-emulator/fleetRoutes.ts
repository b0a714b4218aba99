/**
 * The emulator's machine actions, investigation packages and custom detection rules (issue 8 items 6-8):
 *
 *   POST /api/machines/{id}/collectInvestigationPackage   body {"Comment"} (case-sensitive, required) → 201
 *                                                         MachineAction; 400 while a collection of that device
 *                                                         is not final (defender.md §1.3)
 *   GET  /api/machineactions[?$filter=machineId eq '…' and type eq '…'&$top=N]
 *   GET  /api/machineactions/{id}                         status from the emulator's clock: Pending for
 *                                                         pendingMs, InProgress for runMs, then the outcome
 *   GET  /api/machineactions/{id}/GetPackageUri           {"value": "<url>"}; 404 until Succeeded; its own
 *                                                         budget of 2 a minute and 120 an hour (429 + Retry-After)
 *   GET  /__packages/{id}.zip?sig=…                       the package, a real ZIP (no bearer: a SAS-style URL)
 *   POST /v1.0/security/rules/detectionRules (and /beta)  validated like Graph's (see validateRule) → 201
 *   GET  /v1.0/security/rules/detectionRules
 *
 * Admin: POST /__admin/actions {"pendingMs", "runMs", "outcome": "Succeeded"|"Failed"|"TimeOut"}.
 * The package's entry names are the emulator's own (Microsoft documents what the package holds, not the file
 * names of the troubleshooting-mode snapshots and logs in it); the product finds them by looking at the names.
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { Dataset } from './dataset';

export type FleetRouteKind = 'collect' | 'actions' | 'action' | 'packageUri' | 'download' | 'rules';

export interface ActionTimeline {
  pendingMs: number;
  runMs: number;
  outcome: 'Succeeded' | 'Failed' | 'TimeOut';
}

interface StoredAction {
  id: string;
  machineId: string;
  computerDnsName: string;
  comment: string;
  createdAt: number;
  timeline: ActionTimeline;
  sig: string;
}

type Reply = (status: number, payload: unknown, headers?: Record<string, string>) => void;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export class FleetRoutes {
  timeline: ActionTimeline = { pendingMs: MINUTE, runMs: 2 * MINUTE, outcome: 'Succeeded' };
  readonly actions: StoredAction[] = [];
  readonly rules: Record<string, unknown>[] = [];
  private packageCalls: number[] = [];

  constructor(
    private readonly dataset: Dataset,
    private readonly now: () => number,
    private readonly baseUrl: () => string,
  ) {}

  static kind(method: string, path: string): FleetRouteKind | undefined {
    if (/^\/api(\/v1\.0)?\/machines\/[^/]+\/collectInvestigationPackage$/i.test(path)) return 'collect';
    if (/^\/api(\/v1\.0)?\/machineactions$/i.test(path)) return 'actions';
    if (/^\/api(\/v1\.0)?\/machineactions\/[^/]+\/getPackageUri$/i.test(path)) return 'packageUri';
    if (/^\/api(\/v1\.0)?\/machineactions\/[^/]+$/i.test(path)) return 'action';
    if (/^\/__packages\/[^/]+\.zip$/i.test(path) && method === 'GET') return 'download';
    if (/^\/(v1\.0|beta)\/security\/rules\/detectionRules$/i.test(path)) return 'rules';
    return undefined;
  }

  reset(): void {
    this.actions.length = 0;
    this.rules.length = 0;
    this.packageCalls = [];
    this.timeline = { pendingMs: MINUTE, runMs: 2 * MINUTE, outcome: 'Succeeded' };
  }

  setTimeline(b: Record<string, unknown>): string | undefined {
    const t = { ...this.timeline };
    if (b.pendingMs !== undefined) t.pendingMs = Number(b.pendingMs);
    if (b.runMs !== undefined) t.runMs = Number(b.runMs);
    if (b.outcome !== undefined) t.outcome = b.outcome as ActionTimeline['outcome'];
    if (!(t.pendingMs >= 0) || !(t.runMs >= 0) || !['Succeeded', 'Failed', 'TimeOut'].includes(t.outcome)) {
      return 'Body: {"pendingMs": ≥0, "runMs": ≥0, "outcome": "Succeeded"|"Failed"|"TimeOut"}';
    }
    this.timeline = t;
    return undefined;
  }

  private status(a: StoredAction): string {
    const age = this.now() - a.createdAt;
    if (age < a.timeline.pendingMs) return 'Pending';
    if (age < a.timeline.pendingMs + a.timeline.runMs) return 'InProgress';
    return a.timeline.outcome;
  }

  private entity(a: StoredAction): Record<string, unknown> {
    const status = this.status(a);
    const changed =
      status === 'Pending' ? a.createdAt : status === 'InProgress' ? a.createdAt + a.timeline.pendingMs : a.createdAt + a.timeline.pendingMs + a.timeline.runMs;
    return {
      id: a.id,
      type: 'CollectInvestigationPackage',
      scope: null,
      requestor: 'tester@contoso.test',
      requestorComment: a.comment,
      status,
      machineId: a.machineId,
      computerDnsName: a.computerDnsName,
      creationDateTimeUtc: new Date(a.createdAt).toISOString(),
      lastUpdateDateTimeUtc: new Date(changed).toISOString(),
      relatedFileInfo: null,
    };
  }

  /** The package bytes for a `/__packages/{id}.zip?sig=…` URL, or undefined when the signature does not match. */
  download(url: URL): Buffer | undefined {
    const id = /\/__packages\/([^/]+)\.zip$/i.exec(url.pathname)?.[1];
    const a = this.actions.find((x) => x.id === id);
    if (!a || url.searchParams.get('sig') !== a.sig) return undefined;
    return packageZip(a, this.now());
  }

  handle(kind: FleetRouteKind, method: string, url: URL, body: string, reply: Reply, mdeError: (code: string, msg: string) => unknown, graphError: (code: string, msg: string) => unknown): void {
    const path = url.pathname;
    switch (kind) {
      case 'collect': {
        if (method !== 'POST') return reply(405, mdeError('BadRequest', 'collectInvestigationPackage is a POST.'));
        const id = decodeURIComponent(/\/machines\/([^/]+)\//i.exec(path)![1]!);
        const dev = this.dataset.byId(id);
        if (!dev) return reply(404, mdeError('ResourceNotFound', `Machine ${id} was not found.`));
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(body || '{}') as Record<string, unknown>;
        } catch {
          return reply(400, mdeError('InvalidRequestBody', 'The request body is not valid JSON.'));
        }
        // Body parameter names are case-sensitive (defender.md §1.4).
        if (typeof parsed.Comment !== 'string' || !parsed.Comment.trim()) {
          return reply(400, mdeError('MissingRequiredParameter', "The parameter 'Comment' is required."));
        }
        const running = this.actions.find((a) => a.machineId === dev.id && !['Succeeded', 'Failed', 'TimeOut', 'Cancelled'].includes(this.status(a)));
        if (running) {
          // The docs say only "400 if a collection is already running"; this message is the emulator's.
          return reply(400, mdeError('ActiveRequestAlreadyExists', `Action is already in progress (${running.id}).`));
        }
        const a: StoredAction = {
          id: randomUUID(),
          machineId: dev.id,
          computerDnsName: dev.name,
          comment: parsed.Comment,
          createdAt: this.now(),
          timeline: { ...this.timeline },
          sig: randomUUID().replace(/-/g, ''),
        };
        this.actions.push(a);
        return reply(201, { '@odata.context': `${this.baseUrl()}/api/$metadata#MachineActions/$entity`, ...this.entity(a) });
      }
      case 'actions': {
        if (method !== 'GET') return reply(405, mdeError('BadRequest', 'Only GET is supported here.'));
        let list = this.actions.map((a) => this.entity(a));
        const filter = url.searchParams.get('$filter');
        if (filter) {
          const clauses = filter.split(/\s+and\s+/i).map((c) => /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(c));
          if (clauses.some((c) => !c || !['id', 'status', 'machineId', 'type', 'requestor'].includes(c[1]!))) {
            return reply(400, mdeError('ODataError', `The emulator cannot read the $filter "${filter}".`));
          }
          list = list.filter((x) => clauses.every((c) => String(x[c![1]!]).toLowerCase() === c![2]!.replace(/''/g, "'").toLowerCase()));
        }
        const top = Number(url.searchParams.get('$top') ?? 10_000);
        if (!Number.isInteger(top) || top < 1 || top > 10_000) return reply(400, mdeError('InvalidInput', '$top must be an integer between 1 and 10000.'));
        return reply(200, { '@odata.context': `${this.baseUrl()}/api/$metadata#MachineActions`, value: list.slice(0, top) });
      }
      case 'action': {
        const id = decodeURIComponent(path.split('/').pop()!);
        const a = this.actions.find((x) => x.id === id);
        if (!a) return reply(404, mdeError('ResourceNotFound', `Machine action ${id} was not found.`));
        return reply(200, { '@odata.context': `${this.baseUrl()}/api/$metadata#MachineActions/$entity`, ...this.entity(a) });
      }
      case 'packageUri': {
        const now = this.now();
        this.packageCalls = this.packageCalls.filter((t) => t > now - HOUR);
        const lastMinute = this.packageCalls.filter((t) => t > now - MINUTE);
        if (lastMinute.length >= 2 || this.packageCalls.length >= 120) {
          const oldest = lastMinute.length >= 2 ? lastMinute[lastMinute.length - 2]! + MINUTE : this.packageCalls[0]! + HOUR;
          const wait = Math.max(1, Math.ceil((oldest - now) / 1000));
          return reply(429, mdeError('TooManyRequests', `Rate limit is exceeded. Try again in ${wait} seconds.`), { 'Retry-After': String(wait) });
        }
        this.packageCalls.push(now);
        const id = decodeURIComponent(path.split('/').slice(-2)[0]!);
        const a = this.actions.find((x) => x.id === id);
        if (!a || this.status(a) !== 'Succeeded') return reply(404, mdeError('ResourceNotFound', 'The package is not available (the action is not complete).'));
        return reply(200, { value: `${this.baseUrl()}/__packages/${a.id}.zip?sig=${a.sig}&se=${new Date(now + 10 * MINUTE).toISOString()}` });
      }
      case 'download':
        return reply(405, { error: 'Downloads are served by download().' });
      case 'rules': {
        if (method === 'GET') return reply(200, { value: this.rules });
        if (method !== 'POST') return reply(405, graphError('BadRequest', 'Only GET and POST are supported here.'));
        let parsed: unknown;
        try {
          parsed = JSON.parse(body || '');
        } catch {
          return reply(400, graphError('BadRequest', 'The request body is not valid JSON.'));
        }
        const problem = validateRule(parsed);
        if (problem) return reply(400, graphError('BadRequest', problem));
        const rule = parsed as Record<string, unknown>;
        const created = {
          '@odata.type': '#microsoft.graph.security.detectionRule',
          id: String(1000 + this.rules.length + 1),
          ...rule,
          createdBy: 'tester@contoso.test',
          createdDateTime: new Date(this.now()).toISOString(),
          lastModifiedBy: 'tester@contoso.test',
          lastModifiedDateTime: new Date(this.now()).toISOString(),
          detectorId: randomUUID(),
          lastRunDetails: { lastRunDateTime: null, status: null, failureReason: null, errorCode: null },
        };
        this.rules.push(created);
        return reply(201, created);
      }
    }
  }
}

/** Allowed values as Graph documents them (security-ruleschedule.md, alert severity). */
const FREQUENCIES = ['PT0S', 'PT1H', 'PT3H', 'PT12H', 'P1D', 'PT24H'];
const PERIODS = ['0', '1H', '3H', '12H', '24H'];
const SEVERITIES = ['informational', 'low', 'medium', 'high'];

/** What Graph would refuse, as the emulator checks it; undefined when the rule is acceptable. */
export function validateRule(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'The request body must be a detectionRule object.';
  const r = body as Record<string, any>;
  if (typeof r.displayName !== 'string' || !r.displayName.trim()) return "The property 'displayName' is required.";
  if (r.isEnabled !== undefined && typeof r.isEnabled !== 'boolean') return "The property 'isEnabled' must be a boolean.";
  if (typeof r.queryCondition?.queryText !== 'string' || !r.queryCondition.queryText.trim()) return "The property 'queryCondition.queryText' is required.";
  const s = r.schedule;
  if (!s || typeof s !== 'object') return "The property 'schedule' is required.";
  if (s.frequency === undefined && s.period === undefined) return "The property 'schedule.frequency' is required.";
  if (s.frequency !== undefined && !FREQUENCIES.includes(String(s.frequency))) return `Invalid schedule.frequency '${s.frequency}'.`;
  if (s.period !== undefined && !PERIODS.includes(String(s.period))) return `Invalid schedule.period '${s.period}'; allowed: 0, 1H, 3H, 12H, 24H.`;
  const t = r.detectionAction?.alertTemplate;
  if (!t || typeof t !== 'object') return "The property 'detectionAction.alertTemplate' is required.";
  if (typeof t.title !== 'string' || !t.title.trim()) return "The property 'alertTemplate.title' is required.";
  if (!SEVERITIES.includes(String(t.severity))) return `Invalid alertTemplate.severity '${t.severity}'.`;
  if (typeof t.category !== 'string' || !t.category.trim()) return "The property 'alertTemplate.category' is required.";
  if (!Array.isArray(t.impactedAssets) || t.impactedAssets.length === 0) return "At least one 'alertTemplate.impactedAssets' entry is required.";
  // A custom detection's query must return the columns its alerts and impacted assets are built from.
  const q = String(r.queryCondition.queryText);
  for (const col of ['Timestamp', 'ReportId']) if (!new RegExp(`\\b${col}\\b`).test(q)) return `The query must return the column '${col}'.`;
  for (const a of t.impactedAssets) {
    if (typeof a?.identifier !== 'string' || !new RegExp(`\\b${a.identifier}\\b`, 'i').test(q)) return `The impacted asset identifier '${a?.identifier}' is not a column of the query.`;
  }
  return undefined;
}

// ---------------------------------------------------------------- a real ZIP (stored + deflated entries)

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
function crc(data: Buffer): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Writes a ZIP (APPNOTE 4.3): a local header + data per entry, the central directory, the end record. */
export function writeZip(files: { name: string; data: Buffer; store?: boolean }[], at = new Date()): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const dosTime = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const dosDate = ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = f.store ? f.data : deflateRawSync(f.data);
    const method = f.store ? 0 : 8;
    const sum = crc(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(sum, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, packed);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(dosTime, 12);
    c.writeUInt16LE(dosDate, 14);
    c.writeUInt32LE(sum, 16);
    c.writeUInt32LE(packed.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

function packageZip(a: StoredAction, now: number): Buffer {
  const started = new Date(a.createdAt - 4 * HOUR).toISOString();
  const pref = (label: string, rtp: boolean) =>
    Buffer.from(`MpPreference snapshot (${label}) of ${a.computerDnsName}\r\nDisableRealtimeMonitoring : ${rtp ? 'True' : 'False'}\r\nExclusionPath : {C:\\DB\\DataFiles}\r\nTaken : ${started}\r\n`, 'utf8');
  const filler = Buffer.alloc(64 * 1024);
  for (let i = 0; i < filler.length; i++) filler[i] = (i * 31 + 7) & 0xff;
  return writeZip(
    [
      { name: 'CollectionSummaryReport.xls', data: Buffer.from(`Collection summary for ${a.computerDnsName}\t${a.comment}\n`) },
      { name: 'Autoruns/Autoruns.csv', data: Buffer.from('Entry,Location\r\nSecurityHealth,HKLM\\...\\Run\r\n') },
      { name: 'Installed programs/InstalledPrograms.csv', data: Buffer.from('Name,Version\r\nContoso Agent,1.2.3\r\n') },
      { name: 'Network connections/ActiveNetConnections.txt', data: Buffer.from('TCP 10.0.0.5:443 ESTABLISHED\r\n') },
      { name: 'Processes/Processes.csv', data: Buffer.from('Name,PID\r\nMsMpEng.exe,4242\r\n') },
      { name: 'WD Support Logs/MpSupportFiles.cab', data: filler, store: true },
      { name: 'Troubleshooting mode/MpPreference-before.txt', data: pref('before troubleshooting mode', false) },
      { name: 'Troubleshooting mode/MpPreference-at-expiry.txt', data: pref('just before expiry', true) },
      { name: 'Troubleshooting mode/Microsoft-Windows-Windows Defender-Operational.evtx', data: filler.subarray(0, 4096), store: true },
    ],
    new Date(now),
  );
}
