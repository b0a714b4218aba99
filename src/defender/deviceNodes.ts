import type { HostSupport } from '../core/host';
import type { NodeVM } from '../core/treeModel';

export const THIS_DEVICE_ID = 'device/this';

/**
 * The "This device" row: the device VS Code's extension host runs on (the remote one under Remote-SSH).
 * When Defender cannot be reached from here it says why, plainly.
 */
export function thisDeviceNode(host: HostSupport, extra?: Partial<NodeVM>): NodeVM {
  if (!host.supported) {
    return {
      id: THIS_DEVICE_ID,
      label: 'This device',
      description: host.reason,
      tooltip: `**This device**: ${host.summary}\n\n${host.reason ?? ''}\n\nOpen a Windows device (locally or with Remote-SSH) to run Defender cmdlets.`,
      icon: 'vm',
      tone: 'muted',
      contextValue: 'thisDevice unsupported',
      ...extra,
    };
  }
  return {
    id: THIS_DEVICE_ID,
    label: 'This device',
    description: host.summary,
    tooltip: `**This device**: ${host.summary}`,
    icon: 'vm',
    tone: 'info',
    contextValue: 'thisDevice windows',
    ...extra,
  };
}
