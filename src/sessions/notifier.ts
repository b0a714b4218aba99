import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { OptionalCommandIds, ViewIds } from '../constants';
import type { ILogger } from '../core/logger';
import { END_OF_SESSION_FACTS, stageMessage } from '../defender/lifecycleNodes';
import { NotificationLedger, notificationKey, type ClaimRecord } from '../defender/notifications';
import type { Clock, LifecycleSession, NotifiedStage } from '../defender/sessionLifecycle';

export const NOTIFIED_KEY = 'defenderTroubleshooting.sessions.notified';

/** Commands of other features the end message offers when they exist (issue 8 item 6, issue 9). */
export const COLLECT_PACKAGE_COMMAND = OptionalCommandIds.deviceCollectInvestigationPackage;
export const SESSION_REPORT_COMMAND = OptionalCommandIds.sessionReportWrite;

export interface Announcement {
  readonly key: string;
  readonly stage: NotifiedStage;
  readonly text: string;
  readonly actions: readonly string[];
}

/**
 * Shows one notification per session and transition, also across reloads and windows: a window claims the key
 * in globalState (shared by the profile's windows), waits for other windows' writes, and shows the message only
 * if its claim held (src/defender/notifications.ts).
 */
export class SessionNotifier {
  private readonly ledger: NotificationLedger;
  /** What this window announced (tests read it). */
  readonly announced: Announcement[] = [];
  settleMs = 400;

  constructor(
    globalState: vscode.Memento,
    private readonly log: ILogger,
    private readonly clock: Clock,
    owner: string = randomUUID(),
  ) {
    this.ledger = new NotificationLedger(
      {
        read: () => {
          const v = globalState.get<unknown>(NOTIFIED_KEY);
          return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, ClaimRecord>) : {};
        },
        write: async (v) => {
          await globalState.update(NOTIFIED_KEY, v);
        },
      },
      owner,
    );
  }

  async notify(stage: NotifiedStage, session: LifecycleSession): Promise<boolean> {
    const key = notificationKey(session.key, stage);
    const won = await this.ledger.tryAnnounce(key, () => new Promise((r) => setTimeout(r, this.settleMs)));
    if (!won) {
      this.log.debug(`already announced: ${key}`);
      return false;
    }
    const msg = stageMessage(session, stage, this.clock.now());
    const actions = await this.actionsFor(stage, session);
    this.announced.push({ key, stage, text: msg.text, actions: actions.map((a) => a.title) });
    this.log.info(`notify ${key}: ${msg.text}`);
    const show = msg.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    // Not awaited: the toast stays until dismissed; the choice runs when made.
    void Promise.resolve(show(msg.text, ...actions.map((a) => a.title))).then(async (choice) => {
      const action = actions.find((a) => a.title === choice);
      if (action) await action.run();
    });
    return true;
  }

  private async actionsFor(stage: NotifiedStage, s: LifecycleSession): Promise<{ title: string; run: () => Thenable<unknown> }[]> {
    const openSessions = { title: vscode.l10n.t('Open Sessions'), run: () => vscode.commands.executeCommand(`${ViewIds.sessions}.focus`) };
    if (stage !== 'ended') return [openSessions];
    const commands = new Set(await vscode.commands.getCommands(true));
    const out: { title: string; run: () => Thenable<unknown> }[] = [];
    const tenantId = s.deviceId && !s.deviceId.startsWith('local:') ? s.deviceId : undefined;
    if (tenantId && commands.has(COLLECT_PACKAGE_COMMAND)) {
      out.push({
        title: vscode.l10n.t('Collect Investigation Package'),
        run: () => vscode.commands.executeCommand(COLLECT_PACKAGE_COMMAND, { id: `device/tenant/${tenantId}`, label: s.deviceName ?? tenantId, contextValue: 'tenantDevice' }),
      });
    }
    if (commands.has(SESSION_REPORT_COMMAND)) out.push({ title: vscode.l10n.t('Write Session Report'), run: () => vscode.commands.executeCommand(SESSION_REPORT_COMMAND, { sessionKey: s.key, deviceId: s.deviceId, deviceName: s.deviceName }) });
    out.push({
      title: vscode.l10n.t('What Happens Now'),
      run: () => vscode.window.showInformationMessage(vscode.l10n.t('After troubleshooting mode on {0} ended', s.deviceName ?? vscode.l10n.t('the device')), { modal: true, detail: END_OF_SESSION_FACTS.join('\n\n') }),
    });
    return out;
  }
}
