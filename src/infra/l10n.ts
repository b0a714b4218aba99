import * as vscode from 'vscode';
import { setTranslator } from '../core/l10n';

/**
 * Lets pure modules (`l10n.t` from src/core/l10n.ts) translate with the bundle VS Code loaded for this
 * extension (`l10n/bundle.l10n.<locale>.json`). Call first in activate(); disposing removes it.
 */
export function installL10n(): vscode.Disposable {
  setTranslator((message: string, ...args: any[]) => vscode.l10n.t(message, ...args));
  return new vscode.Disposable(() => setTranslator(undefined));
}
