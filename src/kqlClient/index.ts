/**
 * The VS Code side of the KQL language features: starts the language server (dist/kqlServer.js, its own
 * process over IPC) when the first KQL document opens, never during activation, and forwards settings and the
 * refreshed schema to it. Kusto itself is never loaded in the extension host.
 */
import * as vscode from 'vscode';
import { keepUntitledKql } from './untitledLanguage';
import { DefenderApiError } from '../api/errors';
import { CommandIds, NS, SettingIds } from '../constants';
import { DefenderToolError, WorkspaceNotTrustedError } from '../core/errors';
import { Disposable, toDisposable } from '../core/lifecycle';
import { componentLogger, type ILogger } from '../core/logger';
import { registerCommand } from '../infra/commandRunner';
import {
  KQL_LANGUAGE_ID,
  KQL_SERVER_EXEC_ARGV,
  KqlNotifications,
  KqlRequests,
  type KqlInitializationOptions,
  type KqlSchemaSummary,
  type KqlServerSettings,
  type KqlServerStatus,
} from '../kql/protocol';
import { refreshSchema, type SchemaRefreshOutcome } from '../kql/schema/refresh';
import { parseSchema } from '../kql/schema/schema';
import { graphHuntingQuery, type KqlAuth, type RunHuntingQuery } from './huntingQuery';
import type { KqlClientHandle } from './languageClient';
import { SchemaStore } from './schemaStore';

export type { KqlAuth, RunHuntingQuery } from './huntingQuery';

export interface KqlLanguageDeps {
  readonly log: ILogger;
  readonly auth: KqlAuth;
  /** How "Refresh schema" runs `getschema`; defaults to Microsoft Graph runHuntingQuery (src/api). */
  readonly runHuntingQuery?: RunHuntingQuery;
}

/** The client id: VS Code reads `defenderTroubleshooting.kql.trace.server` for it. */
const CLIENT_ID = `${NS}.kql`;
const CLIENT_NAME = 'Defender KQL';

type ClientModule = typeof import('./languageClient');

function readSettings(): KqlServerSettings {
  const cfg = vscode.workspace.getConfiguration();
  return {
    diagnosticsEnabled: cfg.get<boolean>(SettingIds.kqlDiagnosticsEnabled, true),
    analyzersEnabled: cfg.get<boolean>(SettingIds.kqlDiagnosticsAnalyzers, true),
  };
}

function isKqlDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === KQL_LANGUAGE_ID;
}

