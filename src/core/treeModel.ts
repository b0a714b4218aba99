import { mdText } from './markdown';
import { l10n } from './l10n';

/**
 * Pure view-models for tree rows. Feature code builds these (and unit-tests them); views/vmTree.ts is the
 * only place that turns them into vscode.TreeItems.
 */
export interface NodeCommand {
  readonly command: string;
  readonly title: string;
  readonly args?: readonly unknown[];
}

export type NodeTone = 'ok' | 'warning' | 'error' | 'info' | 'muted';

export interface NodeVM {
  /** Stable id, so expansion state survives refreshes. */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  /** Markdown. Untrusted text (API, PowerShell, error messages) goes in only through mdText/mdCode (./markdown). */
  readonly tooltip?: string;
  /** A codicon name, e.g. 'shield'. */
  readonly icon?: string;
  readonly tone?: NodeTone;
  /** Space-separated tokens matched in `when` clauses with `viewItem =~ /\btoken\b/`. */
  readonly contextValue?: string;
  readonly collapsed?: boolean;
  readonly command?: NodeCommand;
  /** A resource URI string (for diffs/decorations), if any. */
  readonly resourceUri?: string;
  /** Present for expandable rows. */
  readonly children?: () => Promise<readonly NodeVM[]> | readonly NodeVM[];
}

export function messageNode(id: string, label: string, opts: Partial<NodeVM> = {}): NodeVM {
  return { id, label, icon: 'info', tone: 'muted', contextValue: 'message', ...opts };
}

export function errorNode(id: string, label: string, retry?: NodeCommand): NodeVM {
  return {
    id,
    label,
    icon: 'error',
    tone: 'error',
    contextValue: 'message error',
    command: retry,
    tooltip: retry ? l10n.t('{0}\n\nSelect to retry.', mdText(label)) : mdText(label),
  };
}
