/**
 * This device's own report feeds its troubleshooting session (issue 8 item 3): what Get-MpComputerStatus says
 * on the device VS Code runs on becomes events for the session lifecycle, like the hunting events of tenant
 * devices. Pure: no vscode import; the tracker (src/sessions/tracker.ts) stores and evaluates the events.
 */
import type { TroubleshootEvent } from './sessions';

/** This device's own report (Get-MpComputerStatus), as the device feature read it. */
export interface LocalObservation {
  readonly computerName: string;
  readonly active: boolean | undefined;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly readAt: Date;
}

/** Same report, same signature: the tracker skips a report it has already turned into events. */
export function localObservationSignature(obs: LocalObservation): string {
  return `${obs.computerName}|${obs.active}|${obs.startTime?.getTime()}|${obs.endTime?.getTime()}`;
}

/**
 * The events one report adds: an active status is a start (the device's end time as the expiry), filed under
 * the tenant device of the same short host name when the hunting events know it (else `local:<host>`); a status
 * that is off while the device's latest event is a start that has not expired ends that session. Nothing when
 * the report cannot tell (`active` undefined) or changes nothing.
 */
export function localObservationEvents(obs: LocalObservation | undefined, events: readonly TroubleshootEvent[]): TroubleshootEvent[] {
  if (!obs || obs.active === undefined) return [];
  const short = obs.computerName.toLowerCase().split('.')[0];
  const known = events.find((e) => e.deviceName?.toLowerCase().split('.')[0] === short && !e.deviceId.startsWith('local:'));
  const deviceId = known?.deviceId ?? `local:${short}`;
  const deviceName = known?.deviceName ?? obs.computerName;
  if (obs.active) {
    const start = obs.startTime ?? obs.readAt;
    return [{ timestamp: start, deviceId, deviceName, startTime: start, expiry: obs.endTime, changeReason: 'started (reported by Get-MpComputerStatus on this device)', changeSource: 'This device' }];
  }
  const mine = events.filter((e) => e.deviceId === deviceId).sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
  const open = mine[0] && /started/i.test(mine[0].changeReason ?? '') && (!mine[0].expiry || mine[0].expiry > obs.readAt);
  if (!open) return [];
  return [{ timestamp: obs.readAt, deviceId, deviceName, changeReason: 'ended (Get-MpComputerStatus on this device reports it off)', changeSource: 'This device' }];
}