export class KqlLanguageFeature extends Disposable {
  private client: KqlClientHandle | undefined;
  private starting: Promise<KqlClientHandle> | undefined;
  private readonly store: SchemaStore;
  private readonly log: ILogger;
  private readonly runQuery: RunHuntingQuery;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: KqlLanguageDeps,
  ) {
    super();
    this.log = componentLogger(deps.log, 'kql');
    this.store = new SchemaStore(context.globalStorageUri, this.log);
    this.runQuery = deps.runHuntingQuery ?? graphHuntingQuery(deps.auth, deps.log);
    this.register(
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isKqlDocument(doc)) void this.startQuietly();
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${NS}.kql`) && this.client?.isRunning()) {
          void this.client.sendNotification(KqlNotifications.setSettings, readSettings());
        }
      }),
    );
    this.register(toDisposable(() => void this.stop()));
    // A KQL file that was already open activated the extension: start after activation returns.
    if (vscode.workspace.textDocuments.some(isKqlDocument)) setTimeout(() => void this.startQuietly(), 0);
  }

  get isStarted(): boolean {
    return !!this.client?.isRunning();
  }

  private async startQuietly(): Promise<void> {
    try {
      await this.ensureStarted();
    } catch (err) {
      this.log.error(`the KQL language server did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Starts the server once; concurrent callers share the start. */
  ensureStarted(): Promise<KqlClientHandle> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<KqlClientHandle> {
    const started = performance.now();
    // Required here, not imported: vscode-languageclient lives in its own bundle (see languageClient.ts).
    const { startLanguageClient } = require(this.context.asAbsolutePath('dist/kqlClient.js')) as ClientModule;
    const cached = await this.store.load();
    const initializationOptions: KqlInitializationOptions = { settings: readSettings(), ...(cached ? { schema: cached } : {}) };
    const channel = (this.deps.log as { channel?: vscode.OutputChannel }).channel;
    const client = await startLanguageClient({
      id: CLIENT_ID,
      name: CLIENT_NAME,
      serverModule: this.context.asAbsolutePath('dist/kqlServer.js'),
      execArgv: KQL_SERVER_EXEC_ARGV,
      languageId: KQL_LANGUAGE_ID,
      initializationOptions,
      ...(channel ? { outputChannel: channel } : {}),
    });
    this.client = client;
    this.log.info(`language server started in ${(performance.now() - started).toFixed(0)} ms${cached ? ' with the cached tenant schema' : ''}`);
    return client;
  }

  async stop(): Promise<void> {
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    this.client = undefined;
    if (client) await client.stop(2000).catch((err: unknown) => this.log.debug(`stop: ${String(err)}`));
  }

  async restart(): Promise<KqlServerStatus> {
    await this.stop();
    const client = await this.ensureStarted();
    return client.sendRequest<KqlServerStatus>(KqlRequests.status);
  }

  async status(): Promise<KqlServerStatus> {
    const client = await this.ensureStarted();
    return client.sendRequest<KqlServerStatus>(KqlRequests.status);
  }

  /** Runs `getschema` for every table through advanced hunting, caches the result and hands it to the server. */
  async refreshSchema(): Promise<SchemaRefreshOutcome & { summary: KqlSchemaSummary }> {
    if (!vscode.workspace.isTrusted) throw new WorkspaceNotTrustedError(vscode.l10n.t('Refreshing the KQL schema'));
    if (!this.deps.auth.isSignedIn) {
      throw new DefenderToolError('not-signed-in', vscode.l10n.t('Sign in to Microsoft to read the advanced hunting schema of your tenant.'), {
        action: { title: vscode.l10n.t('Sign In'), command: CommandIds.signIn },
      });
    }
    // The server holds the schema in use (bundled or cached); ask it rather than carry the JSON in this bundle.
    const client = await this.ensureStarted();
    const base = parseSchema(await client.sendRequest(KqlRequests.getSchema));
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the advanced hunting schema'), cancellable: true },
      (progress, token) =>
        refreshSchema(base, (q) => this.runQuery(q), {
          // 400: the service refused the query itself (e.g. a table it cannot resolve); try table by table.
          canRetryPerTable: (err) => err instanceof DefenderApiError && err.status === 400,
          isCancelled: () => token.isCancellationRequested,
          onProgress: (done, total) => progress.report({ message: vscode.l10n.t('{0}/{1} tables', done, total) }),
        }),
    );
    if (outcome.updated.length === 0 && outcome.added.length === 0) {
      throw new DefenderToolError('schema-empty', vscode.l10n.t('Advanced hunting returned no columns; the schema was not changed.'));
    }
    await this.store.save(outcome.schema);
    const summary = await client.sendRequest<KqlSchemaSummary>(KqlRequests.setSchema, { schema: outcome.schema });
    this.log.info(
      `schema refreshed: ${outcome.updated.length} tables updated, ${outcome.added.length} added, ${outcome.missing.length} not in this tenant (${outcome.queries} quer${outcome.queries === 1 ? 'y' : 'ies'})`,
    );
    void vscode.window.showInformationMessage(
      vscode.l10n.t('KQL schema refreshed from your tenant: {0} tables updated{1}{2}.', outcome.updated.length, outcome.added.length ? vscode.l10n.t(', {0} new', outcome.added.length) : '', outcome.missing.length ? vscode.l10n.t('; {0} tables not available in this tenant keep their built-in columns', outcome.missing.length) : ''),
    );
    return { ...outcome, summary };
  }
}

/** Registers the KQL language features; the server starts with the first KQL document. */
export function registerKqlLanguage(context: vscode.ExtensionContext, deps: KqlLanguageDeps): KqlLanguageFeature {
  const feature = new KqlLanguageFeature(context, deps);
  context.subscriptions.push(
    feature,
    keepUntitledKql(context.workspaceState, deps.log),
    registerCommand(CommandIds.kqlRefreshSchema, () => feature.refreshSchema(), deps.log),
    registerCommand(CommandIds.kqlRestartServer, () => feature.restart(), deps.log),
  );
  return feature;
}
