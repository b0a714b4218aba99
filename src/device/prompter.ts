import * as vscode from 'vscode';
import { ASR_RULES, asrActionLabel } from '../defender/asrRules';
import type { ConfirmRequest, PlaybookResult } from '../defender/deviceEngine';
import type { ExclusionInput } from '../defender/playbooks';
import type { SnapshotRef } from '../defender/snapshots';

/**
 * Every question the device feature asks the user, behind one interface so integration tests can answer them
 * (the extension API exposes the active prompter; tests swap in their own).
 */
export interface Prompter {
  /** Modal confirmation that shows the exact command lines. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** One of the 19 documented rules by name (GUID shown); `current` maps GUID to the device's action code. */
  pickAsrRule(current: ReadonlyMap<string, number>): Promise<string | undefined>;
  askExclusions(): Promise<ExclusionInput | undefined>;
  pickSnapshots(snapshots: readonly SnapshotRef[]): Promise<readonly [SnapshotRef, SnapshotRef] | undefined>;
  /** Tells the user how a playbook went; must not block the command. */
  showResult(result: PlaybookResult): void;
  /** An informational note (e.g. the terminal fell back to sendText). */
  note(message: string): void;
}

const split = (text: string | undefined) =>
  (text ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

export class VsCodePrompter implements Prompter {
  constructor(private readonly followUp: { undo: string; audit: string }) {}

  async confirm(request: ConfirmRequest): Promise<boolean> {
    const run = vscode.l10n.t('Run');
    const choice = await vscode.window.showWarningMessage(
      request.title,
      { modal: true, detail: `${request.commands.join('\n')}\n\n${request.detail}` },
      run,
    );
    return choice === run;
  }

  async pickAsrRule(current: ReadonlyMap<string, number>): Promise<string | undefined> {
    const items = ASR_RULES.map((r) => ({
      label: r.name,
      description: r.guid,
      detail: vscode.l10n.t('On this device: {0}{1}', current.has(r.guid) ? asrActionLabel(current.get(r.guid)) : vscode.l10n.t('not configured locally'), r.preview ? vscode.l10n.t(' · preview rule') : ''),
      guid: r.guid,
    })).sort((a, b) => Number(current.has(b.guid) && current.get(b.guid) !== 0) - Number(current.has(a.guid) && current.get(a.guid) !== 0));
    const pick = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Which attack surface reduction rule is blocking?'),
      placeHolder: vscode.l10n.t('The rule is set to Disabled; the other rules stay as they are'),
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return pick?.guid;
  }

  async askExclusions(): Promise<ExclusionInput | undefined> {
    const ask = (what: string, example: string) =>
      vscode.window.showInputBox({
        title: vscode.l10n.t('High CPU from MsMpEng.exe: {0} to exclude', what),
        prompt: vscode.l10n.t('Separate several with ";". Leave empty for none. Use what Process Monitor showed, e.g. {0}.', example),
        ignoreFocusOut: true,
      });
    const paths = await ask(vscode.l10n.t('paths'), 'C:\\DB\\DataFiles');
    if (paths === undefined) return undefined;
    const extensions = await ask(vscode.l10n.t('file extensions'), '.dbx');
    if (extensions === undefined) return undefined;
    const processes = await ask(vscode.l10n.t('processes (files they open are excluded)'), 'C:\\DB\\Bin\\Convertdb.exe');
    if (processes === undefined) return undefined;
    return { paths: split(paths), extensions: split(extensions), processes: split(processes) };
  }

  async pickSnapshots(snapshots: readonly SnapshotRef[]): Promise<readonly [SnapshotRef, SnapshotRef] | undefined> {
    if (snapshots.length < 2) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There are fewer than two snapshots of this device to compare. Take one with "Take Defender Settings Snapshot".'));
      return undefined;
    }
    const items = [...snapshots].reverse().map((s) => ({ label: s.takenAt.toLocaleString(), description: s.device, ref: s }));
    const picks = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Pick two snapshots to compare'), canPickMany: true, ignoreFocusOut: true });
    if (!picks || picks.length !== 2) return undefined;
    const [a, b] = picks.map((p) => p.ref).sort((x, y) => x.takenAt.getTime() - y.takenAt.getTime());
    return [a!, b!];
  }

  showResult(result: PlaybookResult): void {
    const buttons = result.steps.some((s) => s.outcome === 'applied') && result.playbook !== 'undo' ? [vscode.l10n.t('Undo My Changes'), vscode.l10n.t('Show Audit Log')] : [vscode.l10n.t('Show Audit Log')];
    const text = result.summary;
    const show = result.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(text, ...buttons).then((choice) => {
      if (choice === vscode.l10n.t('Undo My Changes')) void vscode.commands.executeCommand(this.followUp.undo);
      if (choice === vscode.l10n.t('Show Audit Log')) void vscode.commands.executeCommand(this.followUp.audit);
    });
  }

  note(message: string): void {
    void vscode.window.showInformationMessage(message);
  }
}
