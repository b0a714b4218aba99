import { AbortError, DefenderApiError, NetworkError, PagingError } from './errors';
import { systemClock, type Clock, type RestClient, type RetryNotice } from './http';
import type { RateLimiter } from './rateLimiter';
import { l10n } from '../core/l10n';

/** Machine entity (defender.md §1.2 and the real response in §10). Every field may be null or absent. */
export interface Machine {
  readonly id: string;
  readonly computerDnsName?: string | null;
  readonly firstSeen?: string | null;
  readonly lastSeen?: string | null;
  readonly osPlatform?: string | null;
  readonly version?: string | null;
  readonly osBuild?: number | null;
  readonly osProcessor?: string | null;
  readonly osArchitecture?: string | null;
  readonly onboardingStatus?: string | null;
  readonly healthStatus?: string | null;
  readonly lastIpAddress?: string | null;
  readonly lastExternalIpAddress?: string | null;
  readonly rbacGroupName?: string | null;
  readonly rbacGroupId?: number | null;
  readonly riskScore?: string | null;
  readonly exposureLevel?: string | null;
  readonly deviceValue?: string | null;
  readonly aadDeviceId?: string | null;
  readonly isAadJoined?: boolean | null;
  readonly machineTags?: readonly string[] | null;
  readonly ipAddresses?: readonly { ipAddress?: string; macAddress?: string; operationalStatus?: string }[] | null;
  readonly agentVersion?: string | null;
  readonly defenderAvStatus?: string | null;
  readonly managedBy?: string | null;
  readonly [key: string]: unknown;
}

export interface ListMachinesOptions {
  /** OData `$filter`, e.g. `healthStatus ne 'Active'`. */
  readonly filter?: string;
  /** `$top` per page; the service allows at most 10,000. */
  readonly pageSize?: number;
  /** Stop after this many machines. */
  readonly maxItems?: number;
  /** Stop with a PagingError after this many pages (default MAX_PAGES). */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (notice: RetryNotice) => void;
  /**
   * Times one page is asked again after the HTTP client gave up on it (a 5xx, a dropped connection, a 429 whose
   * Retry-After was longer than the client waits). 0 (default) = the error goes to the caller.
   */
  readonly pageRetries?: number;
  /** Told before each wait (the client-side rate limit, a long Retry-After, a backoff), so a UI can say why. */
  readonly onWait?: (wait: PagerWait) => void;
}

export interface PagerWait {
  readonly ms: number;
  readonly reason: 'rate-limit' | 'retry-after' | 'backoff';
  readonly status?: number;
}

export interface MdeClientOptions {
  /** Shared limiter for List Machines / MachineActions (100/min, 1,500/h); every page request acquires it. */
  readonly limiter?: RateLimiter;
  /** GetPackageUri's own limiter (2/min, 120/h). */
  readonly packageUriLimiter?: RateLimiter;
  readonly clock?: Clock;
}

/** MachineAction entity (defender.md §1.3); every field may be absent. */
export interface MachineAction {
  readonly id: string;
  readonly type?: string | null;
  readonly status?: string | null;
  readonly machineId?: string | null;
  readonly computerDnsName?: string | null;
  readonly requestor?: string | null;
  readonly requestorComment?: string | null;
  readonly creationDateTimeUtc?: string | null;
  readonly lastUpdateDateTimeUtc?: string | null;
  readonly title?: string | null;
  readonly [key: string]: unknown;
}

/** Final MachineAction states (defender.md §1.3: Pending, InProgress, Succeeded, Failed, TimeOut, Cancelled). */
export const FINAL_ACTION_STATES = ['Succeeded', 'Failed', 'TimeOut', 'Cancelled'] as const;

export function isFinalActionStatus(status: string | null | undefined): boolean {
  return FINAL_ACTION_STATES.some((s) => s.toLowerCase() === (status ?? '').toLowerCase());
}

