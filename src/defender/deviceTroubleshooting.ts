/**
 * The seam between the tenant device list and the troubleshooting-session lifecycle: the device list asks what it
 * knows about a device's troubleshooting mode, and re-renders when that changes. Pure (no vscode import).
 */

/** A device's troubleshooting-mode lifecycle stage as the extension tracks it. */
export type TroubleshootingStage = 'none' | 'requested' | 'active' | 'endingSoon' | 'ended' | 'notActivated';

export interface DeviceTroubleshootingInfo {
  readonly stage: TroubleshootingStage;
  /** Short text for a tree row's description, e.g. "troubleshooting · 2 h 10 min left". */
  readonly label: string;
  /** When the session was requested or started, and when it ends (from the data, when known). */
  readonly requestedAt?: Date;
  readonly startedAt?: Date;
  readonly endsAt?: Date;
}

export interface Unsubscribe {
  dispose(): void;
}

/** Looked up by MDE machine id first, then by device name (hunting events carry both, This device only a name). */
export interface DeviceTroubleshootingLookup {
  forDevice(machineId: string | undefined, deviceName: string | undefined): DeviceTroubleshootingInfo | undefined;
  onDidChange(listener: () => void): Unsubscribe;
}

/** Stage names as group titles and filter labels. */
export const STAGE_LABELS: Readonly<Record<TroubleshootingStage, string>> = {
  none: 'Not in troubleshooting mode',
  requested: 'Requested',
  active: 'In troubleshooting mode',
  endingSoon: 'Ending soon',
  ended: 'Ended',
  notActivated: 'Not activated',
};
