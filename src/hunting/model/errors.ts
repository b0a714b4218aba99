/**
 * Turns a failed hunting run into something the user can act on, where it happened: a syntax error at its
 * position in the query, a quota error with when queries can run again, the documented limits by name.
 * Pure: the adapter turns `position` into an editor range and `retryAt` into a local time.
 */
import { describeError } from '../../core/errors';
import { AuthRequiredError, DefenderApiError, NetworkError } from '../../api/errors';
import { HUNTING_LIMITS } from '../../api/graph';
import { l10n } from '../../core/l10n';

export type FailureKind =
  | 'syntax'
  | 'semantic'
  | 'quota'
  | 'throttled'
  | 'size-limit'
  | 'row-limit'
  | 'timeout'
  | 'auth'
  | 'forbidden'
  | 'network'
  | 'service'
  | 'bad-request';

/** A place in the query text: 0-based line and column, and a length (≥ 1). */
export interface QueryPosition {
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

export interface HuntingFailure {
  readonly kind: FailureKind;
  readonly title: string;
  readonly message: string;
  readonly position?: QueryPosition;
  /** Seconds until queries can run again (quota / throttling). */
  readonly retryAfterSec?: number;
  /** Epoch ms when queries can run again. */
  readonly retryAt?: number;
  readonly requestId?: string;
}

const PARSED_AT = /could not be parsed at '((?:[^']|'(?!\s+on line))*)' on line \[(\d+),(\d+)\]/i;
const RESOLVE = /Failed to resolve (?:table or column |scalar |table |column )?(?:expression )?named '([^']+)'/i;
const SIZE = /exceeded the allowed result size|result size limit exceeded|result set has exceeded/i;
const TIMEOUT = /exceeded the (?:allowed )?time(?:out| limit)|timeout period|timed out/i;
const QUOTA = /processing resources|allocated resources|cpu|quota|run queries again/i;
const ROWS = /row(?:s)? limit|100,?000 rows|number of records/i;

/** Service messages longer than this are cut before any pattern runs on them (real ones are a few lines). */
export const MAX_PARSED_MESSAGE = 4000;

function bounded(text: string): string {
  return text.length > MAX_PARSED_MESSAGE ? text.slice(0, MAX_PARSED_MESSAGE) : text;
}

export function formatBytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

// Not toLocaleString: Intl's first use costs ~15 ms and this runs while the extension activates.
const ROW_LIMIT_TEXT = String(HUNTING_LIMITS.maxRows).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Finds `name` as a whole word in the query, outside // comments and string literals. */
export function locateName(query: string, name: string): QueryPosition | undefined {
  const lines = query.split(/\r\n|\r|\n/);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![\\w$])${escaped}(?![\\w$])`, 'g');
  for (let l = 0; l < lines.length; l++) {
    const code = maskStringsAndComments(lines[l]!);
    re.lastIndex = 0;
    const m = re.exec(code);
    if (m) return { line: l, column: m.index, length: name.length };
  }
  return undefined;
}

function maskStringsAndComments(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '/' && line[i + 1] === '/') return out + ' '.repeat(line.length - i);
    if (c === '"' || c === "'") {
      const start = i;
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i = Math.min(line.length, i + 1);
      out += ' '.repeat(i - start);
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The position of a Kusto "[line,pos]" report (line 1-based, pos 0-based), clamped to the query. */
export function positionFrom(query: string, line1: number, pos: number, token: string | undefined): QueryPosition {
  const lines = query.split(/\r\n|\r|\n/);
  const line = Math.min(Math.max(0, line1 - 1), lines.length - 1);
  const text = lines[line] ?? '';
  const eof = !token || token === '<EOF>' || token === '';
  const column = Math.min(Math.max(0, pos), Math.max(0, text.length - (eof ? 1 : 0)));
  const length = eof ? 1 : Math.max(1, Math.min(token.length, text.length - column || 1));
  return { line, column, length };
}

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function waitText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${minutes % 60} min`;
}

