import { DefenderToolError, type ErrorAction } from '../core/errors';
import { l10n } from '../core/l10n';

/** The sign-in command (constants.ts CommandIds.signIn); repeated here so src/api stays free of adapters. */
const SIGN_IN_COMMAND = 'defenderTroubleshooting.signIn';

/**
 * A non-2xx answer from Graph or the MDE API, typed. `code` is the service's own error code
 * (`BadRequest`, `TooManyRequests`, `InvalidAuthenticationToken`…); `requestId` is Graph's
 * `innerError.request-id` or MDE's `error.target` (a correlation id), for support tickets.
 * The message is the service's message, never the response body and never a token.
 */
export class DefenderApiError extends DefenderToolError {
  readonly status: number;
  /** The service's error code, e.g. `BadRequest`; `HttpError` when the body had none. */
  readonly apiCode: string;
  readonly requestId?: string;
  /** Seconds to wait before retrying, from `Retry-After` (429/503) or the message ("run queries again in …"). */
  readonly retryAfter?: number;
  /** Nested service details (Graph/Log Analytics `innererror`), kept for error placement. */
  readonly details?: ApiErrorDetails;

  constructor(init: {
    status: number;
    apiCode?: string;
    message: string;
    requestId?: string;
    retryAfter?: number;
    details?: ApiErrorDetails;
    action?: ErrorAction;
    cause?: unknown;
  }) {
    super(codeFor(init.status), init.message, { action: init.action, cause: init.cause });
    this.status = init.status;
    this.apiCode = init.apiCode || 'HttpError';
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.details = init.details;
  }
}

/** What a nested `innererror` chain told us (syntax position and token, when the service gave them). */
export interface ApiErrorDetails {
  /** Every message in the chain, outermost first. */
  readonly messages: readonly string[];
  /** Every code in the chain, outermost first (e.g. `BadRequest`, `SyntaxError`, `SYN0002`). */
  readonly codes: readonly string[];
  /** 1-based line, when the service reported one. */
  readonly line?: number;
  /** 0-based column within the line, when the service reported one. */
  readonly pos?: number;
  readonly token?: string;
}

/** No usable token: the user is not signed in, or the service refused the token twice. */
export class AuthRequiredError extends DefenderToolError {
  readonly status?: number;
  constructor(message = 'Sign in to Microsoft to run this request.', status?: number) {
    super('auth-required', message, { action: { title: l10n.t('Sign In'), command: SIGN_IN_COMMAND }, expected: true });
    this.status = status;
  }
}

/** The network failed or the request timed out before the service answered. */
export class NetworkError extends DefenderToolError {
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, cause?: unknown) {
    super(timedOut ? 'timeout' : 'network', message, { cause });
    this.timedOut = timedOut;
  }
}

/**
 * Paging stopped because the service kept sending pages without end: pages that add nothing (empty, or only
 * items already seen) while still carrying a next link, or more pages than the bound.
 */
export class PagingError extends DefenderToolError {
  readonly pages: number;
  readonly reason: 'no-progress' | 'too-many-pages';
  constructor(what: string, reason: 'no-progress' | 'too-many-pages', pages: number) {
    super(
      'paging',
      reason === 'no-progress'
        ? l10n.t('{0}: the service sent {1} pages in a row that added nothing but still pointed to a next page; stopped following them.', what, pages)
        : l10n.t('{0}: stopped after {1} pages; the service kept pointing to a next page.', what, pages),
    );
    this.pages = pages;
    this.reason = reason;
  }
}

/** A request cancelled through its AbortSignal. `isCancellation()` recognises it by name. */
export class AbortError extends Error {
  constructor(message = 'The request was cancelled.') {
    super(message);
    this.name = 'AbortError';
  }
}

function codeFor(status: number): string {
  if (status === 429) return 'throttled';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'bad-request';
  return 'http-error';
}

/**
 * Reads Graph (`{error:{code,message,innerError:{request-id}}}`), MDE (`{error:{code,message,target}}`) and
 * Log Analytics-style nested `innererror` chains (`{code,message,line,pos,token,innererror}`). Lenient: any
 * field may be missing, and keys are matched case-insensitively.
 */
export function parseErrorBody(body: unknown): {
  code?: string;
  message?: string;
  requestId?: string;
  details: ApiErrorDetails;
} {
  const root = pick(body, 'error');
  const messages: string[] = [];
  const codes: string[] = [];
  let line: number | undefined;
  let pos: number | undefined;
  let token: string | undefined;
  let requestId: string | undefined;
  let node: unknown = root ?? body;
  for (let depth = 0; node && typeof node === 'object' && depth < 8; depth++) {
    const code = str(pick(node, 'code'));
    const message = str(pick(node, 'message'));
    if (code) codes.push(code);
    if (message) messages.push(message);
    const l = num(pick(node, 'line'));
    const p = num(pick(node, 'pos'));
    if (l !== undefined) line = l;
    if (p !== undefined) pos = p;
    token = str(pick(node, 'token')) ?? token;
    requestId ??=
      str(pick(node, 'request-id')) ?? str(pick(node, 'requestId')) ?? str(pick(node, 'correlationId')) ?? str(pick(node, 'target'));
    node = pick(node, 'innerError');
  }
  return {
    code: codes[0],
    message: messages.find((m) => m.trim().length > 0),
    requestId,
    details: { messages, codes, line, pos, token },
  };
}

function pick(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * `Retry-After` is seconds or an HTTP date. Returns seconds (≥ 0), or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed)));
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** How much text after "again in" the duration parser looks at. */
const RETRY_WINDOW = 120;

/**
 * Advanced hunting's CPU-quota message says when queries can run again: "You can run queries again in
 * <duration>." The duration appears as `hh:mm:ss`, or as words ("12 minutes", "1 hour and 5 minutes").
 */
export function retryAfterFromMessage(message: string | undefined): number | undefined {
  if (!message) return undefined;
  // The message comes from outside: find the phrase with indexOf and parse a bounded window after it, so no
  // regular expression ever sees more than RETRY_WINDOW characters (a 100,000-character 429 message used to
  // block the extension host for seconds).
  const at = message.search(/again in\s/i);
  if (at < 0) return undefined;
  const window = message.slice(at + 'again in'.length, at + 'again in'.length + RETRY_WINDOW);
  const dot = window.indexOf('.');
  const text = (dot >= 0 ? window.slice(0, dot) : window).trim();
  if (!text) return undefined;
  const clock = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})/.exec(text);
  if (clock) {
    const [, d, h, mi, s] = clock;
    return Number(d ?? 0) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s);
  }
  let total = 0;
  let found = false;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)\s*(days?|d|hours?|h|minutes?|mins?|m|seconds?|secs?|s)\b/gi)) {
    found = true;
    const n = Number(part[1]);
    const unit = part[2]!.toLowerCase();
    total += unit.startsWith('d') ? n * 86400 : unit.startsWith('h') ? n * 3600 : unit.startsWith('m') ? n * 60 : n;
  }
  return found ? Math.ceil(total) : undefined;
}
