import type { Browser } from 'playwright-core';

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly workspace: string;
  readonly dirs: { root: string; userData: string; extensions: string; tmp: string };
  output(): string;
  workbenchUrl(payload?: [string, string][]): string;
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  workspace?: string;
  settings?: Record<string, unknown>;
  useTestSettings?: boolean;
  vars?: Record<string, string>;
  extensions?: string[];
  vsix?: string[];
  env?: Record<string, string>;
  port?: number;
}

export function freePort(): Promise<number>;
export function startCodeServer(options?: StartOptions): Promise<CodeServer>;
export function launchBrowser(): Promise<Browser>;
export const CHROMIUM_ARGS: string[];
export function writeProfileSettings(userDataDir: string, options?: StartOptions): void;
export const CODE_SERVER_ENV_OVERRIDES: readonly string[];
export function codeServerEnv(
  base: Record<string, string | undefined>,
  extra: Record<string, string> | undefined,
  dirs: { tmp: string; config: string; data: string },
): Record<string, string | undefined>;
