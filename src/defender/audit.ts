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
      // After a crash the last line may be torn (no newline): start on a new line, so this entry stays readable.
      await fs.appendFile(this.file, (await endsMidLine(this.file)) ? `\n${line}` : line, 'utf8');
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
    const damaged: number[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const direct = parseEntry(line);
      const entry = direct ?? recoverEntry(line);
      if (entry) entries.push(entry);
      if (!direct) damaged.push(i + 1);
    });
    if (damaged.length) {
      this.log?.warn(`[audit] ${this.file} is damaged at line${damaged.length > 1 ? 's' : ''} ${damaged.join(', ')} (a torn or edited line); read past it.`);
    }
    return entries;
  }
}

/** True when the file exists, is not empty, and its last byte is not a newline. */
async function endsMidLine(file: string): Promise<boolean> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** One line as an entry, when it is a JSON object with the fields every entry has. */
function parseEntry(line: string): AuditEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const e = v as Record<string, unknown>;
  const ok =
    typeof e.time === 'string' &&
    typeof e.host === 'string' &&
    (e.kind === 'read' || e.kind === 'write') &&
    typeof e.operation === 'string' &&
    typeof e.script === 'string' &&
    typeof e.ok === 'boolean' &&
    typeof e.result === 'string';
  return ok ? (v as AuditEntry) : undefined;
}

/**
 * A torn line followed, on the same line, by a complete entry (written before appends started on a new line):
 * the entry is the last `{"time":` of the line that parses.
 */
function recoverEntry(line: string): AuditEntry | undefined {
  for (let at = line.lastIndexOf('{"time":'); at > 0; at = line.lastIndexOf('{"time":', at - 1)) {
    const entry = parseEntry(line.slice(at));
    if (entry) return entry;
  }
  return undefined;
}
