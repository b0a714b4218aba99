import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import { logFailure, type ILogger } from '../core/logger';
import { errorNode, type NodeTone, type NodeVM } from '../core/treeModel';

const TONE_COLORS: Record<NodeTone, string | undefined> = {
  ok: 'testing.iconPassed',
  warning: 'list.warningForeground',
  error: 'list.errorForeground',
  info: undefined,
  muted: 'disabledForeground',
};

export function toTreeItem(vm: NodeVM): vscode.TreeItem {
  const item = new vscode.TreeItem(
    vm.label,
    vm.children
      ? vm.collapsed === false
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None,
  );
  item.id = vm.id;
  item.description = vm.description;
  if (vm.tooltip) {
    // The tooltip is built by pure view-models, with untrusted text escaped by mdText/mdCode (core/markdown).
    // Never trusted (no command links) and no HTML.
    const md = new vscode.MarkdownString(vm.tooltip);
    md.isTrusted = false;
    md.supportHtml = false;
    md.supportThemeIcons = true;
    item.tooltip = md;
  }
  if (vm.icon) {
    const color = vm.tone ? TONE_COLORS[vm.tone] : undefined;
    item.iconPath = new vscode.ThemeIcon(vm.icon, color ? new vscode.ThemeColor(color) : undefined);
  }
  item.contextValue = vm.contextValue;
  if (vm.resourceUri) item.resourceUri = vscode.Uri.parse(vm.resourceUri);
  if (vm.command) {
    item.command = { command: vm.command.command, title: vm.command.title, arguments: vm.command.args ? [...vm.command.args] : undefined };
  }
  item.accessibilityInformation = {
    label: vm.description ? `${vm.label}, ${vm.description}` : vm.label,
  };
  return item;
}

/**
 * A TreeDataProvider over NodeVMs. A failing root or child load becomes an error row with a retry,
 * never a notification.
 */
export class VmTreeProvider extends Disposable implements vscode.TreeDataProvider<NodeVM> {
  private readonly changed = this.register(new vscode.EventEmitter<NodeVM | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly roots: () => Promise<readonly NodeVM[]> | readonly NodeVM[],
    private readonly log: ILogger,
    private readonly retryCommand: string,
  ) {
    super();
  }

  refresh(node?: NodeVM): void {
    this.changed.fire(node);
  }

  getTreeItem(element: NodeVM): vscode.TreeItem {
    return toTreeItem(element);
  }

  async getChildren(element?: NodeVM): Promise<NodeVM[]> {
    try {
      const list = element ? await element.children?.() : await this.roots();
      return [...(list ?? [])];
    } catch (err) {
      logFailure(this.log, '', err);
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      return [
        errorNode(`${element?.id ?? 'root'}/error`, vscode.l10n.t('Could not load: {0}', msg), {
          command: this.retryCommand,
          title: vscode.l10n.t('Retry'),
        }),
      ];
    }
  }
}

export type RowSource = () => Promise<readonly NodeVM[]> | readonly NodeVM[];

/**
 * A tree view whose root rows come from sources that features register (the device engine, hunting
 * results…), so the view knows nothing about them. Subclasses may put fixed rows first.
 */
export abstract class RowSourceView extends Disposable {
  readonly provider: VmTreeProvider;
  readonly treeView: vscode.TreeView<NodeVM>;
  private readonly sources: RowSource[] = [];

  constructor(viewId: string, refreshCommand: string, log: ILogger, options: { canSelectMany?: boolean } = {}) {
    super();
    this.provider = this.register(new VmTreeProvider(() => this.roots(), log, refreshCommand));
    this.treeView = this.register(
      vscode.window.createTreeView(viewId, { treeDataProvider: this.provider, showCollapseAll: true, canSelectMany: options.canSelectMany }),
    );
  }

  addSource(source: RowSource): vscode.Disposable {
    this.sources.push(source);
    this.provider.refresh();
    return new vscode.Disposable(() => {
      const i = this.sources.indexOf(source);
      if (i >= 0) this.sources.splice(i, 1);
      this.provider.refresh();
    });
  }

  refresh(): void {
    this.provider.refresh();
  }

  protected async sourceRows(): Promise<NodeVM[]> {
    const rows: NodeVM[] = [];
    for (const source of this.sources) rows.push(...(await source()));
    return rows;
  }

  protected abstract roots(): Promise<NodeVM[]>;
}
