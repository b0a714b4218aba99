export const SAMPLE_DEVICES: number;
export const sampleWorkspace: string;
/** The sample Windows device's state for the PowerShell stand-in (test/doubles/powershell/standinState.ts StandinState). */
export function sampleDeviceState(now?: number): Record<string, unknown>;
/** Sessions the sample's emulator plays besides its fixtures (bodies for POST /__admin/troubleshooting). */
export function sampleSessionScripts(now?: number): Record<string, unknown>[];
export function startSample(): Promise<{
  url: string;
  stateFile: string;
  settings: Record<string, unknown>;
  env: { DEFENDER_STANDIN_STATE: string };
  stop(): Promise<void>;
}>;
