/**
 * Typed failures of the PowerShell layer. Each message says what happened in the user's terms and, where a
 * setting or command fixes it, carries that as the action.
 */
import { DefenderToolError } from '../core/errors';
import { l10n } from '../core/l10n';

const POWERSHELL_PATH_SETTING = 'defenderTroubleshooting.powershell.path';

export class PowerShellNotFoundError extends DefenderToolError {
  constructor(readonly executable: string, cause?: unknown) {
    super(
      'psNotFound',
      l10n.t('PowerShell was not found at "{0}". Set "Defender Troubleshooting: PowerShell Path" to powershell.exe or pwsh.', executable),
      { cause, action: { title: l10n.t('Open Setting'), command: 'workbench.action.openSettings', args: [POWERSHELL_PATH_SETTING] }, expected: true },
    );
  }
}

export class NotWindowsError extends DefenderToolError {
  constructor(readonly platform: string) {
    super('notWindows', l10n.t('Defender cmdlets need Windows; this host is {0}.', platform), { expected: true });
  }
}

/** The Defender module is absent or its service is not running (third-party AV, removed on Server…). */
export class DefenderUnavailableError extends DefenderToolError {
  constructor(detail: string) {
    super(
      'defenderMissing',
      l10n.t('Microsoft Defender Antivirus is not available on this device ({0}). Check that the WinDefend service runs and that Defender is the active antivirus.', detail),
      { expected: true },
    );
  }
}

export class PassiveModeError extends DefenderToolError {
  constructor(readonly runningMode: string) {
    super(
      'passiveMode',
      l10n.t('Microsoft Defender Antivirus runs in {0} mode here, so its real-time settings do not apply. Troubleshooting mode needs Defender as the active antivirus.', runningMode),
      { expected: true },
    );
  }
}

export class NotElevatedError extends DefenderToolError {
  constructor(what = 'Set-MpPreference, Add-MpPreference and Remove-MpPreference') {
    super(
      'notElevated',
      l10n.t('{0} need administrator rights, and VS Code is not running elevated. Start VS Code with "Run as administrator" (or connect over Remote-SSH with an administrator account) and try again.', what),
      { expected: true },
    );
  }
}

export class PowerShellScriptError extends DefenderToolError {
  constructor(message: string, readonly errorId: string) {
    super('scriptError', l10n.t('PowerShell reported an error: {0}{1}', message, errorId ? ` (${errorId})` : ''));
  }
}

export class PowerShellTimeoutError extends DefenderToolError {
  constructor(readonly seconds: number) {
    super('timeout', l10n.t('PowerShell did not finish within {0} s and was stopped. Defender may be busy (a scan is running?); try again.', seconds));
  }
}

export class UnexpectedOutputError extends DefenderToolError {
  constructor(detail: string) {
    super('badOutput', l10n.t('PowerShell returned something other than the expected JSON result: {0}', detail));
  }
}
