import * as vscode from 'vscode';
import { NS } from '../constants';

/** Typed view of the extension's settings; package.json declares each with a markdownDescription. */
export interface Settings {
  'powershell.path': string;
  'portal.url': string;
}

export function getSetting<K extends keyof Settings>(key: K): Settings[K] {
  return vscode.workspace.getConfiguration(NS).get(key) as Settings[K];
}

export function onDidChangeSetting(
  keys: readonly (keyof Settings)[],
  listener: () => void,
): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((k) => e.affectsConfiguration(`${NS}.${k}`))) listener();
  });
}
