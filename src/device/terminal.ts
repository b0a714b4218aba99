import * as vscode from 'vscode';
import { WorkspaceNotTrustedError } from '../core/errors';
import type { ILogger } from '../core/logger';
import type { WriteExecutor } from '../defender/deviceEngine';
import { terminalStartupArgs } from '../powershell/script';

export const TERMINAL_NAME = 'Defender PowerShell';
/**
 * How long after its creation a "Defender PowerShell" terminal may take to show its first prompt with shell
 * integration before a command is typed with sendText instead. Real PowerShell (pwsh with PSReadLine, or
 * powershell.exe with a profile) can need well over the 3 s of VS Code's docs example on a busy machine: on the test
 * machine (2 cores shared by several jobs) real pwsh 7 took 8–15 s to its first prompt. The wait counts from the
 * terminal's creation, so an older terminal without integration is not waited on again, and none at all when the
 * user turned shell integration off. It only runs out when integration never comes (for example a shell VS Code does
 * not inject into).
 */
const INTEGRATION_WAIT_MS = 60_000;
/** VS Code's own setting (not ours): shell integration on or off. */
const SHELL_INTEGRATION_SETTING = 'shellIntegration.enabled';
const EXECUTION_TIMEOUT_MS = 120_000;

/**
 * The "Defender PowerShell" terminal: created lazily, reused, forgotten when the user closes it.
 *
 * - Shell integration on (VS Code's setting): shellArgs is ['-NoLogo'] so VS Code can inject its script
 *   (powershell.md §5). A command runs through executeCommand, which reports an exit code (0/1 only), and only once the
 *   first prompt is drawn: `shellIntegration` appears as soon as the script starts to report, before PowerShell reads
 *   input, and a line typed then is not run (PSReadLine's start loses its Enter, VS Code #258989/#273017). The prompt
 *   reports the working directory (OSC 633;P;Cwd), so `shellIntegration.cwd` being set means the prompt is there.
 * - Shell integration off: nothing tells when the prompt is ready, so a new terminal gets its first command as its
 *   start-up command (terminalStartupArgs: shown as `PS> …`, then run, then -NoExit); later commands are typed
 *   with sendText into the running shell. Neither reports an exit code: the engine verifies by reading back.
 * - Integration on but never active (within INTEGRATION_WAIT_MS of the terminal's creation): typed with sendText.
 */
export class DefenderTerminal implements vscode.Disposable {
  private terminal?: vscode.Terminal;
  private createdAt = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly executable: () => string | undefined,
    private readonly log: ILogger,
    private readonly note: (message: string) => void,
  ) {
    this.subscriptions.push(
      vscode.window.onDidCloseTerminal((t) => {
        if (t === this.terminal) this.terminal = undefined;
      }),
    );
  }

  get current(): vscode.Terminal | undefined {
    return this.terminal;
  }

  private alive(): vscode.Terminal | undefined {
    return this.terminal && this.terminal.exitStatus === undefined ? this.terminal : undefined;
  }

  private create(shellArgs: string[]): vscode.Terminal {
    const shellPath = this.executable();
    this.terminal = vscode.window.createTerminal({ name: TERMINAL_NAME, shellPath, shellArgs, iconPath: new vscode.ThemeIcon('shield') });
    this.createdAt = Date.now();
    return this.terminal;
  }

  private integrationDisabled(): boolean {
    return vscode.workspace.getConfiguration('terminal.integrated').get<boolean>(SHELL_INTEGRATION_SETTING) === false;
  }

  /**
   * Resolves with the terminal's shell integration once its prompt is drawn (cwd reported), or with whatever
   * integration there is when INTEGRATION_WAIT_MS after the terminal's creation have passed (undefined: none).
   */
  private waitForPrompt(t: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
    const ready = () => (t.shellIntegration?.cwd !== undefined ? t.shellIntegration : undefined);
    if (ready()) return Promise.resolve(ready());
    const remaining = INTEGRATION_WAIT_MS - (Date.now() - this.createdAt);
    if (remaining <= 0) return Promise.resolve(t.shellIntegration);
    return new Promise((resolve) => {
      const done = (value: vscode.TerminalShellIntegration | undefined) => {
        clearTimeout(timer);
        sub.dispose();
        closed.dispose();
        resolve(value);
      };
      const timer = setTimeout(() => done(t.shellIntegration), remaining);
      const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
        if (e.terminal === t && ready()) done(ready());
      });
      const closed = vscode.window.onDidCloseTerminal((c) => {
        if (c === t) done(undefined);
      });
    });
  }

  /** Runs one command line; `settled` says whether completion is known. */
  async run(commandLine: string): Promise<{ settled: boolean; exitCode?: number; note?: string }> {
    if (!vscode.workspace.isTrusted) throw new WorkspaceNotTrustedError(vscode.l10n.t('Running PowerShell'));
    const noExitCode = vscode.l10n.t('Shell integration is not active in the Defender PowerShell terminal, so it reports no exit code; the result is checked by reading the setting back.');
    const existing = this.alive();
    if (!existing && this.integrationDisabled()) {
      const t = this.create(terminalStartupArgs(commandLine));
      t.show(true);
      this.log.info(`[terminal] start-up command of a new terminal (shell integration off): ${commandLine}`);
      this.note(noExitCode);
      return { settled: false, note: noExitCode };
    }
    const t = existing ?? this.create(['-NoLogo']);
    t.show(true);
    const started = Date.now();
    const integration = this.integrationDisabled() ? undefined : await this.waitForPrompt(t);
    if (!integration) {
      t.sendText(commandLine, true);
      this.log.info(`[terminal] sendText (no shell integration after ${Date.now() - started} ms): ${commandLine}`);
      this.note(noExitCode);
      return { settled: false, note: noExitCode };
    }
    const execution = integration.executeCommand(commandLine);
    this.log.info(`[terminal] executeCommand (prompt ready after ${Date.now() - started} ms): ${commandLine}`);
    const exitCode = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(undefined);
      }, EXECUTION_TIMEOUT_MS);
      const sub = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.execution !== execution) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(e.exitCode);
      });
    });
    if (exitCode === undefined) {
      return { settled: false, note: vscode.l10n.t('The terminal did not report an exit code; the result is checked by reading the setting back.') };
    }
    return { settled: true, exitCode, note: exitCode === 0 ? undefined : vscode.l10n.t('The terminal reported exit code {0}.', exitCode) };
  }

  writer(): WriteExecutor {
    return { via: 'terminal', execute: (_change, commandLine) => this.run(commandLine) };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.terminal?.dispose();
    this.terminal = undefined;
  }
}
