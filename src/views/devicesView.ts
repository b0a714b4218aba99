import * as os from 'node:os';
import * as vscode from 'vscode';
import { CommandIds, ViewIds } from '../constants';
import { assessHost, type HostFacts } from '../core/host';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { thisDeviceNode } from '../defender/deviceNodes';
import { RowSourceView } from './vmTree';

export function currentHostFacts(): HostFacts {
  return {
    platform: process.platform,
    hostname: os.hostname(),
    release: os.release(),
    remoteName: vscode.env.remoteName,
  };
}

/** Devices: This device first, then rows from registered sources (e.g. the tenant's devices). */
export class DevicesView extends RowSourceView {
  /** Replaces the plain This device row (the device engine installs a richer one). */
  thisDeviceRow: () => Promise<NodeVM> | NodeVM = () => thisDeviceNode(assessHost(currentHostFacts()));

  constructor(log: ILogger) {
    // Several tenant devices can be selected (e.g. "Turn On Troubleshooting Mode…" for a group).
    super(ViewIds.devices, CommandIds.devicesRefresh, log, { canSelectMany: true });
  }

  protected async roots(): Promise<NodeVM[]> {
    return [await this.thisDeviceRow(), ...(await this.sourceRows())];
  }
}
