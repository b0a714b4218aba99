import { parseComputerStatus, type ComputerStatus } from '../../../src/defender/computerStatus';

/** A status in an active troubleshooting session (2h 41m left), with overrides. */
export function activeSessionStatus(over: Partial<ComputerStatus> = {}, now = new Date()): ComputerStatus {
  const end = new Date(now.getTime() + (2 * 60 + 41) * 60_000);
  const start = new Date(end.getTime() - 4 * 3600_000);
  const base = parseComputerStatus(
    {
      TroubleShootingMode: 'Enabled', TroubleShootingStartTime: start.toISOString(), TroubleShootingEndTime: end.toISOString(),
      IsTamperProtected: true, RealTimeProtectionEnabled: true, AMRunningMode: 'Normal', AMProductVersion: '4.18.24050.7',
    },
    now,
  );
  return { ...base, ...over };
}
