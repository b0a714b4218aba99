/**
 * The vscode-languageclient part of the KQL feature, bundled on its own (dist/kqlClient.js) and required only
 * when the first KQL document opens: the library is most of the size the feature would add to the main bundle,
 * and nothing needs it before then.
 */
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export interface KqlClientOptions {
  /** The client id; VS Code reads `<id>.trace.server` for message tracing. */
  readonly id: string;
  readonly name: string;
  /** Absolute path of dist/kqlServer.js. */
  readonly serverModule: string;
  readonly execArgv: readonly string[];
  readonly languageId: string;
  readonly initializationOptions: unknown;
  readonly outputChannel?: vscode.OutputChannel;
}

/** What the rest of the feature needs from a running client. */
export interface KqlClientHandle {
  isRunning(): boolean;
  sendRequest<R>(method: string, params?: unknown): Promise<R>;
  sendNotification(method: string, params?: unknown): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

export async function startLanguageClient(options: KqlClientOptions): Promise<KqlClientHandle> {
  const execArgv = [...options.execArgv];
  const serverOptions: ServerOptions = {
    run: { module: options.serverModule, transport: TransportKind.ipc, options: { execArgv } },
    debug: { module: options.serverModule, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Every scheme: untitled files, local files, files on a Remote-SSH host, virtual file systems.
    documentSelector: [{ language: options.languageId }],
    initializationOptions: options.initializationOptions,
    diagnosticCollectionName: options.languageId,
    ...(options.outputChannel ? { outputChannel: options.outputChannel, traceOutputChannel: options.outputChannel } : {}),
  };
  const client = new LanguageClient(options.id, options.name, serverOptions, clientOptions);
  await client.start();
  return {
    isRunning: () => client.isRunning(),
    sendRequest: <R>(method: string, params?: unknown) => client.sendRequest<R>(method, params),
    sendNotification: (method, params) => client.sendNotification(method, params),
    stop: (timeoutMs) => client.stop(timeoutMs),
  };
}
