import { loadBundledSchema } from '../../../src/kql/schema/bundled';
import { KqlLanguageService } from '../../../src/kql/service/kqlService';
import { loadKusto } from '../../../src/kql/service/kustoRuntime';

let shared: KqlLanguageService | undefined;
export const kustoErrors: string[] = [];

/** One service for the whole run: loading Kusto takes about a second. Tests must not change its schema. */
export function sharedService(): KqlLanguageService {
  shared ??= new KqlLanguageService(loadKusto(), loadBundledSchema(), {
    analyzers: true,
    onError: (what, message) => kustoErrors.push(`${what}: ${message}`),
  });
  return shared;
}

/** A service of its own, for tests that change the schema or the options. */
export function freshService(analyzers = true): KqlLanguageService {
  return new KqlLanguageService(loadKusto(), loadBundledSchema(), {
    analyzers,
    onError: (what, message) => kustoErrors.push(`${what}: ${message}`),
  });
}

/** Offset of the n-th (0-based) occurrence of `needle` in `text`. */
export function at(text: string, needle: string, nth = 0): number {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" #${nth} not in the text`);
  }
  return i;
}
