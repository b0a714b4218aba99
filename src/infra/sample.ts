import * as vscode from 'vscode';
import { CommandIds, ContextKeys, NS, SettingIds } from '../constants';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import { isLoopbackUrl, parseSampleRequests, SAMPLE_LABEL, sampleState, withSampleLabel, type SampleRequests, type SampleState } from '../core/sample';
import { setContext } from './contexts';

/** The sample tenant's settings as VS Code resolves them now. */
export function currentSampleState(): SampleState {
  const cfg = vscode.workspace.getConfiguration(NS);
  return sampleState({
    enabled: cfg.get<boolean>('sample.enabled'),
    mdeEndpoint: cfg.get<string>('mde.endpoint'),
    graphEndpoint: cfg.get<string>('graph.endpoint'),
  });
}

/** A panel's title, with "· Sample tenant" while the sample is in use: what it shows is sample data. */
export function labelIfSample(title: string): string {
  return withSampleLabel(title, currentSampleState().active) ?? title;
}

/**
 * The sessions the sample's user "asked for" before VS Code opened (the sample emulator's GET /__sample/requests):
 * only while the sample is in use, only from a loopback endpoint; undefined when there is nothing to read.
 */
export async function fetchSampleRequests(log: ILogger): Promise<SampleRequests | undefined> {
  const endpoint = vscode.workspace.getConfiguration(NS).get<string>('mde.endpoint');
  if (!currentSampleState().active || !isLoopbackUrl(endpoint)) return undefined;
  try {
    const res = await fetch(`${endpoint!.replace(/\/+$/, '')}/__sample/requests`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    return parseSampleRequests(await res.json());
  } catch (err) {
    log.warn(`[sample] could not read the sample's requested sessions: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** The stand-in launcher that plays This device in the sample (test/doubles/powershell/). */
function isStandinPath(value: string | undefined): boolean {
  return !!value && /[\\/]test[\\/]doubles[\\/]powershell[\\/](powershell|pwsh)$/.test(value);
}

/**
 * Leaves the sample: turns the setting off and removes, wherever they are set, the settings that pointed the
 * extension at this machine's emulator and stand-in, so the next sign-in goes to the real Microsoft endpoints.
 */
export async function leaveSample(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(NS);
  const targets = [vscode.ConfigurationTarget.Global, vscode.ConfigurationTarget.Workspace, vscode.ConfigurationTarget.WorkspaceFolder];
  const clear = async (key: string, matches: (value: string | undefined) => boolean) => {
    const inspected = cfg.inspect<string>(key);
    const values = [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue];
    for (let i = 0; i < targets.length; i++) {
      if (values[i] !== undefined && matches(values[i])) await cfg.update(key, undefined, targets[i]);
    }
  };
  await clear('sample.enabled', () => true);
  await clear('mde.endpoint', isLoopbackUrl);
  await clear('graph.endpoint', isLoopbackUrl);
  await clear('powershell.path', isStandinPath);
}

/**
 * Labels sample data wherever it shows while the sample is in use: the Devices and Sessions views' descriptions, a
 * status-bar item (click to leave the sample) and the `defenderTroubleshooting.sampleTenant` context key.
 */
export class SampleTenant extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<boolean>());
  readonly onDidChange = this.changed.event;
  private readonly statusItem: vscode.StatusBarItem;
  private state: SampleState = currentSampleState();

  constructor(
    private readonly log: ILogger,
    private readonly views: readonly vscode.TreeView<unknown>[],
  ) {
    super();
    this.statusItem = this.register(vscode.window.createStatusBarItem(`${NS}.sample`, vscode.StatusBarAlignment.Left, 10));
    this.statusItem.name = 'Defender sample tenant';
    this.statusItem.text = `$(beaker) ${SAMPLE_LABEL}`;
    this.statusItem.tooltip = vscode.l10n.t('Sample data: an API emulator and a PowerShell stand-in on this machine play a Defender tenant and a Windows device. Click to leave the sample.');
    this.statusItem.command = CommandIds.sampleLeave;
    this.statusItem.accessibilityInformation = { label: vscode.l10n.t('Defender: sample tenant in use. Activate to leave the sample.'), role: 'button' };
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if ([SettingIds.sampleEnabled, SettingIds.mdeEndpoint, SettingIds.graphEndpoint].some((k) => e.affectsConfiguration(k))) this.update();
      }),
    );
    this.apply();
    if (!this.state.active && this.state.reason) log.warn(`[sample] ${this.state.reason}`);
  }

  get active(): boolean {
    return this.state.active;
  }

  private update(): void {
    const was = this.state.active;
    this.state = currentSampleState();
    this.apply();
    if (was !== this.state.active) {
      this.log.info(`[sample] ${this.state.active ? 'using the sample tenant' : 'left the sample tenant'}`);
      this.changed.fire(this.state.active);
    } else if (!this.state.active && this.state.reason) this.log.warn(`[sample] ${this.state.reason}`);
  }

  private apply(): void {
    const active = this.state.active;
    for (const view of this.views) view.description = active ? SAMPLE_LABEL : undefined;
    if (active) this.statusItem.show();
    else this.statusItem.hide();
    void setContext(ContextKeys.sampleTenant, active);
  }
}
