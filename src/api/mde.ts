import { DefenderApiError, PagingError } from './errors';
import type { RestClient, RetryNotice } from './http';

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
}

export const MAX_PAGE_SIZE = 10_000;
export const MACHINES_PATH = 'api/machines';
/** Default bound on pages: 1,000 pages of up to 10,000 machines. */
export const MAX_PAGES = 1000;
/** Pages in a row that add no new machine (empty, or repeats) before paging stops. */
export const MAX_PAGES_WITHOUT_PROGRESS = 3;

/** MDE `GET /api/machines` with paging: follows `@odata.nextLink`, else falls back to `$skip`. */
export class MdeClient {
  constructor(private readonly rest: RestClient) {}

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
      if (pages >= maxPages) throw new PagingError('Listing devices', 'too-many-pages', pages);
      pages++;
      let body: unknown;
      try {
        const res = next
          ? await this.rest.request<unknown>(next, { signal: options.signal, onRetry: options.onRetry })
          : await this.rest.request<unknown>(MACHINES_PATH, {
              query: { $top: pageSize, $skip: skip || undefined, $filter: options.filter },
              signal: options.signal,
              onRetry: options.onRetry,
            });
        body = res.body;
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
        throw new PagingError('Listing devices', 'no-progress', withoutProgress);
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
