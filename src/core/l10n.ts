/**
 * Localisation for pure modules (no `vscode` import). Same call shape as `vscode.l10n.t` and `@vscode/l10n`'s
 * `l10n.t`, so `scripts/l10n.mjs` extracts these calls into `l10n/bundle.l10n.json` like the adapters' ones:
 *
 *   import { l10n } from '../core/l10n';
 *   l10n.t('Tamper protection is off.');
 *   l10n.t('Troubleshooting mode ends in {0}.', formatDuration(ms));
 *
 * At activation the extension installs `vscode.l10n.t` as the translator (`src/infra/l10n.ts`), so pure code in
 * the extension host translates with the bundle VS Code loaded for the display language. It lives on
 * `globalThis` because a lazily loaded bundle (the hunting engine) has its own copy of this module.
 * Without a translator (unit tests, the KQL language server until it is given a bundle) the English text is
 * formatted as `vscode.l10n.t` formats it.
 *
 * Why not `@vscode/l10n` here: its README says not to use it in the extension's main process (VS Code loads the
 * translations there itself); it is meant for subprocesses. Pure modules run in the main process.
 */

export type L10nArg = string | number | boolean;
export type Translate = (message: string, ...args: any[]) => string;
/** The contents of a bundle file (`bundle.l10n.<locale>.json`): key to message (or message with comments). */
export type L10nBundle = Record<string, string | { message: string; comment?: string[] }>;

const TRANSLATOR = Symbol.for('defenderTroubleshooting.l10n.translate');
type Holder = { [TRANSLATOR]?: Translate };

/** `{0}`/`{name}` placeholders, filled as VS Code fills them; an unknown placeholder stays as written. */
export function formatMessage(message: string, args: readonly L10nArg[] | Record<string, unknown>): string {
  const values = args as Record<string, unknown>;
  if (Object.keys(values).length === 0) return message;
  return message.replace(/\{([^}]+)\}/g, (match, key: string) => {
    const v = values[key];
    return v === undefined || v === null ? match : String(v);
  });
}

function translate(message: string, rest: unknown[]): string {
  const impl = (globalThis as Holder)[TRANSLATOR];
  if (impl) return impl(message, ...rest);
  const args = rest.length === 1 && typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as Record<string, unknown>) : (rest as L10nArg[]);
  return formatMessage(message, args);
}

export const l10n = {
  /** A user-facing message, translated when a translator is installed. The message must be a literal. */
  t(message: string, ...args: L10nArg[] | [Record<string, L10nArg>]): string {
    return translate(message, args);
  },
};

/** Installs the translator for every copy of this module in the process (undefined removes it). */
export function setTranslator(fn: Translate | undefined): void {
  (globalThis as Holder)[TRANSLATOR] = fn;
}

/** A translator over a bundle's contents, for processes without `vscode` (e.g. the KQL language server). */
export function translatorFromBundle(bundle: L10nBundle): Translate {
  return (message: string, ...rest: unknown[]) => {
    const entry = bundle[message];
    const text = entry === undefined ? message : typeof entry === 'string' ? entry : entry.message;
    const args = rest.length === 1 && typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as Record<string, unknown>) : (rest as L10nArg[]);
    return formatMessage(text, args);
  };
}
