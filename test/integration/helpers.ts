import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';

export const EXTENSION_ID = 'defender-tools.defender-troubleshooting';

/** Activates the extension under test and returns its API. */
export async function activateExtension(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext.activate();
}

/** Polls until `fn` returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is not open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/**
 * Replaces properties of the shared `vscode` API object (dialogs, providers) for one test and puts them back in an
 * `afterEach` the caller registers with `stubs.restoreAll`.
 */
export function stubber(): { stub<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): void; restoreAll(): void } {
  const restore: (() => void)[] = [];
  return {
    stub(obj, key, value) {
      const original = obj[key];
      (obj as Record<typeof key, typeof value>)[key] = value;
      restore.push(() => ((obj as Record<typeof key, typeof value>)[key] = original));
    },
    restoreAll() {
      while (restore.length) restore.pop()!();
    },
  };
}
