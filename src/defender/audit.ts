/**
 * The audit log: one JSON object per line for every PowerShell command that ran (when, where, the exact script,
 * the result), appended to a file in the extension's storage and mirrored to the log channel. The audit records
 * exactly what ran: redactSecrets (defence in depth; nothing the extension runs carries a credential) removes only
 * credentials recognised by what they are, never paths or names that merely contain `code=` or `Basic`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ILogger } from '../core/logger';
import { redactSecrets } from '../core/redact';

export interface AuditEntry {
  readonly time: string;
  readonly host: string;
  readonly kind: 'read' | 'write';
  /** What the extension was doing, e.g. "status", "playbook appSlow", "undo". */
  readonly operation: string;
  /** The script body exactly as it ran inside the fixed wrapper (see `wrapper`). */
  readonly script: string;
  readonly wrapper?: string;
  readonly via: 'background' | 'terminal';
  readonly ok: boolean;
  /** Verification outcome for writes, or an error code. */
  readonly result: string;
  readonly message?: string;
  /** The terminal's exit code, when shell integration reported one (0 or 1 from PowerShell's `$?`). */
  readonly exitCode?: number;
  readonly durationMs?: number;
}

export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly file: string, private readonly log?: ILogger) {}

  /** Appends one line; appends are serialized so lines never interleave. */
  append(entry: AuditEntry): Promise<void> {
    // Scrub each string, not the serialized line: the line must stay valid JSON whatever gets redacted.
    const line = JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'string' ? redactSecrets(value) : value)) + '\n';
    this.log?.info(
      `[audit] ${entry.kind} ${entry.operation} on ${entry.host} via ${entry.via}: ${entry.result}${entry.message ? ` (${entry.message})` : ''} :: ${entry.script.split('\n')[0]}`,
    );
    const next = this.queue.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.appendFile(this.file, line, 'utf8');
    });
    this.queue = next.catch((err) => this.log?.error(`[audit] could not write ${this.file}: ${String(err)}`));
    return next;
  }

  async read(): Promise<AuditEntry[]> {
    await this.queue;
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn last line after a crash: skip it, keep the rest.
      }
    }
    return entries;
  }
}
