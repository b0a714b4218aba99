/**
 * Splits a KQL document into query blocks the way the Defender portal and Kusto Explorer do: a block is a run
 * of lines between blank (empty or whitespace-only) lines. Each block is analysed on its own, so `let`
 * statements in one block are not visible in the next, exactly as when the portal runs the query at the caret.
 *
 * A blank line inside a multi-line string literal (```…``` or ~~~…~~~) does not end a block, because it is
 * part of the literal. Quotes and comments are tracked only as far as needed to find those fences.
 */
export interface QueryBlock {
  /** Position of the block in the document's list of blocks. */
  readonly index: number;
  /** Offset of the block's first character in the document. */
  readonly start: number;
  /** Offset just past the block's last character (the last line's end, before its line break). */
  readonly end: number;
  /** Zero-based line of the first and last line of the block. */
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

interface Line {
  readonly start: number;
  /** Offset of the line break (or the document's end). */
  readonly end: number;
  readonly text: string;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    lines.push({ start, end: m.index, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  lines.push({ start, end: text.length, text: text.slice(start) });
  return lines;
}

type Fence = '```' | '~~~';

/**
 * Scans one line and returns the multi-line string fence still open at its end (or undefined). Single-line
 * strings ('…', "…", with backslash escapes; @'…', @"…" verbatim with doubled quotes) and `//` comments are
 * skipped so a fence-like sequence inside them is ignored.
 */
function fenceOpenAfter(line: string, open: Fence | undefined): Fence | undefined {
  let i = 0;
  let fence = open;
  while (i < line.length) {
    if (fence) {
      const close = line.indexOf(fence, i);
      if (close < 0) return fence;
      i = close + 3;
      fence = undefined;
      continue;
    }
    const c = line[i]!;
    if (c === '/' && line[i + 1] === '/') return undefined;
    if (line.startsWith('```', i) || line.startsWith('~~~', i)) {
      fence = line.slice(i, i + 3) as Fence;
      i += 3;
      continue;
    }
    if (c === '"' || c === "'") {
      const verbatim = i > 0 && line[i - 1] === '@';
      i = skipString(line, i, c, verbatim);
      continue;
    }
    i++;
  }
  return fence;
}

function skipString(line: string, openAt: number, quote: string, verbatim: boolean): number {
  let i = openAt + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (!verbatim && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (verbatim && line[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  // An unterminated single-line string ends with the line.
  return line.length;
}

function isBlank(text: string): boolean {
  return /^\s*$/.test(text);
}

export function splitBlocks(text: string): QueryBlock[] {
  const lines = splitLines(text);
  const blocks: QueryBlock[] = [];
  let first = -1;
  let fence: Fence | undefined;
  const close = (last: number) => {
    const start = lines[first]!.start;
    const end = lines[last]!.end;
    blocks.push({ index: blocks.length, start, end, startLine: first, endLine: last, text: text.slice(start, end) });
    first = -1;
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (!fence && isBlank(line.text)) {
      if (first >= 0) close(n - 1);
      continue;
    }
    if (first < 0) first = n;
    fence = fenceOpenAfter(line.text, fence);
  }
  if (first >= 0) {
    let last = lines.length - 1;
    // An unclosed fence swallowed trailing blank lines; the block still ends at its last non-blank line.
    while (last > first && isBlank(lines[last]!.text)) last--;
    close(last);
  }
  return blocks;
}

/**
 * The block that contains `offset` (both ends inclusive, so a caret just after the last character belongs to
 * the block). Undefined when the offset is on a blank line between blocks.
 */
export function blockAt(blocks: readonly QueryBlock[], offset: number): QueryBlock | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = blocks[mid]!;
    if (offset < b.start) hi = mid - 1;
    else if (offset > b.end) lo = mid + 1;
    else return b;
  }
  return undefined;
}

/** Blocks that overlap the range [start, end]. */
export function blocksInRange(blocks: readonly QueryBlock[], start: number, end: number): QueryBlock[] {
  return blocks.filter((b) => b.end >= start && b.start <= end);
}

/** True when the block holds nothing but `//` comments (nothing for the portal to run). */
export function isCommentOnly(block: QueryBlock): boolean {
  return block.text.split(/\r\n|\r|\n/).every((l) => isBlank(l) || /^\s*\/\//.test(l));
}

/**
 * Whether the selected text [start, end) is a query to run: it must cover at least one whole line (from the
 * line's first to its last non-blank character). Less than that (a word, a snippet's selected placeholder, part
 * of a line) is not a query; the run command then runs the block at the cursor.
 */
export function selectionIsQuery(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  let lineStart = text.lastIndexOf('\n', start - 1) + 1;
  while (lineStart < end) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const first = line.search(/\S/);
    if (first >= 0) {
      const last = line.trimEnd().length;
      if (start <= lineStart + first && end >= lineStart + last) return true;
    }
    lineStart = lineEnd + 1;
  }
  return false;
}
