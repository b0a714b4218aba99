/**
 * Makes what is hard to see in a command line visible in the confirmation dialog: characters outside printable
 * ASCII (Unicode quotes and dashes that PowerShell treats like ' and -, non-breaking and zero-width spaces,
 * bidirectional controls, look-alike letters) and quoted values with leading or trailing spaces. The command line
 * itself is shown exactly as it will run; these notes go next to it.
 */

/** Names for the characters people most often mistake for something else. */
const KNOWN: Readonly<Record<string, string>> = {
  '\u00A0': 'NO-BREAK SPACE',
  '\u00AD': 'SOFT HYPHEN',
  '\u2010': 'HYPHEN',
  '\u2011': 'NON-BREAKING HYPHEN',
  '\u2012': 'FIGURE DASH',
  '\u2013': 'EN DASH (PowerShell reads it as -)',
  '\u2014': 'EM DASH (PowerShell reads it as -)',
  '\u2015': 'HORIZONTAL BAR (PowerShell reads it as -)',
  '\u2018': "LEFT SINGLE QUOTATION MARK (PowerShell reads it as ')",
  '\u2019': "RIGHT SINGLE QUOTATION MARK (PowerShell reads it as ')",
  '\u201A': "SINGLE LOW-9 QUOTATION MARK (PowerShell reads it as ')",
  '\u201B': "SINGLE HIGH-REVERSED-9 QUOTATION MARK (PowerShell reads it as ')",
  '\u201C': 'LEFT DOUBLE QUOTATION MARK (PowerShell reads it as ")',
  '\u201D': 'RIGHT DOUBLE QUOTATION MARK (PowerShell reads it as ")',
  '\u201E': 'DOUBLE LOW-9 QUOTATION MARK (PowerShell reads it as ")',
  '\u200B': 'ZERO WIDTH SPACE',
  '\u200C': 'ZERO WIDTH NON-JOINER',
  '\u200D': 'ZERO WIDTH JOINER',
  '\u200E': 'LEFT-TO-RIGHT MARK',
  '\u200F': 'RIGHT-TO-LEFT MARK',
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202B': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202E': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
  '\uFEFF': 'ZERO WIDTH NO-BREAK SPACE (BOM)',
  '\u3000': 'IDEOGRAPHIC SPACE',
};

const isQuote = (c: string | undefined) => c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201A' || c === '\u201B';

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `value` with every character outside printable ASCII written as ⟨U+XXXX⟩, so the note itself hides nothing. */
export function visible(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp <= 0x7e ? ch : `⟨${codePoint(ch)}⟩`;
  }
  return out;
}

/** The values of the single-quoted literals in a command line (PowerShell's rule: a doubled quote is one). */
export function quotedValues(commandLine: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < commandLine.length) {
    if (!isQuote(commandLine[i])) {
      i++;
      continue;
    }
    let value = '';
    i++;
    while (i < commandLine.length) {
      const c = commandLine[i]!;
      if (isQuote(c)) {
        if (isQuote(commandLine[i + 1])) {
          value += commandLine[i + 1];
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += c;
      i++;
    }
    values.push(value);
  }
  return values;
}

/**
 * Notes for the confirmation dialog, one line each, or none when every command is plain printable ASCII and no
 * quoted value starts or ends with a space. Each unusual character is named once, with the value it is in.
 */
export function unusualNotes(commandLines: readonly string[]): string[] {
  const notes: string[] = [];
  const named = new Set<string>();
  for (const line of commandLines) {
    for (const value of quotedValues(line)) {
      if (value !== value.trim()) {
        const where = /^\s/.test(value) && /\s$/.test(value) ? 'starts and ends' : /^\s/.test(value) ? 'starts' : 'ends';
        notes.push(`The value '${visible(value)}' ${where} with a space.`);
      }
    }
    for (const ch of line) {
      const cp = ch.codePointAt(0)!;
      if ((cp >= 0x20 && cp <= 0x7e) || named.has(ch)) continue;
      named.add(ch);
      const value = quotedValues(line).find((v) => v.includes(ch));
      const name = KNOWN[ch] ?? (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? 'control character' : 'non-ASCII character');
      notes.push(`${codePoint(ch)} ${name}${value !== undefined ? ` in '${visible(value)}'` : ''}.`);
    }
  }
  return notes;
}
