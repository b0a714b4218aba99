/**
 * Loading a tenant's devices page by page into the tree model (issue 8 item 1): `$top` = 10,000 (the documented
 * maximum), the shared rate limiter (100 calls/min, 1,500/h) before every page, pages asked again after 5xx,
 * dropped connections and long Retry-Afters, a progress callback after every page (so the first groups show
 * before the last page arrives) and an AbortSignal to stop. Pure: no vscode import.
 */
import type { MdeClient, PagerWait } from '../api/mde';
import { MAX_PAGE_SIZE } from '../api/mde';
import { formatCount, type FleetTreeModel } from './deviceGrouping';

export interface FleetLoadProgress {
  /** Distinct devices in the model. */
  readonly loaded: number;
  readonly pages: number;
}

export interface FleetLoadOptions {
  /** OData $filter (already validated, see deviceSearch.ts). */
  readonly filter?: string;
  /** Optional user limit; 0 or undefined = every device. */
  readonly maxCount?: number;
  readonly pageSize?: number;
  /** Times one page is asked again (default 8). */
  readonly pageRetries?: number;
  readonly signal?: AbortSignal;
  readonly onPage?: (progress: FleetLoadProgress) => void;
  readonly onWait?: (wait: PagerWait) => void;
}

export interface FleetLoadResult extends FleetLoadProgress {
  /** True when the optional user limit stopped the load. */
  readonly stoppedAtMax: boolean;
}

export async function loadFleet(client: MdeClient, model: FleetTreeModel, options: FleetLoadOptions = {}): Promise<FleetLoadResult> {
  const max = options.maxCount && options.maxCount > 0 ? Math.floor(options.maxCount) : undefined;
  let pages = 0;
  for await (const page of client.pages({
    filter: options.filter,
    pageSize: options.pageSize ?? MAX_PAGE_SIZE,
    maxItems: max,
    pageRetries: options.pageRetries ?? 8,
    signal: options.signal,
    onWait: options.onWait,
  })) {
    model.add(page);
    pages++;
    options.onPage?.({ loaded: model.count, pages });
  }
  return { loaded: model.count, pages, stoppedAtMax: max !== undefined && model.count >= max };
}

/** "12,000 of ? devices": the API gives no total up front. */
export function progressText(loaded: number, done = false): string {
  return done ? `${formatCount(loaded)} devices` : `${formatCount(loaded)} of ? devices`;
}

/** Why the loader is waiting, for the progress line. */
export function waitText(wait: PagerWait): string {
  const secs = Math.ceil(wait.ms / 1000);
  switch (wait.reason) {
    case 'rate-limit':
      return `waiting ${secs} s for the API's call limit (100 a minute, 1,500 an hour)`;
    case 'retry-after':
      return `the API asked to wait ${secs} s (429)`;
    default:
      return `retrying in ${secs} s after ${wait.status ? `HTTP ${wait.status}` : 'a network error'}`;
  }
}
