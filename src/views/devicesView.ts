import * as os from 'node:os';
import * as vscode from 'vscode';
import { CommandIds, ViewIds } from '../constants';
import { assessHost, type HostFacts } from '../core/host';
import { Disposable } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { NodeVM } from '../core/treeModel';
import { thisDeviceNode } from '../defender/deviceNodes';
import { VmTreeProvider } from './vmTree';

export function currentHostFacts(): HostFacts {
  return {
    platform: process.platform,
    hostname: os.hostname(),
    release: os.release(),
    remoteName: vscode.env.remoteName,
  };
}

/** Contributors add rows (e.g. tenant devices) without the view knowing about them. */
export type DeviceRowsProvider = () => Promise<readonly NodeVM[]> | readonly NodeVM[];

export class DevicesView extends Disposable {
  readonly provider: VmTreeProvider;
  readonly treeView: vscode.TreeView<NodeVM>;
  /** Replaces the plain This device row (the device engine installs a richer one). */
  thisDeviceRow: () => Promise<NodeVM> | NodeVM = () => thisDeviceNode(assessHost(currentHostFacts()));
  private readonly extraRows: DeviceRowsProvider[] = [];

  constructor(log: ILogger) {
    super();
    this.provider = this.register(
      new VmTreeProvider(() => this.roots(), log, CommandIds.devicesRefresh),
    );
    this.treeView = this.register(
      vscode.window.createTreeView(ViewIds.devices, { treeDataProvider: this.provider, showCollapseAll: true }),
    );
  }

  addRows(rows: DeviceRowsProvider): vscode.Disposable {
    this.extraRows.push(rows);
    this.provider.refresh();
    return new vscode.Disposable(() => {
      const i = this.extraRows.indexOf(rows);
      if (i >= 0) this.extraRows.splice(i, 1);
    });
  }

  refresh(): void {
    this.provider.refresh();
  }

  private async roots(): Promise<NodeVM[]> {
    const rows: NodeVM[] = [await this.thisDeviceRow()];
    for (const extra of this.extraRows) rows.push(...(await extra()));
    return rows;
  }
}
