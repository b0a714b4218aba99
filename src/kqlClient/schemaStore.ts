import * as vscode from 'vscode';
import type { ILogger } from '../core/logger';
import { parseSchema, type KqlSchema } from '../kql/schema/schema';

const FILE_NAME = 'kql-schema.json';

/**
 * The tenant schema from the last "Refresh schema", kept in the extension's global storage so the language
 * server starts with it next time (it is per machine, not per workspace: the tenant is the same).
 */
export class SchemaStore {
  constructor(
    private readonly storageUri: vscode.Uri,
    private readonly log: ILogger,
  ) {}

  private get fileUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.storageUri, FILE_NAME);
  }

  /** The cached schema, or undefined when there is none or it cannot be read (then the bundled one is used). */
  async load(): Promise<KqlSchema | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(this.fileUri);
    } catch {
      return undefined;
    }
    try {
      return parseSchema(JSON.parse(new TextDecoder().decode(bytes)), 'tenant');
    } catch (err) {
      this.log.warn(`[kql] ignoring the cached schema ${this.fileUri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  async save(schema: KqlSchema): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.storageUri);
    await vscode.workspace.fs.writeFile(this.fileUri, new TextEncoder().encode(JSON.stringify(schema)));
  }
}
