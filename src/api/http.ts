import type { ILogger } from '../core/logger';
import {
  AbortError,
  AuthRequiredError,
  DefenderApiError,
  NetworkError,
  parseErrorBody,
  parseRetryAfter,
  retryAfterFromMessage,
} from './errors';
import { l10n } from '../core/l10n';

/** Time, injectable so retry/backoff tests need no real waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with AbortError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError());
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Where tokens come from. `refresh: true` is asked once after a 401, so the provider can look the session up
 * again. Returning undefined means "not signed in". The token is used for one request and never stored or logged.
 */
export type TokenProvider = (options: { refresh: boolean; signal?: AbortSignal }) => Promise<string | undefined>;

export interface RetryPolicy {
  /** Retries after the first attempt (429, 502, 503, 504 and network failures). */
  readonly maxRetries: number;
  /** A Retry-After longer than this is not waited out: the error goes to the caller with `retryAfter`. */
  readonly maxRetryAfterSec: number;
  /** Backoff when the service gave no Retry-After: base × 2^attempt, capped. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, maxRetryAfterSec: 60, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly status?: number;
  readonly reason: string;
}

export interface RestClientOptions {
  /** Origin (and optional path prefix) of the service, e.g. https://graph.microsoft.com. */
  readonly baseUrl: string;
  readonly getToken: TokenProvider;
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
  readonly log?: ILogger;
  readonly retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** Component tag in logs. */
  readonly name?: string;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onRetry?: (notice: RetryNotice) => void;
}

export interface RestResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly requestId?: string;
  readonly durationMs: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * A small JSON-over-HTTPS client: bearer token per request, 401 → one silent token refresh then
 * AuthRequiredError, 429/502/503/504 → Retry-After (or exponential backoff) within bounds, typed errors,
 * AbortSignal throughout. It never logs headers, tokens or bodies.
 */
