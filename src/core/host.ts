import { l10n } from './l10n';
/**
 * What the extension host runs on. Under Remote-SSH the extension runs on the remote device
 * (extensionKind "workspace"), so this describes the device the engineer is troubleshooting.
 */
export interface HostFacts {
  readonly platform: NodeJS.Platform;
  readonly hostname: string;
  readonly release: string;
  /** vscode.env.remoteName: 'ssh-remote', 'wsl', … or undefined for a local window. */
  readonly remoteName: string | undefined;
}

export interface HostSupport {
  readonly supported: boolean;
  /** One line for the tree and the tooltip. */
  readonly summary: string;
  /** Why Defender cmdlets cannot run here, when they cannot. */
  readonly reason?: string;
}

export function describeRemote(remoteName: string | undefined): string {
  switch (remoteName) {
    case undefined:
    case '':
      return 'local';
    case 'ssh-remote':
      return 'Remote-SSH';
    case 'wsl':
      return 'WSL';
    case 'dev-container':
    case 'attached-container':
      return 'container';
    case 'tunnel':
      return 'tunnel';
    default:
      return `remote (${remoteName})`;
  }
}

/** Defender's cmdlets (the Defender/ConfigDefender module) exist only on Windows. */
export function assessHost(facts: HostFacts): HostSupport {
  const where = describeRemote(facts.remoteName);
  if (facts.platform === 'win32') {
    return {
      supported: true,
      summary: l10n.t('{0} (Windows {1}, {2})', facts.hostname, facts.release, where),
    };
  }
  return {
    supported: false,
    summary: `${facts.hostname} (${facts.platform}, ${where})`,
    reason: l10n.t('Defender cmdlets need Windows; this host is {0}.', facts.platform),
  };
}
