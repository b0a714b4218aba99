import { DefenderApiError } from './errors';
import type { RestClient, RetryNotice } from './http';
import { l10n } from '../core/l10n';

/** Advanced hunting limits (defender.md §1.5). */
export const HUNTING_LIMITS = {
  /** Rows a query returns at most; more are cut off by the service. */
  maxRows: 100_000,
  /** Largest result a single request may return. */
  maxResultBytes: 124 * 1024 * 1024,
  /** Longest a single request may run on the service. */
  maxRequestSeconds: 200,
  /** Data retention queries can reach. */
  retentionDays: 30,
} as const;

export interface HuntingColumn {
  readonly name: string;
  /** The service's type name: `DateTime`, `String`, `Int64`, `Boolean`, `Object`… (or Kusto's `datetime`…). */
  readonly type: string;
}

export interface HuntingQueryResult {
  readonly schema: readonly HuntingColumn[];
  readonly results: readonly Record<string, unknown>[];
  readonly requestId?: string;
  readonly durationMs: number;
}

export interface RunHuntingQueryOptions {
  /** ISO 8601 timespan (see timespan.ts); omitted means the service default of 30 days. */
  readonly timespan?: string;
  readonly signal?: AbortSignal;
  readonly onRetry?: (notice: RetryNotice) => void;
}

export const RUN_HUNTING_QUERY_PATH = 'v1.0/security/runHuntingQuery';

/** Graph `POST /security/runHuntingQuery` (ThreatHunting.Read.All). */
export class GraphHuntingClient {
  /** Per-attempt timeout: the service's own limit plus a margin for the network. */
  private readonly timeoutMs: number;

  constructor(
    private readonly rest: RestClient,
    options: { timeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? (HUNTING_LIMITS.maxRequestSeconds + 30) * 1000;
  }

  async runHuntingQuery(query: string, options: RunHuntingQueryOptions = {}): Promise<HuntingQueryResult> {
    const body: Record<string, string> = { Query: query };
    if (options.timespan) body.Timespan = options.timespan;
    const res = await this.rest.request<unknown>(RUN_HUNTING_QUERY_PATH, {
      method: 'POST',
      body,
      signal: options.signal,
      onRetry: options.onRetry,
      timeoutMs: this.timeoutMs,
    });
    const parsed = parseHuntingResponse(res.body);
    return { ...parsed, requestId: res.requestId, durationMs: res.durationMs };
  }
}

/**
 * Reads huntingQueryResults leniently: `schema`/`Schema`, `results`/`Results`, and column descriptors as
 * `name/type` or `Name/Type` (both appear in Microsoft's samples).
 */
export function parseHuntingResponse(body: unknown): { schema: HuntingColumn[]; results: Record<string, unknown>[] } {
  if (!body || typeof body !== 'object') throw invalid('the response is empty');
  const rec = body as Record<string, unknown>;
  const schemaRaw = ci(rec, 'schema');
  const resultsRaw = ci(rec, 'results');
  if (!Array.isArray(schemaRaw)) throw invalid('it has no schema');
  if (resultsRaw !== undefined && !Array.isArray(resultsRaw)) throw invalid('its results are not a list');
  const schema = schemaRaw.map((c, i) => {
    const name = c && typeof c === 'object' ? ci(c as Record<string, unknown>, 'name') : undefined;
    const type = c && typeof c === 'object' ? ci(c as Record<string, unknown>, 'type') : undefined;
    return {
      name: typeof name === 'string' && name ? name : `Column${i + 1}`,
      type: typeof type === 'string' && type ? type : 'String',
    };
  });
  const results = ((resultsRaw as unknown[] | undefined) ?? []).filter(
    (r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r),
  );
  return { schema, results };
}

function ci(rec: Record<string, unknown>, key: string): unknown {
  if (key in rec) return rec[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function invalid(why: string): DefenderApiError {
  return new DefenderApiError({
    status: 200,
    apiCode: 'InvalidResponse',
    message: l10n.t('The advanced hunting response could not be read: {0}.', why),
  });
}

/** Graph custom detection rules (`/security/rules/detectionRules`, CustomDetection.ReadWrite.All). */
export class GraphDetectionRulesClient {
  constructor(private readonly rest: RestClient) {}

  /** `POST /security/rules/detectionRules`: 201 with the created detectionRule. */
  async create(body: Record<string, unknown>, path = 'v1.0/security/rules/detectionRules', signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.rest.request<unknown>(path, { method: 'POST', body, signal });
    if (!res.body || typeof res.body !== 'object') {
      throw new DefenderApiError({ status: res.status, apiCode: 'InvalidResponse', message: l10n.t('Creating the detection rule returned no rule.') });
    }
    return res.body as Record<string, unknown>;
  }
}
