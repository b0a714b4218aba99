import * as vscode from 'vscode';
import { ContextKeys } from '../constants';

type ContextKey = (typeof ContextKeys)[keyof typeof ContextKeys];

/** The only place that sets context keys (so package.json `when` clauses have one source). */
export function setContext(key: ContextKey, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
