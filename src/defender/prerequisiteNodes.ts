/**
 * Prerequisite rows for the Devices view (pure): a "Prerequisites" group under a device with one row per
 * requirement, and for tenant devices a line saying what cannot be known remotely.
 */
import { mdText } from '../core/markdown';
import type { NodeTone, NodeVM } from '../core/treeModel';
import { REMOTE_UNKNOWNS, type PrerequisiteResult, type PrerequisiteStatus } from './prerequisites';
import { l10n } from '../core/l10n';

const LOOK: Record<PrerequisiteStatus, [string, NodeTone, string]> = {
  pass: ['pass', 'ok', 'met'],
  fail: ['error', 'error', 'not met'],
  unknown: ['question', 'muted', 'unknown'],
};

export function prerequisiteRows(parentId: string, result: PrerequisiteResult, remote: boolean): NodeVM[] {
  const rows: NodeVM[] = result.rows.map((r) => {
    const [icon, tone, word] = LOOK[r.status];
    return {
      id: `${parentId}/prereq/${r.id}`,
      label: r.requirement,
      description: `${word} · ${r.found}`,
      tooltip: [
        `**${r.requirement}**: ${word}`,
        '',
        `Found: ${mdText(r.found)}`,
        '',
        `Needed: ${r.needed}`,
        r.kb ? `\n\nFixed by: ${r.kb} (Microsoft Update Catalog)` : '',
        r.note ? `\n\n${r.note}` : '',
      ].join('\n'),
      icon,
      tone,
      contextValue: `prerequisite ${r.status}`,
    };
  });
  if (remote) {
    rows.push({ id: `${parentId}/prereq/remote`, label: l10n.t('Not known remotely'), description: REMOTE_UNKNOWNS, tooltip: REMOTE_UNKNOWNS, icon: 'info', tone: 'muted', contextValue: 'message' });
  }
  return rows;
}

/** The collapsible group; its label carries the verdict. */
export function prerequisitesGroup(parentId: string, result: PrerequisiteResult, remote: boolean): NodeVM {
  const [icon, tone] = LOOK[result.verdict];
  const failing = result.rows.filter((r) => r.status === 'fail').length;
  const unknown = result.rows.filter((r) => r.status === 'unknown').length;
  const description =
    result.verdict === 'pass' ? 'all met' : [failing && `${failing} not met`, unknown && `${unknown} unknown`].filter(Boolean).join(' · ');
  return {
    id: `${parentId}/prereq`,
    label: l10n.t('Troubleshooting-mode prerequisites'),
    description,
    tooltip: l10n.t('From the prerequisites table of the troubleshooting-mode docs. Unknown is never counted as met.'),
    icon,
    tone,
    contextValue: `prerequisites ${result.verdict}`,
    collapsed: true,
    children: () => prerequisiteRows(parentId, result, remote),
  };
}
