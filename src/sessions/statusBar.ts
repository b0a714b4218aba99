import * as vscode from 'vscode';
import { ViewIds } from '../constants';
import { Disposable } from '../core/lifecycle';
import { statusBarSession, statusBarText } from '../defender/lifecycleNodes';
import type { Clock, LifecycleSession } from '../defender/sessionLifecycle';

/**
 * Counts down the session of the device VS Code runs on (else the soonest-ending tracked session); selecting it
 * opens the Sessions view. Hidden while nothing is requested or live; ticks once a second only while shown.
 */
export class SessionStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sessions: () => readonly LifecycleSession[],
    private readonly hostName: () => string | undefined,
    private readonly clock: Clock,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('defenderTroubleshooting.sessionCountdown', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Defender troubleshooting session';
    this.item.command = `${ViewIds.sessions}.focus`;
    this.register({ dispose: () => this.timer && clearInterval(this.timer) });
  }

  /** The session shown, if any (tests read it). */
  shown: LifecycleSession | undefined;

  update(): void {
    const s = statusBarSession(this.sessions(), this.hostName());
    this.shown = s;
    if (!s) {
      this.item.hide();
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const { text, tooltip, warning } = statusBarText(s, this.clock.now(), this.hostName());
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: tooltip };
    this.item.show();
    this.timer ??= setInterval(() => this.update(), 1000);
  }
}
