import { l10n } from './l10n';
/**
 * The sample tenant: what `npm run dev` opens so that every feature can be tried without a Defender tenant or a
 * Windows device. It is served on this machine by the API emulator and the PowerShell stand-in (test/doubles/),
 * which are not in the packaged extension. Pure (no vscode import).
 *
 * The sample is on only when the setting asks for it AND both API endpoints point at this machine, so a token for
 * the sample can never be sent anywhere else, and a user who points the endpoints at a real tenant leaves it.
 */

/** Shown wherever sample data is: view descriptions, the status bar, panel titles, report headers. */
export const SAMPLE_LABEL = 'Sample tenant';

/** The bearer token sent to the sample's API emulator (it accepts any token); never a real credential. */
export const SAMPLE_TOKEN = 'sample-tenant-token';

export interface SampleSettings {
  readonly enabled: boolean | undefined;
  readonly mdeEndpoint: string | undefined;
  readonly graphEndpoint: string | undefined;
}

/** True for http(s) URLs on the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export type SampleState = { readonly active: true } | { readonly active: false; readonly reason?: string };

/** Whether the sample tenant is in use, and when the setting is on but the sample cannot be, why not. */
export function sampleState(settings: SampleSettings): SampleState {
  if (settings.enabled !== true) return { active: false };
  const remote = [
    ['defenderTroubleshooting.mde.endpoint', settings.mdeEndpoint],
    ['defenderTroubleshooting.graph.endpoint', settings.graphEndpoint],
  ].filter(([, url]) => !isLoopbackUrl(url));
  if (remote.length === 0) return { active: true };
  return {
    active: false,
    reason: l10n.t('The sample tenant is served on this machine; {0} must point at 127.0.0.1 (run `npm run dev`).', remote.map(([k]) => k).join(' and ')),
  };
}

/** "Devices — Sample tenant": the text a view description or a title gets while the sample is in use. */
export function withSampleLabel(text: string | undefined, active: boolean): string | undefined {
  if (!active) return text;
  return text ? `${text} · ${SAMPLE_LABEL}` : SAMPLE_LABEL;
}

/** Sessions the sample's user asked for before VS Code opened: recorded once per run of the sample's emulator. */
export interface SampleRequests {
  readonly runId: string;
  readonly requests: readonly { readonly deviceId?: string; readonly deviceName: string; readonly requestedAt: Date }[];
}

/** Reads the sample emulator's `GET /__sample/requests`; undefined when it is not that shape. Bad entries are left out. */
export function parseSampleRequests(body: unknown): SampleRequests | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { runId, requests } = body as { runId?: unknown; requests?: unknown };
  if (typeof runId !== 'string' || !runId || !Array.isArray(requests)) return undefined;
  const out: { deviceId?: string; deviceName: string; requestedAt: Date }[] = [];
  for (const r of requests.slice(0, 50)) {
    if (!r || typeof r !== 'object') continue;
    const { deviceId, deviceName, requestedAt } = r as Record<string, unknown>;
    const at = typeof requestedAt === 'string' ? new Date(requestedAt) : undefined;
    if (typeof deviceName !== 'string' || !deviceName || !at || Number.isNaN(at.getTime())) continue;
    out.push({ deviceId: typeof deviceId === 'string' ? deviceId : undefined, deviceName, requestedAt: at });
  }
  return { runId, requests: out };
}
