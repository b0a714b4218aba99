/**
 * "Connect with Remote-SSH" to a tenant device: the host name comes from the MDE API (computerDnsName), so it is
 * accepted only as a DNS name before it goes into a `vscode-remote://ssh-remote+<host>/<folder>` URI. Anything
 * else (spaces, `@`, `:`, `/`, `%`, option-looking `-x`, non-ASCII) could point SSH somewhere else or pass it
 * options. Pure: src/fleet/index.ts opens the URI.
 */
import { DefenderToolError } from '../core/errors';
import { l10n } from '../core/l10n';

/** Letters, digits and inner hyphens, 1–63 characters per label (RFC 1123). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The host name, when it is a DNS name (one label or more, 253 characters at most); otherwise undefined. */
export function dnsHostName(name: string | undefined | null): string | undefined {
  if (typeof name !== 'string') return undefined;
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (host.length === 0 || host.length > 253) return undefined;
  const labels = host.split('.');
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  // All-numeric last label: an IP address or a number, not a host name from the device inventory.
  if (/^\d+$/.test(labels.at(-1)!)) return undefined;
  return host;
}

export class InvalidHostNameError extends DefenderToolError {
  constructor(name: string) {
    super('bad-host', l10n.t('"{0}" is not a DNS host name, so the extension does not pass it to Remote - SSH.', name.slice(0, 80)), { expected: true });
  }
}

/**
 * The Remote-SSH URI that opens `folder` (a Windows path like `C:\` or `D:\work`) on `host`.
 * Throws InvalidHostNameError for a host that is not a DNS name.
 */
export function remoteSshUri(host: string, folder: string): string {
  const dns = dnsHostName(host);
  if (!dns) throw new InvalidHostNameError(host);
  const remotePath = `/${folder.trim().replace(/\\/g, '/').replace(/^\/+/, '')}`;
  return `vscode-remote://ssh-remote+${dns}${remotePath.split('/').map(encodeURIComponent).join('/')}`;
}
