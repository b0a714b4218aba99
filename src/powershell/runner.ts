/**
 * One PowerShell process per operation (powershell.md §1): no shell, no stdin, a fixed wrapper that prints one
 * JSON document, our own timeout that kills the whole process tree, and typed errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { DefenderToolError, UserCancelledError } from '../core/errors';
import type { ILogger } from '../core/logger';
import {
  DefenderUnavailableError,
  NotElevatedError,
  NotWindowsError,
  PowerShellNotFoundError,
  PowerShellScriptError,
  PowerShellTimeoutError,
  UnexpectedOutputError,
} from './errors';
import { MAX_SCRIPT_CHARS, powershellArgs, wrapScript } from './script';
import { l10n } from '../core/l10n';

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Aborting kills the PowerShell process tree (and what it started, e.g. a recording) and rejects with UserCancelledError. */
  readonly signal?: AbortSignal;
}

/** What the device engine needs from PowerShell: run a body, get its `data` back (or a typed error). */
export interface PowerShellRunner {
  run<T = unknown>(body: string, options?: RunOptions): Promise<T>;
}

export type ExecutableChoice =
  | { readonly kind: 'run'; readonly executable: string }
  | { readonly kind: 'unsupported'; readonly error: DefenderToolError };

/**
 * Which executable to start. A path the user set is always tried (the script itself reports a non-Windows host);
 * with no setting, Windows gets Windows PowerShell 5.1 (the Defender module's home) and other hosts run nothing.
 */
export function chooseExecutable(
  setting: string | undefined,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): ExecutableChoice {
  const configured = (setting ?? '').trim();
  if (configured) return { kind: 'run', executable: configured };
  if (platform === 'win32') {
    const root = env.SystemRoot || env.windir || 'C:\\Windows';
    return { kind: 'run', executable: path.win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe') };
  }
  return { kind: 'unsupported', error: new NotWindowsError(platform) };
}

/** The wire format the wrapper prints (src/powershell/script.ts). */
interface ResultDocument {
  ok: boolean;
  data?: unknown;
  message?: string;
  errorId?: string;
  category?: string;
  hresult?: number;
  platform?: string;
}

/** Finds the single JSON document in stdout (tolerating a BOM and surrounding whitespace). */
export function parseResultDocument(stdout: string): ResultDocument {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  if (!text) throw new UnexpectedOutputError(l10n.t('the output was empty.'));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Something printed before our document (a module warning written to stdout): the document is the last line.
    const last = text.split(/\r?\n/).pop() ?? '';
    try {
      doc = JSON.parse(last);
    } catch {
      throw new UnexpectedOutputError(`"${text.slice(0, 160)}${text.length > 160 ? '…' : ''}"`);
    }
  }
  if (typeof doc !== 'object' || doc === null || typeof (doc as ResultDocument).ok !== 'boolean') {
    throw new UnexpectedOutputError(l10n.t('the JSON has no "ok" field.'));
  }
  return doc as ResultDocument;
}

/** Maps a failure document to the typed error a user can act on. */
export function classifyFailure(doc: ResultDocument): DefenderToolError {
  const message = (doc.message ?? '').trim() || l10n.t('no message');
  const errorId = doc.errorId ?? '';
  if (doc.platform && doc.platform !== 'Win32NT') return new NotWindowsError(doc.platform === 'Unix' ? 'not Windows (Unix)' : doc.platform);
  if (errorId === 'NotWindows') return new NotWindowsError(message);
  if (/0x80070005/i.test(errorId) || doc.category === 'PermissionDenied') {
    const cmdlet = /,(\w+-Mp\w+)$/.exec(errorId)?.[1];
    return new NotElevatedError(cmdlet);
  }
  if (/^CommandNotFoundException/.test(errorId) && /Mp[A-Z]\w*/.test(message)) {
    return new DefenderUnavailableError(l10n.t('the Defender PowerShell module is not installed'));
  }
  // 0x800106ba: the Defender service is not running; 0x80070422: it is disabled.
  if (/0x800106ba|0x80070422/i.test(errorId)) return new DefenderUnavailableError(l10n.t('the Defender service is not running'));
  return new PowerShellScriptError(message, errorId);
}

export interface ProcessRunnerOptions {
  /** Resolved per run, so a settings change applies to the next operation. */
  readonly executable: () => ExecutableChoice;
  readonly log: ILogger;
  readonly defaultTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

export class ProcessPowerShellRunner implements PowerShellRunner {
  constructor(private readonly options: ProcessRunnerOptions) {}

  async run<T = unknown>(body: string, runOptions: RunOptions = {}): Promise<T> {
    if (body.length > MAX_SCRIPT_CHARS) {
      throw new PowerShellScriptError(l10n.t('the script is {0} characters; the limit is {1}', body.length, MAX_SCRIPT_CHARS), 'ScriptTooLong');
    }
    const choice = this.options.executable();
    if (choice.kind === 'unsupported') throw choice.error;
    const timeoutMs = runOptions.timeoutMs ?? this.options.defaultTimeoutMs ?? 60_000;
    if (runOptions.signal?.aborted) throw new UserCancelledError();
    const started = Date.now();
    const { stdout, stderr, exitCode } = await this.spawnOnce(choice.executable, wrapScript(body), timeoutMs, runOptions.signal);
    this.options.log.debug(
      `[powershell] exit ${exitCode} after ${Date.now() - started} ms${stderr.trim() ? `; stderr: ${stderr.trim().slice(0, 500)}` : ''}`,
    );
    const doc = parseResultDocument(stdout);
    if (!doc.ok) throw classifyFailure(doc);
    return doc.data as T;
  }

  private spawnOnce(executable: string, script: string, timeoutMs: number, signal?: AbortSignal) {
    const platform = this.options.platform ?? process.platform;
    return new Promise<{ stdout: string; stderr: string; exitCode: number | null }>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(executable, powershellArgs(script), {
          shell: false,
          windowsHide: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          // Own process group on POSIX so a timeout can kill the whole tree with kill(-pid).
          detached: platform !== 'win32',
          env: this.options.env ?? process.env,
        });
      } catch (err) {
        reject(new PowerShellNotFoundError(executable, err));
        return;
      }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        killTree(child, platform);
        finish(() => reject(new UserCancelledError()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        killTree(child, platform);
        finish(() => reject(new PowerShellTimeoutError(Math.round(timeoutMs / 1000))));
      }, timeoutMs);
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => errOut.push(b));
      child.on('error', (err: NodeJS.ErrnoException) => {
        finish(() =>
          reject(
            err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'ENOTDIR'
              ? new PowerShellNotFoundError(executable, err)
              : err,
          ),
        );
      });
      child.on('close', (code) => {
        finish(() =>
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), exitCode: code }),
        );
      });
    });
  }
}

/** Kills the process and everything it started: taskkill /T on Windows, the process group elsewhere. */
export function killTree(child: ChildProcess, platform: NodeJS.Platform = process.platform): void {
  if (child.pid === undefined) return;
  try {
    if (platform === 'win32') {
      spawn('taskkill', ['/PID', String(child.pid), '/T', '/F'], { shell: false, windowsHide: true, stdio: 'ignore' }).on(
        'error',
        () => child.kill('SIGKILL'),
      );
    } else {
      process.kill(-child.pid, 'SIGKILL');
    }
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
