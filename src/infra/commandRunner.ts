import * as vscode from 'vscode';
import { CommandIds } from '../constants';
import { describeError, isCancellation, isDefenderToolError } from '../core/errors';
import { logFailure, type ILogger } from '../core/logger';

/**
 * The one error path for commands: typed errors become a message with "Show Log" (and the error's own
 * action when it has one); cancellation is silent; nothing reaches the user as a stack trace.
 */
export function registerCommand(
  id: string,
  handler: (...args: any[]) => unknown,
  log: ILogger,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      // Not awaited: the command finishes now; the message's buttons act whenever the user clicks them.
      void reportCommandError(id, err, log);
      return undefined;
    }
  });
}

export async function reportCommandError(id: string, err: unknown, log: ILogger): Promise<void> {
  if (isCancellation(err)) {
    log.debug(`[${id}] cancelled`);
    return;
  }
  logFailure(log, `[${id}] `, err);
  const action = isDefenderToolError(err) ? err.action : undefined;
  const buttons = action ? [action.title, vscode.l10n.t('Show Log')] : [vscode.l10n.t('Show Log')];
  const choice = await vscode.window.showErrorMessage(describeError(err), ...buttons);
  if (choice === vscode.l10n.t('Show Log')) {
    await vscode.commands.executeCommand(CommandIds.showLog);
  } else if (action && choice === action.title) {
    await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
  }
}
