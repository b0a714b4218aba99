/**
 * The one way a value reaches PowerShell: as a complete single-quoted (verbatim) literal.
 *
 * PowerShell's tokenizer (CharTraits.cs / tokenizer.cs ScanStringLiteral, see
 * /work/shared/reference/powershell.md §2) treats five characters as single quotes: ' U+2018 U+2019 U+201A U+201B.
 * Inside a single-quoted string nothing is special except those five; a pair of them is an escape that keeps the
 * second. So doubling every one of them (what CodeGeneration.EscapeSingleQuotedStringContent does) makes any text
 * inert. `$`, backticks, `;`, `"`, newlines and dashes need no escaping inside '...'.
 */
import { DefenderToolError } from '../core/errors';
import { l10n } from '../core/l10n';

/** What the value is (names the value in error messages). No kind may carry control characters. */
export type QuoteKind = 'text' | 'name' | 'path';

const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
// C0 (tab and line breaks included), DEL, C1 (NEL, the 8-bit CSI U+009B…), and the Unicode line and paragraph
// separators: typed into a terminal they end the line, interrupt (U+0003), or start an escape sequence.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0001-\u001F\u007F-\u009F\u2028\u2029]/;

export class InvalidPowerShellValueError extends DefenderToolError {
  constructor(message: string) {
    super('invalidValue', message, { expected: true });
  }
}

/**
 * Returns `value` as a single-quoted PowerShell literal, e.g. `it's` → `'it''s'`.
 * Rejects NUL (Node refuses it in argv and Win32 truncates at it, so what Defender stores could differ from what
 * was shown) and every other control character, whatever the kind: commands are also typed into the "Defender
 * PowerShell" terminal, where `\u0003` interrupts, `\u001b[2K` erases the line and a newline runs what came
 * before, while the confirmation dialog would not show them. Windows paths and names cannot contain them anyway.
 */
export function quotePs(value: string, kind: QuoteKind = 'text'): string {
  if (typeof value !== 'string') {
    throw new InvalidPowerShellValueError(l10n.t('Expected text for PowerShell, got {0}.', typeof value));
  }
  if (value.includes('\0')) {
    throw new InvalidPowerShellValueError(l10n.t('The value contains a NUL character, which PowerShell and Windows cannot pass on safely.'));
  }
  const bad = CONTROL_CHARS.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    const what = kind === 'path' ? 'Windows paths cannot contain one' : kind === 'name' ? 'names cannot contain one' : 'it would act on the terminal instead of being text';
    throw new InvalidPowerShellValueError(l10n.t('The {0} contains a control character (U+{1}); {2}.', kind === 'text' ? 'value' : kind, code, what));
  }
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** Booleans only ever appear as these two constants. */
export function psBool(value: boolean): '$true' | '$false' {
  return value ? '$true' : '$false';
}

/** Integers only from validated numbers. */
export function psInt(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new InvalidPowerShellValueError(l10n.t('Expected an integer for PowerShell, got {0}.', String(value)));
  }
  return String(value);
}

/** A comma-separated list of quoted literals (PowerShell's array syntax in argument mode). */
export function quotePsList(values: readonly string[], kind: QuoteKind = 'text'): string {
  if (values.length === 0) throw new InvalidPowerShellValueError(l10n.t('Expected at least one value.'));
  return values.map((v) => quotePs(v, kind)).join(', ');
}