export const MAX_PAGE_SIZE = 10_000;
export const MACHINES_PATH = 'api/machines';
/** Default bound on pages: 1,000 pages of up to 10,000 machines. */
export const MAX_PAGES = 1000;
/** Pages in a row that add no new machine (empty, or repeats) before paging stops. */
export const MAX_PAGES_WITHOUT_PROGRESS = 3;

/** MDE `GET /api/machines` with paging: follows `@odata.nextLink`, else falls back to `$skip`. */
export class MdeClient {
  private readonly clock: Clock;

  constructor(
    private readonly rest: RestClient,
    private readonly options: MdeClientOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** One page request: the shared limiter first, then the HTTP client (which honours short Retry-Afters). */
  private async pageRequest(path: string, query: Record<string, string | number | undefined> | undefined, options: ListMachinesOptions): Promise<unknown> {
    const retries = Math.max(0, Math.floor(options.pageRetries ?? 0));
    for (let attempt = 0; ; attempt++) {
      await this.options.limiter?.acquire(options.signal, (ms) => options.onWait?.({ ms, reason: 'rate-limit' }));
      try {
        const res = await this.rest.request<unknown>(path, { query, signal: options.signal, onRetry: options.onRetry });
        return res.body;
      } catch (err) {
        if (err instanceof AbortError || options.signal?.aborted || attempt >= retries) throw err;
        let wait: PagerWait;
        if (err instanceof DefenderApiError && err.status === 429) {
          const ms = (err.retryAfter ?? 60) * 1000;
          this.options.limiter?.pauseFor(ms);
          wait = { ms, reason: 'retry-after', status: 429 };
        } else if ((err instanceof DefenderApiError && err.status >= 500) || (err instanceof NetworkError && !err.timedOut)) {
          const ms = Math.min(30_000, 1000 * 2 ** attempt);
          wait = { ms, reason: 'backoff', status: err instanceof DefenderApiError ? err.status : undefined };
        } else {
          throw err;
        }
        options.onWait?.(wait);
        await this.clock.sleep(wait.ms, options.signal);
      }
    }
  }

  async *pages(options: ListMachinesOptions = {}): AsyncGenerator<Machine[]> {
    const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)));
    const max = options.maxItems ?? Number.POSITIVE_INFINITY;
    let seen = 0;
    let skip = 0;
    let next: string | undefined;
    const seenLinks = new Set<string>();
    const seenIds = new Set<string>();
    const maxPages = Math.max(1, options.maxPages ?? MAX_PAGES);
    let pages = 0;
    let withoutProgress = 0;
    for (;;) {
      if (pages >= maxPages) throw new PagingError(l10n.t('Listing devices'), 'too-many-pages', pages);
      pages++;
      let body: unknown;
      try {
        body = next
          ? await this.pageRequest(next, undefined, options)
          : await this.pageRequest(MACHINES_PATH, { $top: pageSize, $skip: skip || undefined, $filter: options.filter }, options);
      } catch (err) {
        // "If there are no recent machines you get a 404" (get-machines.md).
        if (err instanceof DefenderApiError && err.status === 404 && seen === 0 && !next) return;
        throw err;
      }
      const value = readValue(body);
      // Progress is a machine not seen before: an empty page, or the same page again, is none.
      const fresh = value.filter((m) => {
        if (seenIds.has(m.id)) return false;
        seenIds.add(m.id);
        return true;
      });
      withoutProgress = fresh.length > 0 ? 0 : withoutProgress + 1;
      const page = fresh.slice(0, Math.max(0, max - seen));
      seen += page.length;
      if (page.length > 0) yield page;
      if (seen >= max) return;
      const link = nextLink(body);
      if ((link || (!next && value.length >= pageSize)) && withoutProgress >= MAX_PAGES_WITHOUT_PROGRESS) {
        throw new PagingError(l10n.t('Listing devices'), 'no-progress', withoutProgress);
      }
      if (link) {
        if (seenLinks.has(link)) return; // a service loop would otherwise never end
        seenLinks.add(link);
        next = link;
      } else if (!next && value.length >= pageSize) {
        skip += value.length;
      } else {
        return;
      }
    }
  }

  async listMachines(options: ListMachinesOptions = {}): Promise<Machine[]> {
    const all: Machine[] = [];
    for await (const page of this.pages(options)) all.push(...page);
    return all;
  }

  // ---------------------------------------------------------------- machine actions (defender.md §1.3)

  /**
   * `POST /api/machines/{id}/collectInvestigationPackage` with the required `Comment` (case-sensitive name).
   * Permission Machine.CollectForensics. A 400 while a collection runs comes back as DefenderApiError(400).
   */
  async collectInvestigationPackage(machineId: string, comment: string, signal?: AbortSignal): Promise<MachineAction> {
    if (!comment.trim()) {
      throw new DefenderApiError({ status: 0, apiCode: 'MissingRequiredParameter', message: l10n.t('A comment is required to collect an investigation package.') });
    }
    await this.options.limiter?.acquire(signal);
    const res = await this.rest.request<unknown>(`${MACHINES_PATH}/${encodeURIComponent(machineId)}/collectInvestigationPackage`, {
      method: 'POST',
      body: { Comment: comment },
      signal,
    });
    return readAction(res.body);
  }

  /** `GET /api/machineactions/{id}`. */
  async getMachineAction(actionId: string, signal?: AbortSignal): Promise<MachineAction> {
    await this.options.limiter?.acquire(signal);
    const res = await this.rest.request<unknown>(`${MACHINE_ACTIONS_PATH}/${encodeURIComponent(actionId)}`, { signal });
    return readAction(res.body);
  }

  /** `GET /api/machineactions?$filter=…` (filterable: id, status, machineId, type, requestor, creationDateTimeUtc). */
  async listMachineActions(filter: string | undefined, top = 100, signal?: AbortSignal): Promise<MachineAction[]> {
    await this.options.limiter?.acquire(signal);
    const res = await this.rest.request<unknown>(MACHINE_ACTIONS_PATH, {
      query: { $filter: filter, $top: Math.max(1, Math.min(MAX_PAGE_SIZE, top)) },
      signal,
    });
    const value = res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>).value : undefined;
    return Array.isArray(value) ? value.filter((a): a is MachineAction => !!a && typeof a === 'object' && typeof (a as MachineAction).id === 'string') : [];
  }

  /**
   * `GET /api/machineactions/{id}/GetPackageUri` → the short-lived download URL. At most 2 calls a minute and
   * 120 an hour (its own limiter); 404 while the action is not complete.
   */
  async getPackageUri(actionId: string, signal?: AbortSignal, onWait?: (ms: number) => void): Promise<string> {
    await this.options.packageUriLimiter?.acquire(signal, onWait);
    const res = await this.rest.request<unknown>(`${MACHINE_ACTIONS_PATH}/${encodeURIComponent(actionId)}/GetPackageUri`, { signal });
    const value = res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>).value : undefined;
    if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) {
      throw new DefenderApiError({ status: res.status, apiCode: 'InvalidResponse', message: l10n.t('GetPackageUri returned no download address.') });
    }
    return value;
  }
}

export const MACHINE_ACTIONS_PATH = 'api/machineactions';

function readAction(body: unknown): MachineAction {
  if (!body || typeof body !== 'object' || typeof (body as MachineAction).id !== 'string') {
    throw new DefenderApiError({ status: 200, apiCode: 'InvalidResponse', message: l10n.t('The service returned no machine action.') });
  }
  return body as MachineAction;
}

function readValue(body: unknown): Machine[] {
  if (!body || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>).value;
  if (!Array.isArray(value)) return [];
  return value.filter((m): m is Machine => !!m && typeof m === 'object' && typeof (m as Machine).id === 'string');
}

function nextLink(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const link = (body as Record<string, unknown>)['@odata.nextLink'];
  return typeof link === 'string' && link ? link : undefined;
}
