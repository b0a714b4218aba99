/**
 * Loads Microsoft's Kusto language service (@kusto/language-service-next: Kusto.Language compiled to JavaScript
 * with Bridge.NET). Its two files define globals (`Bridge`, `Kusto`, `System`) instead of exporting modules, and
 * loading them costs ~0.4 s and ~180 MB, so this runs only in the language server process (and in tests and the
 * bench), never in the extension host.
 *
 * The bridge ships no module typings, so the objects stay `any` here and in the service; the service turns
 * them into the plain types of ../types.ts before anything leaves it.
 */
export interface KustoRuntime {
  /** `Kusto.Language`. */
  readonly K: any;
  /** The Bridge.NET runtime (`Bridge.toArray` reads .NET lists). */
  readonly Bridge: any;
}

let loaded: KustoRuntime | undefined;

export function loadKusto(): KustoRuntime {
  if (loaded) return loaded;
  // Order matters: the second file calls Bridge.assembly(), defined by the first.
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const g = globalThis as { Kusto?: { Language?: unknown }; Bridge?: unknown };
  if (!g.Kusto?.Language || !g.Bridge) throw new Error('The Kusto language service did not load (no Kusto.Language global).');
  loaded = { K: g.Kusto.Language, Bridge: g.Bridge };
  return loaded;
}

/** Reads a .NET list (IReadOnlyList, List, array) as a JavaScript array. */
export function toArray<T = any>(rt: KustoRuntime, list: unknown): T[] {
  if (list === null || list === undefined) return [];
  if (Array.isArray(list)) return list as T[];
  return rt.Bridge.toArray(list) as T[];
}

/**
 * A one-line description of an error thrown inside the bridge. Its stack frames point into a multi-megabyte
 * single-line file, and an uncaught error would print that whole line, so callers catch and log only this.
 */
export function describeKustoError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = (message.split(/\r?\n/)[0] ?? '').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line || 'unknown error';
}