export class RestClient {
  readonly baseUrl: URL;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: RestClientOptions) {
    this.baseUrl = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
    this.clock = options.clock ?? systemClock;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Resolves `path` against the base URL; absolute URLs must stay on the base origin (tokens never leave it). */
  resolve(path: string, query?: RequestOptions['query']): URL {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, ''), this.baseUrl);
    if (url.origin !== this.baseUrl.origin) {
      throw new DefenderApiError({
        status: 0,
        apiCode: 'ForeignOrigin',
        message: l10n.t('Refusing to send credentials to {0}; the configured endpoint is {1}.', url.origin, this.baseUrl.origin),
      });
    }
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  async request<T>(path: string, opts: RequestOptions = {}): Promise<RestResponse<T>> {
    const url = this.resolve(path, opts.query);
    const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
    const label = `${method} ${url.pathname}`;
    let token = await this.token(false, opts.signal);
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      const started = this.clock.now();
      let res: Response;
      let text: string;
      try {
        ({ res, text } = await this.send(url, method, token, opts));
      } catch (err) {
        if (err instanceof AbortError || opts.signal?.aborted) throw new AbortError();
        const timedOut = err instanceof NetworkError && err.timedOut;
        if (!timedOut && attempt < this.retry.maxRetries) {
          const delayMs = this.backoff(attempt);
          this.note(opts, { attempt: attempt + 1, delayMs, reason: l10n.t('network error') }, label);
          await this.clock.sleep(delayMs, opts.signal);
          attempt++;
          continue;
        }
        throw err instanceof NetworkError
          ? err
          : new NetworkError(l10n.t('Could not reach {0}: {1}', url.origin, describe(err)), false, err);
      }
      const durationMs = this.clock.now() - started;
      const requestId = res.headers.get('request-id') ?? res.headers.get('x-ms-request-id') ?? undefined;

      if (res.ok) {
        const body = this.readJson(res, text, label);
        this.options.log?.debug(`[${this.name}] ${label} → ${res.status} in ${durationMs} ms${requestId ? ` (request-id ${requestId})` : ''}`);
        return { status: res.status, body: body as T, requestId, durationMs };
      }

      const error = this.toError(res, text, label);
      this.options.log?.info(
        `[${this.name}] ${label} → ${res.status} ${error.apiCode} in ${durationMs} ms${error.requestId ? ` (request-id ${error.requestId})` : ''}`,
      );

      if (res.status === 401) {
        if (!refreshed) {
          refreshed = true;
          token = await this.token(true, opts.signal);
          continue;
        }
        throw new AuthRequiredError(
          l10n.t('The service did not accept the sign-in ({0}). Sign in again to continue.', error.apiCode),
          401,
        );
      }

      if (RETRYABLE.has(res.status) && attempt < this.retry.maxRetries) {
        const waitSec = error.retryAfter;
        if (waitSec === undefined || waitSec <= this.retry.maxRetryAfterSec) {
          const delayMs = waitSec !== undefined ? waitSec * 1000 : this.backoff(attempt);
          this.note(opts, { attempt: attempt + 1, delayMs, status: res.status, reason: error.apiCode }, label);
          await this.clock.sleep(delayMs, opts.signal);
          attempt++;
          continue;
        }
      }
      throw error;
    }
  }

  private get name(): string {
    return this.options.name ?? 'api';
  }

  private async token(refresh: boolean, signal?: AbortSignal): Promise<string> {
    const token = await this.options.getToken({ refresh, signal });
    if (!token) throw new AuthRequiredError();
    return token;
  }

  /**
   * One attempt: headers and body. The timeout and the caller's AbortSignal cover the whole exchange, so a
   * server that sends headers and then stalls fails with a timeout (or is cancelled) instead of hanging.
   */
  private async send(
    url: URL,
    method: string,
    token: string,
    opts: RequestOptions,
  ): Promise<{ res: Response; text: string }> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
      };
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json; charset=utf-8';
        body = JSON.stringify(opts.body);
      }
      const res = await this.fetchImpl(url.toString(), { method, headers, body, signal: controller.signal });
      // Reading the body is part of the attempt: `res.text()` rejects when `controller` aborts.
      const text = await res.text();
      return { res, text };
    } catch (err) {
      if (opts.signal?.aborted) throw new AbortError();
      if (timedOut) {
        throw new NetworkError(
          l10n.t('{0} did not answer within {1} s.', url.origin, Math.round(timeoutMs / 1000)),
          true,
          err,
        );
      }
      throw new NetworkError(l10n.t('Could not reach {0}: {1}', url.origin, describe(err)), false, err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private readJson(res: Response, text: string, label: string): unknown {
    if (text.length === 0) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new DefenderApiError({
        status: res.status,
        apiCode: 'InvalidResponse',
        message: l10n.t('{0} returned a response that is not JSON.', label),
        cause: err,
      });
    }
  }

  private toError(res: Response, text: string, label: string): DefenderApiError {
    let parsed: ReturnType<typeof parseErrorBody> = { details: { messages: [], codes: [] } };
    try {
      if (text) parsed = parseErrorBody(JSON.parse(text));
    } catch {
      // Not JSON (a gateway page): keep the status only.
    }
    const retryAfter =
      parseRetryAfter(res.headers.get('retry-after'), this.clock.now()) ??
      (res.status === 429 ? retryAfterFromMessage(parsed.details.messages.join(' ')) : undefined);
    const message =
      parsed.message ?? `${label} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
    return new DefenderApiError({
      status: res.status,
      apiCode: parsed.code,
      message,
      requestId: parsed.requestId ?? res.headers.get('request-id') ?? undefined,
      retryAfter,
      details: parsed.details,
    });
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
  }

  private note(opts: RequestOptions, notice: RetryNotice, label: string): void {
    this.options.log?.info(
      `[${this.name}] ${label}: retry ${notice.attempt}/${this.retry.maxRetries} in ${Math.round(notice.delayMs / 100) / 10} s (${notice.reason})`,
    );
    opts.onRetry?.(notice);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `${err.message}${causeText}`;
  }
  return String(err);
}
