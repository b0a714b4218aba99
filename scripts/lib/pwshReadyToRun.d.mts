export const R2R_RECIPE: number;
export const R2R_MARKER: string;
export interface R2rMarker {
  recipe: number;
  state: 'compiled' | 'failed';
  /** pwsh.dll's own apphost, relative to the tool folder, when it was seen to run. */
  apphost?: string;
  crossgen2?: string;
  runtime?: string;
  compiled?: number;
  failed?: string[];
  error?: string;
  seconds?: number;
  date: string;
}
export function findPwshAppDir(toolDir: string): string | undefined;
export function readR2rMarker(toolDir: string): R2rMarker | undefined;
export function writeR2rMarker(toolDir: string, content: Partial<R2rMarker>): void;
export function r2rState(toolDir: string): 'compiled' | 'failed' | 'compile';
export function entryFor(toolDir: string): string;
export function isIlOnlyAssembly(file: string): boolean;
export interface NetCoreRuntime {
  version: string;
  major: number;
  minor: number;
  patch: number;
  pre: string;
  dir: string;
}
export function netCoreRuntimes(listRuntimesOutput: string): NetCoreRuntime[];
export function pickRuntime(runtimes: readonly NetCoreRuntime[], major: number, minor: number): NetCoreRuntime | undefined;
export function compilePwshReadyToRun(
  toolDir: string,
  options: { log(message: string): void; pwshVersion(exe: string): Promise<string | undefined> },
): Promise<{ compiled: number; failed: string[]; apphost?: string; seconds: number; crossgen2: string; runtime: string }>;
export const R2R_SKIP: RegExp;
export function compileInputs(appDir: string): string[];
