// The sample tenant `npm run dev` opens (issue #11): the API emulator with a few hundred devices, some in
// troubleshooting mode at different stages, and This device played by the PowerShell stand-in as a Windows device
// in troubleshooting mode. Both are test doubles from test/doubles/, so the sample exists only in a source
// checkout; the packaged extension never contains it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, repoRoot } from './paths.mjs';

export const SAMPLE_DEVICES = 300;
export const sampleWorkspace = join(repoRoot, 'test', 'doubles', 'sample', 'workspace');

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The sample Windows device's state for the PowerShell stand-in: in troubleshooting mode for 35 minutes (so 3 h 25 min
 * are left), tamper protection on, elevated. As the docs' troubleshooting-mode steps describe, tamper protection still
 * blocks changes until it is turned off ("first turn off tamper protection"): a playbook run before that ends
 * "blocked by tamper protection" with event 5013 (the silent block), and this device's Set-MpPreference has
 * -DisableTamperProtection, so "Turn Off Tamper Protection" works. Keys not given here take the stand-in's defaults.
 */
export function sampleDeviceState(now = Date.now()) {
  const start = now - 35 * MIN;
  return {
    computerName: 'SAMPLE-WIN11',
    elevated: true,
    defender: 'present',
    runningMode: 'Normal',
    tamperProtected: true,
    tamperBlocksDuringTroubleshooting: true,
    moduleHasDisableTamperProtection: true,
    troubleshooting: { startTime: new Date(start).toISOString(), endTime: new Date(start + 4 * HOUR).toISOString() },
  };
}

/**
 * Sessions the sample's emulator plays besides its fixed ones (active, ending soon): one *requested* from VS Code two
 * minutes before it opened, which the device reports started ten minutes later (the docs allow up to 15), and one that
 * *ended* twenty minutes ago. Together with the fixtures, the Sessions view shows every stage.
 */
export function sampleSessionScripts(now = Date.now()) {
  return [
    { deviceName: 'ws-ops-03.contoso.local', requestedAt: new Date(now - 2 * MIN).toISOString(), activationDelayMinutes: 12, requestedHere: true },
    { deviceName: 'dev-000045.contoso.local', requestedAt: new Date(now - (4 * HOUR + 25 * MIN)).toISOString(), activationDelayMinutes: 5, durationMinutes: 240 },
  ];
}

/**
 * Starts the sample: the emulator (stops with this process) and a fresh stand-in state under the cache folder.
 * Returns the user settings and environment VS Code needs, and stop().
 */
export async function startSample() {
  const dir = join(cacheRoot, 'sample');
  mkdirSync(dir, { recursive: true });
  const stateFile = join(dir, 'standin-state.json');
  writeFileSync(stateFile, JSON.stringify(sampleDeviceState(), null, 2));
  const launch = join(repoRoot, 'test', 'doubles', 'api-emulator', 'launch.mjs');
  if (!existsSync(launch)) throw new Error(`the API emulator is missing (${launch})`);
  const { launchApiEmulator } = await import(launch);
  const emulator = await launchApiEmulator(['--machines', String(SAMPLE_DEVICES)]);
  for (const script of sampleSessionScripts()) {
    const res = await fetch(`${emulator.url}/__admin/troubleshooting`, { method: 'POST', body: JSON.stringify(script) });
    if (!res.ok) throw new Error(`the sample's session for ${script.deviceName}: ${res.status} ${await res.text()}`);
  }
  return {
    url: emulator.url,
    stateFile,
    settings: {
      'defenderTroubleshooting.sample.enabled': true,
      'defenderTroubleshooting.mde.endpoint': emulator.url,
      'defenderTroubleshooting.graph.endpoint': emulator.url,
      'defenderTroubleshooting.powershell.path': join(repoRoot, 'test', 'doubles', 'powershell', 'powershell'),
    },
    env: { DEFENDER_STANDIN_STATE: stateFile },
    stop: () => emulator.stop(),
  };
}
