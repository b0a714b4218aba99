/**
 * The one way to put untrusted text (API fields, PowerShell output, error messages) into Markdown that VS Code
 * renders in a tooltip or hover. Such text must stay text: no links, no remote images (a beacon on hover), no
 * `$(icon)` look-alikes, no HTML, no new block (heading, table row, list) from an embedded newline, no bare URL
 * that the renderer would turn into a link, and no way out of a code span.
 *
 * Callers build the Markdown around it themselves; the MarkdownString that carries it is never `isTrusted` and
 * never `supportHtml` (src/views/vmTree.ts).
 */

/** Longer text is cut: a tooltip is not the place for a 100 KB error body. */
export const MD_TEXT_MAX = 2000;

// Line breaks of every kind (CR, LF, NEL, LS, PS) and other C0/C1 control characters.
// eslint-disable-next-line no-control-regex
const BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

// Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and an escaped one is always a
// literal character. Escaping all of them (not a hand-picked list) also breaks `https://`, `www.` and `a@b.c`
// apart, so GFM's bare-URL and e-mail autolinks cannot form, and `$(…)` cannot become a theme icon.
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;

function oneLine(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (s.length > MD_TEXT_MAX) s = `${s.slice(0, MD_TEXT_MAX)}…`;
  return s.replace(BREAKS_AND_CONTROLS, ' ');
}

/** Untrusted text as literal Markdown text, on one line. */
export function mdText(value: unknown): string {
  return oneLine(value).replace(ASCII_PUNCTUATION, '\\$&');
}

/**
 * Untrusted text as an inline code span. Backslash escapes do not work inside a code span, so the fence is one
 * backtick longer than the longest run of backticks in the text, and the text is padded when it starts or ends
 * with a backtick (CommonMark §6.1).
 */
export function mdCode(value: unknown): string {
  const s = oneLine(value);
  let longest = 0;
  for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}