export function classifyHuntingError(err: unknown, query: string, now: number): HuntingFailure {
  if (err instanceof AuthRequiredError) {
    return { kind: 'auth', title: l10n.t('Sign-in needed'), message: err.message };
  }
  if (err instanceof NetworkError) {
    return err.timedOut
      ? {
          kind: 'timeout',
          title: l10n.t('No answer in time'),
          message: l10n.t('{0} Advanced hunting stops a query after {1} s; make the query cheaper or narrow the timespan.', err.message, HUNTING_LIMITS.maxRequestSeconds),
        }
      : { kind: 'network', title: l10n.t('Network error'), message: err.message };
  }
  if (!(err instanceof DefenderApiError)) {
    return { kind: 'service', title: l10n.t('Query failed'), message: describeError(err) };
  }
  // Service text is outside input: the patterns below only ever see a bounded prefix of it.
  const messages = (err.details?.messages ?? []).map(bounded);
  const serviceMessage = bounded(messages.join(' ') || err.message);
  const base = { requestId: err.requestId };

  if (err.status === 429) {
    const secs = err.retryAfter;
    const retryAt = secs !== undefined ? now + secs * 1000 : undefined;
    const when = secs !== undefined ? ` You can run queries again at ${clock(retryAt!)} (in ${waitText(secs)}).` : ' Wait a few minutes and run it again.';
    const quota = QUOTA.test(serviceMessage);
    return {
      ...base,
      kind: quota ? 'quota' : 'throttled',
      title: quota ? l10n.t('Advanced hunting quota reached') : l10n.t('Too many hunting requests'),
      message: quota
        ? l10n.t('Your tenant has used its advanced hunting CPU quota for now (it resets every 15 minutes and daily).{0}', when)
        : l10n.t('Advanced hunting allows about 45 calls a minute and 1,500 an hour per tenant.{0}', when),
      retryAfterSec: secs,
      retryAt,
    };
  }
  if (err.status === 403) {
    return {
      ...base,
      kind: 'forbidden',
      title: l10n.t('Not allowed'),
      message: l10n.t('{0} Advanced hunting through Microsoft Graph needs the ThreatHunting.Read.All permission and a Defender role that can view data.', err.message),
    };
  }
  if (err.status === 408 || err.status === 504 || TIMEOUT.test(serviceMessage)) {
    return {
      ...base,
      kind: 'timeout',
      title: l10n.t('Query timed out'),
      message: l10n.t('The query ran past advanced hunting\'s time limit ({0} s per request). Make it cheaper (filter early, summarize) or narrow the timespan.', HUNTING_LIMITS.maxRequestSeconds),
    };
  }
  if (SIZE.test(serviceMessage)) {
    return {
      ...base,
      kind: 'size-limit',
      title: l10n.t('Result over the {0} limit', formatBytes(HUNTING_LIMITS.maxResultBytes)),
      message: l10n.t('The result is larger than advanced hunting\'s {0} result-size limit per request. Return fewer columns (project) or rows (where, summarize, take), or narrow the timespan.', formatBytes(HUNTING_LIMITS.maxResultBytes)),
    };
  }
  if (err.status >= 400 && err.status < 500) {
    const parsed = PARSED_AT.exec(serviceMessage);
    if (parsed || (err.details?.line !== undefined && err.details.pos !== undefined)) {
      const token = parsed ? parsed[1] : err.details?.token;
      const line = parsed ? Number(parsed[2]) : err.details!.line!;
      const pos = parsed ? Number(parsed[3]) : err.details!.pos!;
      const position = positionFrom(query, line, pos, token);
      return {
        ...base,
        kind: 'syntax',
        title: l10n.t('Syntax error'),
        // The service's position is relative to the query; the editor position replaces it.
        message: (messages.find((m) => PARSED_AT.test(m)) ?? bounded(err.message)).replace(/(?<!\s)\s+on line \[\d+,\d+\]/, ''),
        position,
      };
    }
    const resolve = RESOLVE.exec(serviceMessage);
    if (resolve) {
      return {
        ...base,
        kind: 'semantic',
        title: l10n.t('Unknown name'),
        message: serviceMessage,
        position: locateName(query, resolve[1]!),
      };
    }
    if (ROWS.test(serviceMessage)) {
      return {
        ...base,
        kind: 'row-limit',
        title: l10n.t('Over the {0}-row limit', ROW_LIMIT_TEXT),
        message: l10n.t('{0} Advanced hunting returns at most {1} rows per query.', serviceMessage, ROW_LIMIT_TEXT),
      };
    }
    return { ...base, kind: 'bad-request', title: l10n.t('The service refused the query'), message: serviceMessage };
  }
  return {
    ...base,
    kind: 'service',
    title: l10n.t('Service error (HTTP {0})', err.status),
    message: `${err.message}${err.requestId ? ` Request id: ${err.requestId}.` : ''}`,
  };
}

export interface LimitNotice {
  readonly level: 'info' | 'warning';
  readonly code: 'row-limit' | 'grid-limit' | 'no-rows';
  readonly text: string;
}

/** What to say about a successful result's size. */
export function limitNotices(returnedRows: number, shownRows: number, timespanLabel: string): LimitNotice[] {
  const notices: LimitNotice[] = [];
  if (returnedRows === 0) {
    notices.push({ level: 'info', code: 'no-rows', text: l10n.t('No rows in the {0} searched. The query\'s own filters (ago(), where) apply as well.', timespanLabel) });
  }
  if (returnedRows >= HUNTING_LIMITS.maxRows) {
    notices.push({
      level: 'warning',
      code: 'row-limit',
      text: l10n.t('The result reached advanced hunting\'s {0}-row limit per query, so rows beyond it were not returned. Narrow the query (where, summarize, take) or the timespan to see everything.', ROW_LIMIT_TEXT),
    });
  }
  if (shownRows < returnedRows) {
    notices.push({
      level: 'info',
      code: 'grid-limit',
      text: l10n.t('Showing the first {0} of {1} rows (setting defenderTroubleshooting.hunting.maxRowsInGrid). Export includes all {2}.', shownRows.toLocaleString('en-US'), returnedRows.toLocaleString('en-US'), returnedRows.toLocaleString('en-US')),
    });
  }
  return notices;
}

/** Maps a query-relative position to the document: the query starts at `origin` (0-based line, character). */
export function toDocumentPosition(
  origin: { readonly line: number; readonly character: number },
  pos: QueryPosition,
): { line: number; character: number; endCharacter: number } {
  const line = origin.line + pos.line;
  const character = (pos.line === 0 ? origin.character : 0) + pos.column;
  return { line, character, endCharacter: character + Math.max(1, pos.length) };
}
