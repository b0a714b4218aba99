/**
 * Graph runHuntingQuery's optional `Timespan`: an ISO 8601 duration (`P30D`, `PT4H15M`), a start/end pair,
 * `duration/end`, `start/duration`, or a single start time. Omitted, the service uses 30 days.
 */
import { l10n } from '../core/l10n';

const DURATION = /^P(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

export function isIsoDuration(text: string): boolean {
  return DURATION.test(text.trim());
}

function isDateTime(text: string): boolean {
  return DATETIME.test(text.trim()) && !Number.isNaN(Date.parse(text.trim()));
}

/** Returns an error message, or undefined when `text` is a timespan Graph accepts. @l10n */
export function validateTimespan(text: string): string | undefined {
  const t = text.trim();
  if (!t) return l10n.t('Enter a timespan, for example P7D or 2024-02-01T08:00:00Z/2024-02-15T08:00:00Z.');
  const parts = t.split('/');
  if (parts.length === 1) {
    if (isIsoDuration(t) || isDateTime(t)) return undefined;
  } else if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    const ok =
      (isDateTime(a) && isDateTime(b) && Date.parse(a) < Date.parse(b)) ||
      (isIsoDuration(a) && isDateTime(b)) ||
      (isDateTime(a) && isIsoDuration(b));
    if (ok) return undefined;
    if (isDateTime(a) && isDateTime(b)) return l10n.t('The start must be before the end.');
  }
  return l10n.t('"{0}" is not an ISO 8601 timespan. Use a duration (P7D, PT4H15M), start/end, duration/end, start/duration or a start time.', t);
}

/** Milliseconds of an ISO 8601 duration (years as 365 d, months as 30 d); undefined when not a duration. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const n = (s: string | undefined) => (s ? parseFloat(s) : 0);
  const days = n(m[1]) * 365 + n(m[2]) * 30 + n(m[3]) * 7 + n(m[4]);
  return ((days * 24 + n(m[6])) * 60 + n(m[7])) * 60_000 + n(m[8]) * 1000;
}

/** Short words for a duration, e.g. "4 h 15 min", "30 days". */
export function describeTimespan(text: string): string {
  const ms = durationMs(text);
  if (ms === undefined) return text;
  const mins = Math.round(ms / 60_000);
  if (mins % 1440 === 0) return mins === 1440 ? l10n.t('1 day') : l10n.t('{0} days', mins / 1440);
  if (mins >= 60) return mins % 60 ? l10n.t('{0} h {1} min', Math.floor(mins / 60), mins % 60) : l10n.t('{0} h', Math.floor(mins / 60));
  return l10n.t('{0} min', mins);
}
