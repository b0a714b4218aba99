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

/** Where the extension host runs, in words. @l10n */
export function describeRemote(remoteName: string | undefined): string {
  switch (remoteName) {
    case undefined:
    case '':
      return l10n.t('local');
    case 'ssh-remote':
      return 'Remote-SSH';
    case 'wsl':
      return l10n.t('WSL');
    case 'dev-container':
    case 'attached-container':
      return l10n.t('container');
    case 'tunnel':
      return l10n.t('tunnel');
    default:
      return l10n.t('remote ({0})', remoteName);
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
