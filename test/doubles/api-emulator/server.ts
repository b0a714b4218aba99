/**
 * A local stand-in for Microsoft Graph advanced hunting and the MDE machines API, on 127.0.0.1 only.
 *
 *   POST /v1.0/security/runHuntingQuery   (also /beta/…)  Graph huntingQueryResults, tiny KQL subset (kql.ts)
 *   GET  /api/machines, /api/v1.0/machines                 $top (≤ 10,000), $skip, $filter (eq/ne/and),
 *                                                         @odata.nextLink paging
 *   GET  /api/machines/{id}, /api/v1.0/machines/{id}
 *
 * Behaviour follows shared/reference/defender.md: per-minute and per-hour call budgets (hunting 45/min and
 * 1,500/h; machines 100/min and 1,500/h) answered with 429 + Retry-After, the 100,000-row cap, the 124 MB
 * result-size error, Graph's and MDE's error shapes, and a Bearer token on every call (its value is never
 * logged or stored). Faults are injected through the admin endpoints:
 *
 *   POST   /__admin/faults    {"faults":[{"kind":"500"|"503"|"429"|"401"|"quota"|"timeout"|"reset",
 *                                         "count":1, "path":"/v1.0/security", "retryAfter":2, "delayMs":…}]}
 *   DELETE /__admin/faults
 *   POST   /__admin/config    {"huntingPerMinute":…, "machinesPerMinute":…, "maxRows":…, "maxResultBytes":…,
 *                              "nextLink":true|false, "schemaKeyCase":"lower"|"upper", "windowMs":…}
 *   POST   /__admin/reset     budgets, faults and the request log
 *   GET    /__admin/requests  what was asked (method, path, query, status, whether a Bearer token came)
 *   GET    /__admin/health
 *   POST   /__admin/clock     {"set":"<ISO>"} | {"advanceMs":N} | {"advanceMinutes":N} | {"reset":true}; GET reads it
 *   POST   /__admin/troubleshooting  script a device's session (troubleshooting.ts); DELETE forgets them
 *   GET    /__sample/requests         the scripted sessions marked "requestedHere", for the sample tenant's VS Code,
 *                                     with this emulator run's id (a new run means new sample requests)
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dataset, type DatasetOptions, type FakeDevice } from './dataset';
import { ControllableClock } from './clock';
import { FleetRoutes } from './fleetRoutes';
import { graphTypeName, KqlError, runQuery, toJsonValue, type Table, type Value } from './kql';
import { TABLE_COLUMNS } from './schema';
import { parseScript, scriptedRows, type TroubleshootingScript } from './troubleshooting';

export interface EmulatorClock {
  now(): number;
}

export interface EmulatorConfig {
  huntingPerMinute: number;
  huntingPerHour: number;
  machinesPerMinute: number;
  machinesPerHour: number;
  /** Length of the "per minute" window; tests may shorten it. */
  windowMs: number;
  maxRows: number;
  maxResultBytes: number;
  /** Whether machine pages carry @odata.nextLink (false exercises the client's $skip fallback). */
  nextLink: boolean;
  /** Pause between 16 KB chunks of a package download (progress and cancel are observable). */
  downloadChunkDelayMs: number;
  /** Column descriptor keys: Microsoft's samples show both `name/type` and `Name/Type`. */
  schemaKeyCase: 'lower' | 'upper';
  /** If set, only this bearer token is accepted. */
  requiredToken?: string;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
  huntingPerMinute: 45,
  huntingPerHour: 1500,
  machinesPerMinute: 100,
  machinesPerHour: 1500,
  windowMs: 60_000,
  maxRows: 100_000,
  maxResultBytes: 124 * 1024 * 1024,
  nextLink: true,
  downloadChunkDelayMs: 5,
  schemaKeyCase: 'lower',
};

export type FaultKind = '500' | '503' | '429' | '401' | 'quota' | 'timeout' | 'reset';

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it applies to. */
  count?: number;
  /** Applies to requests whose path starts with this. */
  path?: string;
  /** Seconds, for 429/503/quota. */
  retryAfter?: number;
  /** For 'timeout': answer 504 after this long (default: never answer). */
  delayMs?: number;
}

export interface RequestRecord {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly bearer: boolean;
  status: number;
  /** The KQL of a hunting request (not secret; useful to assert what ran). */
  readonly kql?: string;
  readonly timespan?: string;
}

