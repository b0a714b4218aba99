import { l10n } from './l10n';
/**
 * Typed errors shared by the pure modules. Adapters turn them into messages; the command wrapper
 * (infra/commandRunner.ts) is the one place that shows them.
 */
export interface ErrorAction {
  /** Button label. */
  readonly title: string;
  /** A command id to run, with optional arguments. */
  readonly command: string;
  readonly args?: readonly unknown[];
}

export class DefenderToolError extends Error {
  /** Stable code for logs and tests. */
  readonly code: string;
  /** A follow-up the user can take (open a setting, sign in…). */
  readonly action?: ErrorAction;
  /**
   * An expected condition of the environment or the user's input (this host is not Windows, not elevated,
   * Restricted Mode, not signed in…), not a fault: logged at info, without a stack (logFailure in core/logger).
   */
  readonly expected: boolean;
  constructor(code: string, message: string, options?: { action?: ErrorAction; cause?: unknown; expected?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.action = options?.action;
    this.expected = options?.expected ?? false;
  }
}

/** The user dismissed a prompt or cancelled progress: never shown as an error. */
export class UserCancelledError extends DefenderToolError {
  constructor(message = 'Cancelled by the user.') {
    super('cancelled', message, { expected: true });
  }
}

/** Work refused because the workspace is not trusted. */
export class WorkspaceNotTrustedError extends DefenderToolError {
  constructor(what: string) {
    super(
      'untrusted',
      l10n.t('{0} is not available in Restricted Mode. Trust this workspace to run PowerShell or hunting queries.', what),
      { action: { title: l10n.t('Manage Workspace Trust'), command: 'workbench.trust.manage' }, expected: true },
    );
  }
}

/**
 * True when an authentication provider's error means the user said no: closed the sign-in page or the consent
 * dialog ("User did not consent to login.", "Cancelled", VS Code's `Canceled`). Sign-in goes through
 * AuthService, which turns these into UserCancelledError, so they end silently like any cancellation.
 */
export function isSignInDeclined(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'Canceled' || /\bcancell?ed\b|did not consent|user cancel/i.test(err.message);
}

/** True for our typed errors, also those thrown by a lazily loaded bundle with its own copy of the classes. */
export function isDefenderToolError(err: unknown): err is DefenderToolError {
  return err instanceof DefenderToolError || (err instanceof Error && typeof (err as { code?: unknown }).code === 'string');
}

/** An expected condition (see DefenderToolError.expected), also from a lazily loaded bundle (checked by shape). */
export function isExpectedCondition(err: unknown): boolean {
  return isDefenderToolError(err) && (err as { expected?: unknown }).expected === true;
}

export function isCancellation(err: unknown): boolean {
  return (
    err instanceof UserCancelledError ||
    (isDefenderToolError(err) && err.code === 'cancelled') ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'Canceled'))
  );
}

/** A short, single-line description of any thrown value, safe for a notification. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const firstLine = (err.message || err.name).split(/\r?\n/)[0] ?? err.name;
    return firstLine.length > 300 ? `${firstLine.slice(0, 297)}...` : firstLine;
  }
  return typeof err === 'string' ? err : 'Unexpected error.';
}
