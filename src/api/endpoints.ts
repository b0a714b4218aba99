import { DefenderToolError } from '../core/errors';
import { l10n } from '../core/l10n';

export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';
export const DEFAULT_MDE_ENDPOINT = 'https://api.security.microsoft.com';

/** Graph hosts of the national clouds, and the resource each one's tokens are issued for. */
const GRAPH_RESOURCES: Readonly<Record<string, string>> = {
  'graph.microsoft.com': 'https://graph.microsoft.com',
  'graph.microsoft.us': 'https://graph.microsoft.us',
  'dod-graph.microsoft.us': 'https://dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn': 'https://microsoftgraph.chinacloudapi.cn',
};

/**
 * Validates an endpoint setting. HTTPS is required, except on the loopback interface (a local emulator),
 * because every request carries a bearer token. Returns the origin plus any path prefix, without a
 * trailing slash.
 */
export function normalizeEndpoint(value: string | undefined, fallback: string, settingId: string): string {
  const raw = (value ?? '').trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DefenderToolError('bad-endpoint', l10n.t('The setting {0} is not a URL: "{1}".', settingId, raw), {
      action: { title: l10n.t('Open Setting'), command: 'workbench.action.openSettings', args: [settingId] },
    });
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new DefenderToolError(
      'bad-endpoint',
      l10n.t('The setting {0} must be an https:// address (plain http is allowed only for 127.0.0.1 or localhost), not "{1}".', settingId, raw),
      { action: { title: l10n.t('Open Setting'), command: 'workbench.action.openSettings', args: [settingId] } },
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new DefenderToolError('bad-endpoint', l10n.t('The setting {0} must be a plain base address, not "{1}".', settingId, raw));
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * The delegated scope for advanced hunting on the cloud the endpoint belongs to. Unknown hosts (a local
 * emulator, a proxy) get the public cloud's scope.
 */
export function graphHuntingScope(endpoint: string): string {
  let host = '';
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    // fall through to the default
  }
  const resource = GRAPH_RESOURCES[host] ?? GRAPH_RESOURCES['graph.microsoft.com']!;
  return `${resource}/ThreatHunting.Read.All`;
}

/** The hunting scope for a `graph.endpoint` setting value (empty = the public cloud). */
export function huntingScopeForSetting(setting: string | undefined): string {
  return graphHuntingScope((setting ?? '').trim() || DEFAULT_GRAPH_ENDPOINT);
}
