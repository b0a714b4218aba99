/**
 * Scripted troubleshooting sessions (issue 8 item 8): `POST /__admin/troubleshooting` with
 * `{"deviceId"|"deviceName", "requestedAt"?, "activationDelayMinutes"?, "durationMinutes"?, "withExpiry"?,
 *   "endingSoonMinutes"?, "neverActivates"?, "requestedHere"?}` makes the hunting query return AntivirusTroubleshootModeEvent rows as
 * the emulator's clock (clock.ts) passes their times: "started" at requestedAt + activation delay, an
 * "ending soon" update (invented by the emulator; the docs name no such value), and "ended" at the expiry.
 * "requestedHere" marks a session the sample tenant's user asked for from VS Code before it opened: `GET
 * /__sample/requests` lists those, so the sample's Sessions view starts with one already *requested* (the request
 * itself is recorded only in VS Code: there is no API for it).
 * Only "ChangeReason contains 'started'" is documented (defender.md §2.4); the other values are the emulator's.
 */
import type { Value } from './kql';

export interface TroubleshootingScript {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly requestedAt: number;
  readonly activationDelayMs: number;
  readonly durationMs: number;
  readonly withExpiry: boolean;
  readonly endingSoonMs: number;
  readonly neverActivates: boolean;
  readonly requestedHere: boolean;
}

const MIN = 60_000;

export interface ScriptDevice {
  readonly id: string;
  readonly name: string;
}

/** Reads an admin body into a script; returns an error text when it is not usable. */
export function parseScript(body: Record<string, unknown>, devices: readonly ScriptDevice[], now: number): TroubleshootingScript | string {
  const byId = typeof body.deviceId === 'string' ? devices.find((d) => d.id === body.deviceId) : undefined;
  const name = typeof body.deviceName === 'string' ? body.deviceName.toLowerCase() : undefined;
  const byName = name ? devices.find((d) => d.name.toLowerCase() === name || d.name.toLowerCase().split('.')[0] === name) : undefined;
  const dev = byId ?? byName;
  if (!dev) return `No such device: ${JSON.stringify(body.deviceId ?? body.deviceName)}`;
  const requestedAt = body.requestedAt === undefined ? now : typeof body.requestedAt === 'number' ? body.requestedAt : Date.parse(String(body.requestedAt));
  if (!Number.isFinite(requestedAt)) return '"requestedAt" must be an ISO date or epoch milliseconds';
  const minutes = (k: string, d: number) => (typeof body[k] === 'number' && Number.isFinite(body[k]) ? (body[k] as number) : d) * MIN;
  return {
    deviceId: dev.id,
    deviceName: dev.name,
    requestedAt,
    activationDelayMs: minutes('activationDelayMinutes', 5),
    durationMs: minutes('durationMinutes', 240),
    withExpiry: body.withExpiry !== false,
    endingSoonMs: minutes('endingSoonMinutes', 30),
    neverActivates: body.neverActivates === true,
    requestedHere: body.requestedHere === true,
  };
}

/** The DeviceEvents rows a script has produced by `now` (nothing before activation, all three after expiry). */
export function scriptedRows(scripts: readonly TroubleshootingScript[], now: number, firstReportId = 900_000): Record<string, Value>[] {
  const rows: Record<string, Value>[] = [];
  let reportId = firstReportId;
  for (const s of scripts) {
    if (s.neverActivates) continue;
    const start = s.requestedAt + s.activationDelayMs;
    const expiry = start + s.durationMs;
    const fields = (state: string, prev: string, reason: string, source: string, remaining: number) =>
      JSON.stringify({
        TroubleshootingState: state,
        TroubleshootingPreviousState: prev,
        TroubleshootingStartTime: new Date(start).toISOString(),
        ...(s.withExpiry ? { TroubleshootingStateExpiry: new Date(expiry).toISOString() } : {}),
        TroubleshootingStateRemainingMinutes: Math.round(remaining / MIN),
        TroubleshootingStateChangeReason: reason,
        TroubleshootingStateChangeSource: source,
      });
    const row = (at: number, additional: string) => ({
      Timestamp: new Date(at),
      DeviceId: s.deviceId,
      DeviceName: s.deviceName,
      ActionType: 'AntivirusTroubleshootModeEvent',
      InitiatingProcessFileName: 'MsSense.exe',
      ReportId: reportId++,
      AdditionalFields: additional,
    });
    if (now >= start) rows.push(row(start, fields('Enabled', 'Disabled', 'Troubleshooting mode started', 'Portal', s.durationMs)));
    const soon = expiry - s.endingSoonMs;
    if (s.endingSoonMs > 0 && soon > start && now >= soon) rows.push(row(soon, fields('Enabled', 'Enabled', 'Troubleshooting mode ending soon', 'Expiry', s.endingSoonMs)));
    if (now >= expiry) rows.push(row(expiry, fields('Disabled', 'Enabled', 'Troubleshooting mode ended', 'Expiry', 0)));
  }
  return rows;
}
