import { isExpectedCondition } from './errors';
import { redactSecrets } from './redact';

/** What pure modules log through; the adapter forwards to one LogOutputChannel. */
export interface ILogger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A logger that prefixes a component tag and scrubs secrets before anything is written. */
export function componentLogger(sink: ILogger, component: string): ILogger {
  const fmt = (m: string | Error) =>
    `[${component}] ${redactSecrets(m instanceof Error ? (m.stack ?? m.message) : m)}`;
  return {
    trace: (m) => sink.trace(fmt(m)),
    debug: (m) => sink.debug(fmt(m)),
    info: (m) => sink.info(fmt(m)),
    warn: (m) => sink.warn(fmt(m)),
    error: (m) => sink.error(fmt(m)),
  };
}

/**
 * The one way to log a failure: an expected condition (this host is not Windows, Restricted Mode, not signed
 * in…) at info with its message only; anything else at error with its stack.
 */
export function logFailure(log: ILogger, prefix: string, err: unknown): void {
  if (isExpectedCondition(err)) {
    log.info(`${prefix}${(err as Error).message}`);
    return;
  }
  log.error(`${prefix}${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

/** For tests and for code that runs before the channel exists. */
export class MemoryLogger implements ILogger {
  readonly lines: { level: LogLevel; message: string }[] = [];
  trace(message: string): void { this.lines.push({ level: 'trace', message }); }
  debug(message: string): void { this.lines.push({ level: 'debug', message }); }
  info(message: string): void { this.lines.push({ level: 'info', message }); }
  warn(message: string): void { this.lines.push({ level: 'warn', message }); }
  error(message: string | Error): void {
    this.lines.push({ level: 'error', message: message instanceof Error ? message.message : message });
  }
}
