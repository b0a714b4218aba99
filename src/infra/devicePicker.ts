import * as vscode from 'vscode';
import type { Machine } from '../api/mde';
import { deviceSearchItem, searchDevices } from '../defender/deviceSearch';

/** How many matches the pick lists at once; the title says when there are more. */
export const DEVICE_PICK_LIMIT = 200;

/**
 * One quick pick over loaded tenant devices, searched as "Search Tenant Devices…" searches them (name, id, IP,
 * platform, device group, health, tag). `title` is told the number of matches as the user types. Resolves to the
 * picked device's id, or undefined when the pick is closed.
 */
export async function pickDeviceId(machines: readonly Machine[], title: (total: number) => string): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { machineId: string }>();
  qp.placeholder = vscode.l10n.t('Name, id, IP, platform, device group, health or tag');
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  // Opened from the walkthrough or a notification, focus can move on while the user reads: keep the pick open.
  qp.ignoreFocusOut = true;
  const update = () => {
    const { matches, total } = searchDevices(machines, qp.value, DEVICE_PICK_LIMIT);
    qp.items = matches.map((x) => ({ ...deviceSearchItem(x.machine), alwaysShow: true }));
    qp.title = title(total);
  };
  update();
  try {
    return await new Promise<string | undefined>((resolve) => {
      qp.onDidChangeValue(update);
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.machineId);
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
  } finally {
    qp.dispose();
  }
}