export interface EmulatorOptions extends Partial<EmulatorConfig> {
  readonly port?: number;
  readonly host?: string;
  readonly clock?: EmulatorClock;
  readonly dataset?: DatasetOptions;
  /** One line per request (never a token). */
  readonly log?: (line: string) => void;
}

export interface RunningEmulator {
  readonly url: string;
  readonly port: number;
  readonly dataset: Dataset;
  readonly config: EmulatorConfig;
  readonly requests: RequestRecord[];
  /** The controllable clock (POST /__admin/clock). */
  readonly clock: ControllableClock;
  /** Scripted troubleshooting sessions (POST /__admin/troubleshooting). */
  readonly scripts: TroubleshootingScript[];
  /** Machine actions, packages and detection rules (fleetRoutes.ts). */
  readonly fleet: FleetRoutes;
  addFaults(faults: Fault[]): void;
  reset(): void;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

export async function startApiEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = new ControllableClock(options.clock ?? { now: () => Date.now() });
  const scripts: TroubleshootingScript[] = [];
  /** This emulator run: the sample tenant's VS Code records the run's requests once (GET /__sample/requests). */
  const runId = randomUUID();
  const config: EmulatorConfig = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(DEFAULT_CONFIG).concat('requiredToken') as (keyof EmulatorConfig)[]) {
    if (options[key] !== undefined) (config as unknown as Record<string, unknown>)[key] = options[key];
  }
  const dataset = new Dataset({ anchor: clock.now(), ...options.dataset });
  const fleet = new FleetRoutes(dataset, () => clock.now(), () => baseUrl());
  const requests: RequestRecord[] = [];
  let faults: Fault[] = [];
  const calls: Record<'hunting' | 'machines', number[]> = { hunting: [], machines: [] };
  const held = new Set<http.ServerResponse>();
  const log = options.log ?? (() => undefined);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      log(`emulator error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, 500, graphError('InternalServerError', 'Emulator failure.'));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = method === 'POST' || method === 'PUT' ? await readBody(req) : '';

    if (path.startsWith('/__admin/')) return admin(method, path, body, res);
    if (path === '/__sample/requests' && method === 'GET') {
      const requests = scripts
        .filter((s) => s.requestedHere)
        .map((s) => ({ deviceId: s.deviceId, deviceName: s.deviceName, requestedAt: new Date(s.requestedAt).toISOString() }));
      return send(res, 200, { runId, requests });
    }
    const fleetKind = FleetRoutes.kind(method, path);
    if (fleetKind === 'download') {
      // A SAS-style URL: no bearer token, the signature in the query is the credential.
      const fault = takeFault(path);
      const zip = fault ? undefined : fleet.download(url);
      requests.push({ at: clock.now(), method, path, query: '?sig=<redacted>', bearer: false, status: fault ? 503 : zip ? 200 : 403 });
      if (fault) return send(res, 503, { error: 'ServerBusy' });
      if (!zip) return send(res, 403, { error: 'AuthenticationFailed: signature mismatch.' });
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(zip.length) });
      // Sent in chunks with small pauses, so a download shows progress and can be cancelled in tests.
      let at = 0;
      const pump = () => {
        if (res.destroyed) return;
        const chunk = zip.subarray(at, at + 16 * 1024);
        at += chunk.length;
        if (at >= zip.length) return void res.end(chunk);
        res.write(chunk);
        setTimeout(pump, config.downloadChunkDelayMs);
      };
      return pump();
    }

    const auth = req.headers.authorization ?? '';
    const bearerMatch = /^Bearer\s+(\S+)$/i.exec(auth);
    let kql: string | undefined;
    let timespan: string | undefined;
    const isHunting = /^\/(v1\.0|beta)\/security\/runHuntingQuery$/i.test(path);
    if (isHunting) {
      try {
        const parsed = JSON.parse(body || '{}') as Record<string, unknown>;
        kql = strField(parsed, 'query');
        timespan = strField(parsed, 'timespan');
      } catch {
        // reported below
      }
    }
    const record: RequestRecord = {
      at: clock.now(),
      method,
      path,
      query: url.search,
      bearer: !!bearerMatch,
      status: 0,
      kql,
      timespan,
    };
    requests.push(record);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      log(`${method} ${path}${url.search} → ${status}`);
      // Date: the emulator's clock (clock.ts), as a service's own clock would be.
      send(res, status, payload, { Date: new Date(clock.now()).toUTCString(), ...headers, ...(isHunting || status >= 400 ? { 'request-id': randomUUID() } : {}) }, isHunting);
    };
    const isMachines = /^\/api(\/v1\.0)?\/machines(\/[^/]+)?$/i.test(path);
    if (!isHunting && !isMachines && !fleetKind) {
      return reply(404, mdeError('ResourceNotFound', `No route for ${method} ${path} in the API emulator.`));
    }
    const errorShape = isHunting || fleetKind === 'rules' ? graphError : mdeError;

    // 1. A bearer token must be present (its value is never logged).
    if (!bearerMatch || (config.requiredToken !== undefined && bearerMatch[1] !== config.requiredToken)) {
      return reply(
        401,
        isHunting
          ? graphError('InvalidAuthenticationToken', bearerMatch ? 'Access token validation failure.' : 'Access token is empty.')
          : mdeError('Unauthorized', 'Authorization has been denied for this request.'),
        { 'WWW-Authenticate': 'Bearer realm=""' },
      );
    }

    // 2. Injected faults.
    const fault = takeFault(path);
    if (fault) {
      switch (fault.kind) {
        case 'reset':
          record.status = -1;
          req.socket.destroy();
          return;
        case 'timeout':
          record.status = -1;
          held.add(res);
          res.on('close', () => held.delete(res));
          if (fault.delayMs !== undefined) {
            setTimeout(() => {
              held.delete(res);
              if (!res.destroyed) reply(504, errorShape('GatewayTimeout', 'The gateway timed out.'));
            }, fault.delayMs);
          }
          return;
        case '401':
          return reply(401, errorShape(isHunting ? 'InvalidAuthenticationToken' : 'Unauthorized', 'Lifetime validation failed, the token is expired.'));
        case '429':
          return reply(429, errorShape('TooManyRequests', `Rate limit is exceeded. Try again in ${fault.retryAfter ?? 1} seconds.`), {
            'Retry-After': String(fault.retryAfter ?? 1),
          });
        case 'quota': {
          const secs = fault.retryAfter ?? 720;
          return reply(
            429,
            errorShape('TooManyRequests', `You have exceeded processing resources allocated to this tenant. You can run queries again in ${clockText(secs)}.`),
            fault.retryAfter !== undefined ? { 'Retry-After': String(secs) } : {},
          );
        }
        case '503':
          return reply(503, errorShape('ServiceUnavailable', 'The service is temporarily unavailable.'), fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {});
        default:
          return reply(500, errorShape('InternalServerError', 'An unexpected error occurred.'));
      }
    }

    // 3. Call budgets (machine actions share the machines budget; GetPackageUri has its own, in fleetRoutes.ts).
    const family = isHunting ? 'hunting' : 'machines';
    const wait = fleetKind === 'rules' || fleetKind === 'packageUri' ? undefined : throttle(family);
    if (wait !== undefined) {
      return reply(429, errorShape('TooManyRequests', `Rate limit is exceeded. Try again in ${wait} seconds.`), {
        'Retry-After': String(wait),
      });
    }

    if (fleetKind) return fleet.handle(fleetKind, method, url, body, reply, mdeError, graphError);
    if (isHunting) {
      if (method !== 'POST') return reply(405, graphError('BadRequest', 'runHuntingQuery is a POST action.'));
      return hunting(body, kql, timespan, reply);
    }
    if (method !== 'GET') return reply(405, mdeError('BadRequest', 'Only GET is supported here.'));
    return machines(url, reply);
  }

  function hunting(body: string, kql: string | undefined, timespan: string | undefined, reply: (s: number, p: unknown) => void): void {
    if (body && kql === undefined) {
      try {
        JSON.parse(body);
      } catch {
        return reply(400, graphError('BadRequest', 'The request body is not valid JSON.'));
      }
    }
    if (!kql || !kql.trim()) return reply(400, graphError('BadRequest', "The parameter 'Query' is required."));
    const window = timespanWindow(timespan, clock.now());
    if (!window) return reply(400, graphError('BadRequest', `The Timespan '${timespan}' is not a valid ISO 8601 timespan.`));
    let result;
    try {
      result = runQuery(kql, {
        now: clock.now(),
        table: (name) => narrow(withScripted(name, dataset.table(name)), window),
      });
    } catch (err) {
      if (err instanceof KqlError) return reply(400, graphError('BadRequest', err.message));
      throw err;
    }
    const rows = result.rows.slice(0, config.maxRows);
    const key = config.schemaKeyCase === 'upper' ? (['Name', 'Type'] as const) : (['name', 'type'] as const);
    const schema = result.columns.map((c) => ({ [key[0]]: c.name, [key[1]]: graphTypeName(c.type) }));
    const results = rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const c of result.columns) o[c.name] = toJsonValue((r[c.name] ?? null) as Value);
      return o;
    });
    const payload = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults',
      schema,
      results,
    };
    const size = Buffer.byteLength(JSON.stringify(payload));
    if (size > config.maxResultBytes) {
      return reply(
        400,
        graphError(
          'BadRequest',
          'Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again.',
        ),
      );
    }
    return reply(200, payload);
  }

  /** DeviceEvents plus the rows scripted sessions have produced by the clock's now. */
  function withScripted(name: string, table: Table | undefined): Table | undefined {
    if (name !== 'DeviceEvents' || !table || scripts.length === 0) return table;
    const names = (TABLE_COLUMNS.DeviceEvents ?? []).map(([n]) => n);
    const extra = scriptedRows(scripts, clock.now()).map((r) => {
      const full: Record<string, Value> = {};
      for (const n of names) full[n] = r[n] ?? null;
      return full;
    });
    return { columns: table.columns, rows: [...table.rows, ...extra] };
  }

  function machines(url: URL, reply: (s: number, p: unknown) => void): void {
    const byId = /\/machines\/([^/]+)$/i.exec(url.pathname);
    if (byId) {
      const dev = dataset.byId(decodeURIComponent(byId[1]!));
      if (!dev) return reply(404, mdeError('NotFound', `Machine ${byId[1]} was not found.`));
      return reply(200, { '@odata.context': `${baseUrl()}/api/$metadata#Machines/$entity`, ...machineEntity(dev, dataset) });
    }
    const topRaw = url.searchParams.get('$top');
    const skipRaw = url.searchParams.get('$skip');
    const top = topRaw === null ? 10_000 : Number(topRaw);
    const skip = skipRaw === null ? 0 : Number(skipRaw);
    if (!Number.isInteger(top) || top < 1 || top > 10_000) {
      return reply(400, mdeError('InvalidInput', '$top must be an integer between 1 and 10000.'));
    }
    if (!Number.isInteger(skip) || skip < 0) return reply(400, mdeError('InvalidInput', '$skip must be a non-negative integer.'));
    const filter = url.searchParams.get('$filter');
    let list: FakeDevice[] = dataset.devices;
    if (filter) {
      const pred = parseODataFilter(filter);
      if (!pred) return reply(400, mdeError('ODataError', `The emulator cannot read the $filter "${filter}".`));
      list = list.filter((d) => pred(machineEntity(d, dataset)));
    }
    if (list.length === 0) return reply(404, mdeError('ResourceNotFound', 'No recent machines were found.'));
    const page = list.slice(skip, skip + top).map((d) => machineEntity(d, dataset));
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl()}/api/$metadata#Machines`, value: page };
    if (config.nextLink && skip + top < list.length) {
      const next = new URL(url.pathname, baseUrl());
      next.searchParams.set('$top', String(top));
      next.searchParams.set('$skip', String(skip + top));
      if (filter) next.searchParams.set('$filter', filter);
      body['@odata.nextLink'] = next.toString();
    }
    return reply(200, body);
  }

  function throttle(family: 'hunting' | 'machines'): number | undefined {
    const now = clock.now();
    const list = calls[family];
    while (list.length && list[0]! <= now - HOUR) list.shift();
    const perMinute = family === 'hunting' ? config.huntingPerMinute : config.machinesPerMinute;
    const perHour = family === 'hunting' ? config.huntingPerHour : config.machinesPerHour;
    const inWindow = list.filter((t) => t > now - config.windowMs);
    if (inWindow.length >= perMinute) return Math.max(1, Math.ceil((inWindow[0]! + config.windowMs - now) / 1000));
    if (list.length >= perHour) return Math.max(1, Math.ceil((list[0]! + HOUR - now) / 1000));
    list.push(now);
    return undefined;
  }

  function takeFault(path: string): Fault | undefined {
    const i = faults.findIndex((f) => !f.path || path.toLowerCase().startsWith(f.path.toLowerCase()));
    if (i < 0) return undefined;
    const f = faults[i]!;
    f.count = (f.count ?? 1) - 1;
    if (f.count <= 0) faults.splice(i, 1);
    return f;
  }

  function admin(method: string, path: string, body: string, res: http.ServerResponse): void {
    const json = () => {
      try {
        return JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        return undefined;
      }
    };
    if (path === '/__admin/health') return send(res, 200, { ok: true, url: baseUrl() });
    if (path === '/__admin/requests' && method === 'GET') return send(res, 200, { requests });
    if (path === '/__admin/faults' && method === 'DELETE') {
      faults = [];
      return send(res, 200, { faults });
    }
    if (path === '/__admin/faults' && method === 'POST') {
      const b = json();
      const list = b && (Array.isArray(b.faults) ? b.faults : [b]);
      if (!list) return send(res, 400, { error: 'Body must be JSON: {"faults":[{"kind":"503","count":1}]}' });
      api.addFaults(list as Fault[]);
      return send(res, 200, { faults });
    }
    if (path === '/__admin/actions' && method === 'POST') {
      const b = json();
      const error = b ? fleet.setTimeline(b) : 'Body must be JSON.';
      if (error) return send(res, 400, { error });
      return send(res, 200, { timeline: fleet.timeline, actions: fleet.actions.length });
    }
    if (path === '/__admin/devices' && method === 'POST') {
      const b = json();
      const count = b && Number(b.count);
      if (!count || !Number.isInteger(count) || count < 6 || count > 1_000_000) {
        return send(res, 400, { error: 'Body must be {"count": N} with 6 ≤ N ≤ 1,000,000.' });
      }
      dataset.resizeDevices(count);
      return send(res, 200, { count: dataset.devices.length });
    }
    if (path === '/__admin/clock' && method === 'GET') return send(res, 200, { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset });
    if (path === '/__admin/clock' && method === 'POST') {
      const b = json();
      const error = b ? clock.apply(b) : 'Body must be JSON.';
      if (error) return send(res, 400, { error });
      return send(res, 200, { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset });
    }
    if (path === '/__admin/troubleshooting' && method === 'DELETE') {
      scripts.length = 0;
      return send(res, 200, { scripts });
    }
    if (path === '/__admin/troubleshooting' && method === 'POST') {
      const b = json();
      const script = b ? parseScript(b, dataset.devices, clock.now()) : 'Body must be JSON.';
      if (typeof script === 'string') return send(res, 400, { error: script });
      scripts.push(script);
      return send(res, 200, { script: { ...script, requestedAt: new Date(script.requestedAt).toISOString() }, scripts: scripts.length });
    }
    if (path === '/__admin/reset' && method === 'POST') {
      api.reset();
      return send(res, 200, { ok: true });
    }
    if (path === '/__admin/config' && method === 'POST') {
      const b = json();
      if (!b) return send(res, 400, { error: 'Body must be JSON.' });
      for (const [k, v] of Object.entries(b)) {
        if (k in DEFAULT_CONFIG || k === 'requiredToken') (config as unknown as Record<string, unknown>)[k] = v;
      }
      return send(res, 200, { config: { ...config, requiredToken: config.requiredToken ? '<set>' : undefined } });
    }
    return send(res, 404, { error: `Unknown admin route ${method} ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = () => `http://127.0.0.1:${port}`;

  const api: RunningEmulator = {
    url: baseUrl(),
    port,
    dataset,
    config,
    requests,
    clock,
    scripts,
    fleet,
    addFaults(list) {
      for (const f of list) {
        if (!f || typeof f.kind !== 'string') continue;
        faults.push({ ...f, kind: String(f.kind) as FaultKind, count: f.count ?? 1 });
      }
    },
    reset() {
      faults = [];
      calls.hunting = [];
      calls.machines = [];
      requests.length = 0;
      scripts.length = 0;
      clock.reset();
      fleet.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  return api;
}

function send(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}, graph = false): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': graph
      ? 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8'
      : 'application/json; odata.metadata=minimal; odata.streaming=true',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function graphError(code: string, message: string): unknown {
  const id = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': id, 'client-request-id': id },
    },
  };
}

function mdeError(code: string, message: string): unknown {
  return { error: { code, message, target: randomUUID() } };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function strField(obj: Record<string, unknown>, key: string): string | undefined {
  for (const k of Object.keys(obj)) if (k.toLowerCase() === key) return typeof obj[k] === 'string' ? (obj[k] as string) : undefined;
  return undefined;
}

function clockText(secs: number): string {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}`;
}

// ---------------------------------------------------------------- timespan (the emulator's own reading)

const DAY = 86_400_000;

function isoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.length < 3 || /T$/i.test(text)) return undefined;
  const n = (s: string | undefined) => (s ? Number(s) : 0);
  return (n(m[1]) * 365 + n(m[2]) * 30 + n(m[3]) * 7 + n(m[4])) * DAY + n(m[5]) * 3_600_000 + n(m[6]) * 60_000 + n(m[7]) * 1000;
}

/** Graph's Timespan forms; undefined when unreadable. Omitted → the last 30 days. */
export function timespanWindow(timespan: string | undefined, now: number): { start: number; end: number } | undefined {
  if (!timespan) return { start: now - 30 * DAY, end: now };
  const date = (s: string) => (/^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN);
  const parts = timespan.trim().split('/');
  if (parts.length === 1) {
    const d = isoDurationMs(parts[0]!);
    if (d !== undefined) return { start: now - d, end: now };
    const s = date(parts[0]!);
    return Number.isNaN(s) ? undefined : { start: s, end: now };
  }
  if (parts.length !== 2) return undefined;
  const [a, b] = parts as [string, string];
  const da = isoDurationMs(a);
  const db = isoDurationMs(b);
  const ta = date(a);
  const tb = date(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta < tb ? { start: ta, end: tb } : undefined;
  if (da !== undefined && !Number.isNaN(tb)) return { start: tb - da, end: tb };
  if (!Number.isNaN(ta) && db !== undefined) return { start: ta, end: ta + db };
  return undefined;
}

function narrow(table: Table | undefined, window: { start: number; end: number }): Table | undefined {
  if (!table) return undefined;
  return {
    columns: table.columns,
    rows: table.rows.filter((r) => {
      const t = r.Timestamp;
      if (!(t instanceof Date)) return true;
      return t.getTime() >= window.start && t.getTime() <= window.end;
    }),
  };
}

// ---------------------------------------------------------------- machines

function machineEntity(d: FakeDevice, dataset: Dataset): Record<string, unknown> {
  const i = dataset.indexOf(d);
  const anchor = dataset.anchor;
  return {
    id: d.id,
    computerDnsName: d.name,
    firstSeen: new Date(anchor - (200 + i) * DAY).toISOString(),
    lastSeen: new Date(anchor - ((i % 5) + 1) * 3_600_000).toISOString(),
    osPlatform: d.osPlatform,
    osProcessor: 'x64',
    version: d.version,
    osBuild: d.osBuild || null,
    lastIpAddress: d.ip,
    lastExternalIpAddress: `203.0.113.${(i % 250) + 1}`,
    healthStatus: d.healthStatus,
    rbacGroupName: d.rbacGroupName,
    rbacGroupId: d.rbacGroupName === 'Servers' ? 2 : 1,
    riskScore: d.riskScore,
    exposureLevel: d.exposureLevel,
    deviceValue: 'Normal',
    aadDeviceId: i % 3 === 0 ? null : `${d.id.slice(0, 8)}-${d.id.slice(8, 12)}-4${d.id.slice(13, 16)}-8${d.id.slice(17, 20)}-${d.id.slice(20, 32)}`,
    isAadJoined: i % 3 !== 0,
    machineTags: d.tags,
    osArchitecture: '64-bit',
    onboardingStatus: 'Onboarded',
    agentVersion: '10.8760.22621.1234',
    defenderAvStatus: 'Updated',
    managedBy: 'Intune',
    ipAddresses: [{ ipAddress: d.ip, macAddress: '00155D' + d.id.slice(0, 6).toUpperCase(), operationalStatus: 'Up' }],
  };
}

/**
 * The $filter forms the product sends: `field eq|ne|gt|ge|lt|le literal` ('text' with '' inside, a bare date
 * such as 2026-11-01Z, a number), `contains|startswith|endswith(field,'text')` (on machineTags: any tag),
 * `not`, `and`, `or`, parentheses. Text compares case-insensitively. Anything else → undefined (a 400).
 */
type Pred = (m: Record<string, unknown>) => boolean;
function parseODataFilter(filter: string): Pred | undefined {
  const re = /\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|(\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2}))|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*))/y;
  type Tok = { k: '(' | ')' | ',' | 'str' | 'date' | 'num' | 'id'; v: string };
  const toks: Tok[] = [];
  let pos = 0;
  while (pos < filter.length) {
    if (/^\s*$/.test(filter.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(filter);
    if (!m) return undefined;
    pos = re.lastIndex;
    if (m[1]) toks.push({ k: '(', v: '(' });
    else if (m[2]) toks.push({ k: ')', v: ')' });
    else if (m[3]) toks.push({ k: ',', v: ',' });
    else if (m[4] !== undefined) toks.push({ k: 'str', v: m[4].replace(/''/g, "'") });
    else if (m[5]) toks.push({ k: 'date', v: m[5] });
    else if (m[6]) toks.push({ k: 'num', v: m[6] });
    else toks.push({ k: 'id', v: m[7]! });
  }
  let p = 0;
  const word = (w: string) => toks[p]?.k === 'id' && toks[p]!.v.toLowerCase() === w;
  const lower = (v: unknown) => String(v ?? '').toLowerCase();
  const cmp = (a: unknown, op: string, lit: Tok): boolean => {
    let x: number | string;
    let y: number | string;
    if (lit.k === 'date') {
      x = Date.parse(String(a ?? ''));
      y = Date.parse(lit.v.length === 11 ? `${lit.v.slice(0, 10)}T00:00:00Z` : lit.v);
    } else if (lit.k === 'num') {
      x = Number(a);
      y = Number(lit.v);
    } else {
      x = lower(a);
      y = lower(lit.v);
    }
    switch (op) {
      case 'eq': return x === y;
      case 'ne': return x !== y;
      case 'gt': return x > y;
      case 'ge': return x >= y;
      case 'lt': return x < y;
      case 'le': return x <= y;
      default: return false;
    }
  };
  const term = (): Pred | undefined => {
    if (word('not')) {
      p++;
      const t = term();
      return t && ((m) => !t(m));
    }
    if (toks[p]?.k === '(') {
      p++;
      const e = expr();
      if (!e || toks[p]?.k !== ')') return undefined;
      p++;
      return e;
    }
    const id = toks[p];
    if (id?.k !== 'id') return undefined;
    p++;
    const fn = id.v.toLowerCase();
    if (['contains', 'startswith', 'endswith'].includes(fn) && toks[p]?.k === '(') {
      const field = toks[p + 1];
      const lit = toks[p + 3];
      if (field?.k !== 'id' || toks[p + 2]?.k !== ',' || lit?.k !== 'str' || toks[p + 4]?.k !== ')') return undefined;
      p += 5;
      const test = (v: unknown) => {
        const s = lower(v);
        const needle = lower(lit.v);
        return fn === 'contains' ? s.includes(needle) : fn === 'startswith' ? s.startsWith(needle) : s.endsWith(needle);
      };
      return (m) => {
        const v = m[field.v];
        return Array.isArray(v) ? v.some(test) : test(v);
      };
    }
    const op = toks[p];
    const lit = toks[p + 1];
    if (op?.k !== 'id' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.v.toLowerCase())) return undefined;
    if (!lit || !['str', 'date', 'num'].includes(lit.k)) return undefined;
    p += 2;
    const o = op.v.toLowerCase();
    return (m) => {
      const v = m[id.v];
      if (Array.isArray(v)) return o === 'ne' ? !v.some((x) => cmp(x, 'eq', lit)) : v.some((x) => cmp(x, o, lit));
      return cmp(v, o, lit);
    };
  };
  const expr = (): Pred | undefined => {
    let left = term();
    while (left && (word('and') || word('or'))) {
      const joiner = toks[p]!.v.toLowerCase();
      p++;
      const right = term();
      if (!right) return undefined;
      const l = left;
      left = joiner === 'and' ? (m) => l(m) && right(m) : (m) => l(m) || right(m);
    }
    return left;
  };
  const out = expr();
  return out && p === toks.length ? out : undefined;
}
