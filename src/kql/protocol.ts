/**
 * What the KQL language server and its client agree on, beyond LSP itself. Pure: the client imports this
 * without loading Kusto.
 */
import type { KqlSchema } from './schema/schema';
import type { KqlSemanticTokenType } from './types';

export const KQL_LANGUAGE_ID = 'kql';

/**
 * Node flags for the server process. Kusto.Language (Bridge.NET) allocates many short-lived objects; a larger
 * young generation means fewer scavenges, about a tenth less CPU per analysis in our measurements.
 */
export const KQL_SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=32'];

export interface KqlServerSettings {
  /** Publish diagnostics at all. */
  readonly diagnosticsEnabled: boolean;
  /** Include Kusto's analyzer hints (KS500 "use has", KS508 "join kind"…). */
  readonly analyzersEnabled: boolean;
}

export const DEFAULT_SERVER_SETTINGS: KqlServerSettings = { diagnosticsEnabled: true, analyzersEnabled: true };

export interface KqlInitializationOptions {
  readonly settings?: Partial<KqlServerSettings>;
  /** A schema cached from an earlier "Refresh schema" (KqlSchema JSON); the bundled one when absent. */
  readonly schema?: unknown;
}

export interface KqlSchemaSummary {
  readonly source: 'bundled' | 'tenant';
  readonly refreshedAt?: string;
  readonly tables: number;
  /** Tables whose columns are known. */
  readonly tablesWithColumns: number;
  readonly columns: number;
}

export interface KqlServerStatus {
  readonly schema: KqlSchemaSummary;
  /** Kusto's completion grammar is built (the first completion will be fast). */
  readonly warm: boolean;
  readonly openDocuments: number;
  readonly settings: KqlServerSettings;
  /** CPU time the server process has used (user + system), for benchmarks on busy machines. */
  readonly cpuMs: number;
  /** Heap in use, MB. */
  readonly heapMB: number;
  /** When the first diagnostics went out: process uptime and CPU used by then (ms). */
  readonly firstDiagnostics?: { readonly uptimeMs: number; readonly cpuMs: number };
}

export const KqlRequests = {
  /** params: `{ schema: KqlSchema }` (or null to go back to the bundled schema); result: KqlSchemaSummary. */
  setSchema: 'defenderTroubleshooting/kql/setSchema',
  /** result: the KqlSchema in use (bundled or tenant), as JSON. */
  getSchema: 'defenderTroubleshooting/kql/getSchema',
  /** result: KqlServerStatus. */
  status: 'defenderTroubleshooting/kql/status',
} as const;

export const KqlNotifications = {
  /** params: KqlServerSettings. */
  setSettings: 'defenderTroubleshooting/kql/setSettings',
} as const;

/** The semantic token legend, in index order (Kusto classifications → standard token types). */
export const SEMANTIC_TOKEN_TYPES: readonly KqlSemanticTokenType[] = ['class', 'property', 'function', 'variable', 'parameter', 'namespace', 'type'];
export const SEMANTIC_TOKEN_MODIFIERS = ['deprecated'] as const;

export function readServerSettings(raw: Partial<KqlServerSettings> | undefined): KqlServerSettings {
  return {
    diagnosticsEnabled: typeof raw?.diagnosticsEnabled === 'boolean' ? raw.diagnosticsEnabled : DEFAULT_SERVER_SETTINGS.diagnosticsEnabled,
    analyzersEnabled: typeof raw?.analyzersEnabled === 'boolean' ? raw.analyzersEnabled : DEFAULT_SERVER_SETTINGS.analyzersEnabled,
  };
}

export function summarizeSchema(schema: KqlSchema): KqlSchemaSummary {
  const withColumns = schema.tables.filter((t) => t.columns);
  return {
    source: schema.source,
    ...(schema.refreshedAt ? { refreshedAt: schema.refreshedAt } : {}),
    tables: schema.tables.length,
    tablesWithColumns: withColumns.length,
    columns: withColumns.reduce((n, t) => n + (t.columns?.length ?? 0), 0),
  };
}
