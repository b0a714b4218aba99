import * as vscode from 'vscode';
import { ContextKeys, NS } from '../constants';
import { isSignInDeclined, UserCancelledError } from '../core/errors';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import { setContext } from './contexts';
import { huntingScopeForSetting } from '../api/endpoints';
import { SAMPLE_TOKEN } from '../core/sample';
import { currentSampleState, leaveSample } from './sample';


/** The setting that picks the authentication provider: 'microsoft', or 'microsoft-sovereign-cloud' for national clouds. */
export const AUTH_PROVIDER_SETTING = 'auth.provider';
export const DEFAULT_AUTH_PROVIDER = 'microsoft';

/** The provider id from `defenderTroubleshooting.auth.provider` (default 'microsoft'). */
export function authProviderId(): string {
  const value = vscode.workspace.getConfiguration(NS).get<string>(AUTH_PROVIDER_SETTING);
  return (value ?? '').trim() || DEFAULT_AUTH_PROVIDER;
}

/**
 * Tokens come only from VS Code's authentication API (the provider named by `defenderTroubleshooting.auth.provider`,
 * 'microsoft' by default). They are never stored
 * and never logged. A customer app registration / tenant is passed with VS Code's pseudo-scopes.
 */
function defaultHuntingScope(): string {
  return huntingScopeForSetting(vscode.workspace.getConfiguration(NS).get<string>('graph.endpoint'));
}

export class AuthService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private signedIn = false;
  /** The service refused the last token: the next sign-in asks for a new session instead of reusing it. */
  private rejected = false;

  constructor(private readonly log: ILogger) {
    super();
    this.register(
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === this.providerId) void this.refreshSilently();
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['auth.provider', 'graph.endpoint', 'mde.endpoint', 'sample.enabled'].some((k) => e.affectsConfiguration(`${NS}.${k}`))) void this.refreshSilently();
      }),
    );
  }

  get providerId(): string {
    return authProviderId();
  }

  /** Called when a service answered 401 to a fresh token: the next sign-in forces a new session. */
  noteTokenRejected(): void {
    this.rejected = true;
  }

  get isSignedIn(): boolean {
    return this.signedIn;
  }

  /** Defaults to the hunting scope of the configured Graph endpoint's cloud, as the hunting runner asks for. */
  scopes(base: readonly string[] = [defaultHuntingScope()]): string[] {
    const cfg = vscode.workspace.getConfiguration(NS);
    const clientId = (cfg.get<string>('auth.clientId') ?? '').trim();
    const tenant = (cfg.get<string>('auth.tenant') ?? '').trim();
    const scopes = [...base];
    if (clientId) scopes.push(`VSCODE_CLIENT_ID:${clientId}`);
    if (tenant) scopes.push(`VSCODE_TENANT:${tenant}`);
    return scopes;
  }

  async refreshSilently(): Promise<void> {
    if (currentSampleState().active) {
      this.setSignedIn(true);
      return;
    }
    try {
      const session = await vscode.authentication.getSession(this.providerId, this.scopes(), { silent: true });
      this.setSignedIn(!!session);
    } catch (err) {
      this.log.debug(`[auth] silent session lookup failed: ${err instanceof Error ? err.message : String(err)}`);
      this.setSignedIn(false);
    }
  }

  /** Interactive sign-in: only ever called from a user action. */
  async signIn(): Promise<vscode.AuthenticationSession> {
    if (currentSampleState().active) {
      const leave = vscode.l10n.t('Leave Sample and Sign In');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('You are using the sample tenant. Signing in to your tenant leaves the sample (its settings are removed).'),
        { modal: true },
        leave,
      );
      if (choice !== leave) throw new UserCancelledError();
      await leaveSample();
      this.log.info('[auth] left the sample tenant to sign in');
    }
    let session: vscode.AuthenticationSession | undefined;
    try {
      const detail = 'Sign in to run advanced hunting queries and list your tenant\'s devices.';
      session = await vscode.authentication.getSession(
        this.providerId,
        this.scopes(),
        (this.rejected ? { forceNewSession: { detail } } : { createIfNone: { detail } }) as vscode.AuthenticationGetSessionOptions,
      );
      this.rejected = false;
    } catch (err) {
      throw declinedAsCancel(err);
    }
    if (!session) throw new UserCancelledError();
    this.setSignedIn(true);
    this.log.info(`[auth] signed in as ${mask(session.account.label)}`);
    return session;
  }

  /** A bearer token for the given scopes; silent first, interactive only if `interactive`. */
  async getToken(interactive: boolean, base?: readonly string[]): Promise<string | undefined> {
    // The sample's endpoints are on this machine (core/sample.ts), so its placeholder token cannot leave it.
    if (currentSampleState().active) {
      this.setSignedIn(true);
      return SAMPLE_TOKEN;
    }
    const scopes = this.scopes(base);
    let session: vscode.AuthenticationSession | undefined;
    try {
      session = interactive
        ? await vscode.authentication.getSession(this.providerId, scopes, { createIfNone: true })
        : await vscode.authentication.getSession(this.providerId, scopes, { silent: true });
    } catch (err) {
      throw declinedAsCancel(err);
    }
    this.setSignedIn(!!session);
    return session?.accessToken;
  }

  private setSignedIn(value: boolean): void {
    if (value === this.signedIn) return;
    this.signedIn = value;
    void setContext(ContextKeys.signedIn, value);
    this.changed.fire();
  }
}

/** The one mapping of a declined sign-in to the silent cancellation path (no toast, nothing in a panel). */
function declinedAsCancel(err: unknown): unknown {
  return isSignInDeclined(err) ? new UserCancelledError(vscode.l10n.t('Sign-in was cancelled.')) : err;
}

/** Masks an account name the way Azure's `screen()` does: keep the shape, hide the person. */
export function mask(account: string): string {
  return account.replace(/^(.)[^@]*(@.*)?$/, (_m, first: string, domain?: string) => `${first}***${domain ?? ''}`);
}
