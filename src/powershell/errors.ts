/**
 * Typed failures of the PowerShell layer. Each message says what happened in the user's terms and, where a
 * setting or command fixes it, carries that as the action.
 */
import { DefenderToolError } from '../core/errors';

const POWERSHELL_PATH_SETTING = 'defenderTroubleshooting.powershell.path';

export class PowerShellNotFoundError extends DefenderToolError {
  constructor(readonly executable: string, cause?: unknown) {
    super(
      'psNotFound',
      `PowerShell was not found at "${executable}". Set "Defender Troubleshooting: PowerShell Path" to powershell.exe or pwsh.`,
      { cause, action: { title: 'Open Setting', command: 'workbench.action.openSettings', args: [POWERSHELL_PATH_SETTING] }, expected: true },
    );
  }
}

export class NotWindowsError extends DefenderToolError {
  constructor(readonly platform: string) {
    super('notWindows', `Defender cmdlets need Windows; this host is ${platform}.`, { expected: true });
  }
}

/** The Defender module is absent or its service is not running (third-party AV, removed on Server…). */
export class DefenderUnavailableError extends DefenderToolError {
  constructor(detail: string) {
    super(
      'defenderMissing',
      `Microsoft Defender Antivirus is not available on this device (${detail}). Check that the WinDefend service runs and that Defender is the active antivirus.`,
      { expected: true },
    );
  }
}

export class PassiveModeError extends DefenderToolError {
  constructor(readonly runningMode: string) {
    super(
      'passiveMode',
      `Microsoft Defender Antivirus runs in ${runningMode} mode here, so its real-time settings do not apply. Troubleshooting mode needs Defender as the active antivirus.`,
      { expected: true },
    );
  }
}

export class NotElevatedError extends DefenderToolError {
  constructor(what = 'Set-MpPreference, Add-MpPreference and Remove-MpPreference') {
    super(
      'notElevated',
      `${what} need administrator rights, and VS Code is not running elevated. Start VS Code with "Run as administrator" (or connect over Remote-SSH with an administrator account) and try again.`,
      { expected: true },
    );
  }
}

export class PowerShellScriptError extends DefenderToolError {
  constructor(message: string, readonly errorId: string) {
    super('scriptError', `PowerShell reported an error: ${message}${errorId ? ` (${errorId})` : ''}`);
  }
}

export class PowerShellTimeoutError extends DefenderToolError {
  constructor(readonly seconds: number) {
    super('timeout', `PowerShell did not finish within ${seconds} s and was stopped. Defender may be busy (a scan is running?); try again.`);
  }
}

export class UnexpectedOutputError extends DefenderToolError {
  constructor(detail: string) {
    super('badOutput', `PowerShell returned something other than the expected JSON result: ${detail}`);
  }
}
