/**
 * The seam between the tenant device list and the troubleshooting-session lifecycle: the device list asks what it
 * knows about a device's troubleshooting mode, and re-renders when that changes. Pure (no vscode import).
 */
import { l10n } from '../core/l10n';

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
  // Getters: l10n.t must not run at module load (before activation installs the translator).
  get none() { return l10n.t('Not in troubleshooting mode'); },
  get requested() { return l10n.t('Requested'); },
  get active() { return l10n.t('In troubleshooting mode'); },
  get endingSoon() { return l10n.t('Ending soon'); },
  get ended() { return l10n.t('Ended'); },
  get notActivated() { return l10n.t('Not activated'); },
};
