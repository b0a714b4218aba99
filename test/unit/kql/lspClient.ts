/**
 * A minimal LSP client over stdio for the KQL server, used by the server unit test (server run from source
 * with tsx) and by bench/kql-language.bench.ts (the built dist/kqlServer.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { code?: string | number; message: string; severity?: number; source?: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
}

export class LspTestClient {
  readonly started = performance.now();
  readonly connection: MessageConnection;
  readonly logs: string[] = [];
  private readonly waiters: { match: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  private readonly child: ChildProcess;

  /** `argv`: what to run with node, e.g. [...execArgv, 'dist/kqlServer.js']; `--stdio` is added. */
  constructor(argv: readonly string[], cwd?: string) {
    this.child = spawn(process.execPath, [...argv, '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.match(p)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    // VS Code answers the server's refresh requests; so does this client.
    this.connection.onRequest('workspace/semanticTokens/refresh', () => null);
    this.connection.listen();
  }

  /** Resolves with the next publish that matches; register before sending what causes it. */
  diagnosticsFor(match: (p: PublishedDiagnostics) => boolean, timeoutMs = 60_000): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for diagnostics')), timeoutMs);
      this.waiters.push({ match, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  }

  async initialize(initializationOptions: unknown = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { semanticTokens: { refreshSupport: true } } },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kql', version, text } });
  }

  /** Replaces the whole text (full sync is accepted by an incremental server). */
  change(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // The process may already be gone.
    }
    this.connection.dispose();
    this.child.kill();
  }
}
