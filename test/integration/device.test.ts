import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/constants';
import type { NodeVM } from '../../src/core/treeModel';
import type { ConfirmRequest, PlaybookResult } from '../../src/defender/deviceEngine';
import type { Prompter } from '../../src/device/prompter';
import type { ExtensionApi } from '../../src/extension';
import { activeSession, expiredSession, freshState, readState, writeState, type StandinState } from '../doubles/powershell/standinState';
import { activateExtension, waitFor } from './helpers';

const OFFICE_CHILD = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';

class TestPrompter implements Prompter {
  confirms: ConfirmRequest[] = [];
  results: PlaybookResult[] = [];
  notes: string[] = [];
  answer = true;
  onConfirm?: () => void;
  async confirm(r: ConfirmRequest) {
    this.confirms.push(r);
    this.onConfirm?.();
    return this.answer;
  }
  async pickAsrRule() {
    return OFFICE_CHILD;
  }
  async askExclusions() {
    return { paths: ['C:\\DB\\DataFiles'] };
  }
  async pickSnapshots() {
    return undefined;
  }
  showResult(r: PlaybookResult) {
    this.results.push(r);
  }
  note(m: string) {
    this.notes.push(m);
  }
}

async function rows(provider: { getChildren(e?: NodeVM): Promise<NodeVM[]> }, parent?: NodeVM) {
  return provider.getChildren(parent);
}

describe('device side through the PowerShell stand-in (integration)', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  let prompter: TestPrompter;
  const statePath = process.env.DEFENDER_STANDIN_STATE!;

  const reset = (patch: StandinState = {}) => writeState(statePath, freshState(patch));
  /** The session ends (e.g. while the user reads the dialog): writes then "succeed" but do not stick. */
  const endSessionNow = () => {
    const s = readState(statePath);
    s.troubleshooting = expiredSession();
    writeState(statePath, s);
  };
  const run = (command: string, args?: unknown) => vscode.commands.executeCommand<PlaybookResult | undefined>(command, args);

  before(async () => {
    assert.ok(statePath, 'the harness passes DEFENDER_STANDIN_STATE');
    api = await activateExtension();
  });

  beforeEach(async () => {
    prompter = new TestPrompter();
    api.device.prompter = prompter;
    // Each test starts from an empty snapshot store (the first snapshot decides what undo restores).
    fs.rmSync(api.device.snapshotsDir, { recursive: true, force: true });
  });

  it('shows the device status on the This device row', async () => {
    reset({ troubleshooting: activeSession(new Date(), 79), tamperProtected: true });
    await vscode.commands.executeCommand(CommandIds.deviceRefreshStatus);
    const row = await waitFor(async () => (await rows(api.devices.provider)).find((r) => r.id === 'device/this' && r.description?.includes('Troubleshooting mode')), 'This device row');
    assert.match(row.description!, /^Troubleshooting mode · 2h 4\dm left · TP on · RTP on$/);
    const details = await rows(api.devices.provider, row);
    assert.ok(details.some((r) => r.label === 'Tamper protection' && r.description?.startsWith('on')));
    const playbooks = details.find((r) => r.label === 'Playbooks')!;
    assert.equal((await rows(api.devices.provider, playbooks)).length, 6);
  });

  it('RTP playbook: confirms the exact command, applies it, verifies and audits it', async () => {
    reset({ troubleshooting: activeSession(), tamperProtected: false });
    const result = await run(CommandIds.playbookAppSlow);
    assert.ok(result, 'the command returns its result');
    assert.deepEqual(prompter.confirms[0]!.commands, ['Set-MpPreference -DisableRealtimeMonitoring $true']);
    assert.equal(result.steps[0]!.outcome, 'applied');
    assert.equal(readState(statePath).preferences!.DisableRealtimeMonitoring, true);
    const audit = fs.readFileSync(api.device.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; script: string; result: string });
    const write = audit.filter((e) => e.kind === 'write').at(-1)!;
    assert.match(write.script, /^Set-MpPreference -DisableRealtimeMonitoring \$true/);
    assert.equal(write.result, 'applied');
  });

  it('reports a silent tamper-protection block (event 5013) instead of the exit code', async () => {
    reset({ troubleshooting: activeSession(), tamperProtected: true, moduleHasDisableTamperProtection: true });
    prompter.onConfirm = endSessionNow;
    const result = await run(CommandIds.playbookUnableToInstall);
    assert.ok(result);
    assert.equal(result.steps[0]!.outcome, 'blockedByTamperProtection');
    assert.equal(result.steps[1]!.outcome, 'skipped');
    assert.equal(readState(statePath).tamperProtected, true);
  });

  it('exclusion playbook: samples MsMpEng and adds the exclusions', async () => {
    reset({ troubleshooting: activeSession() });
    const result = await run(CommandIds.playbookHighCpu, { exclusions: { paths: ["C:\\App\u2019s data"], extensions: ['.dbx'] } });
    assert.ok(result);
    assert.deepEqual(result.steps.map((s) => s.outcome), ['applied', 'applied']);
    assert.equal(result.cpuBefore?.cpuPercent, 48.5);
    assert.deepEqual(readState(statePath).preferences!.ExclusionPath, ['C:\\App\u2019s data']);
  });

  it('ASR playbook: disables the picked rule only; undo restores it and the first snapshot shows in Sessions', async () => {
    reset({ troubleshooting: activeSession() });
    const before = readState(statePath).preferences!;
    const result = await run(CommandIds.playbookAsrRule);
    assert.ok(result);
    assert.equal(result.steps[0]!.outcome, 'applied');
    const after = readState(statePath).preferences!;
    assert.deepEqual(after.AttackSurfaceReductionRules_Ids, before.AttackSurfaceReductionRules_Ids);
    assert.deepEqual(after.AttackSurfaceReductionRules_Actions, [0, 1, 1]);

    const session = await waitFor(async () => (await rows(api.sessions.provider)).find((r) => r.id === 'session/this-device'), 'session row');
    const children = await rows(api.sessions.provider, session);
    const snapshotRows = children.filter((c) => c.contextValue === 'snapshot');
    assert.equal(snapshotRows.length, 1);

    const undo = await run(CommandIds.deviceUndo);
    assert.ok(undo?.ok, undo?.summary);
    assert.deepEqual(readState(statePath).preferences!.AttackSurfaceReductionRules_Actions, [1, 1, 1]);
  });

  it('compares two snapshots in the diff editor', async () => {
    reset({ troubleshooting: activeSession() });
    await vscode.commands.executeCommand(CommandIds.snapshotTake);
    const s = readState(statePath);
    s.preferences!.PUAProtection = 2;
    writeState(statePath, s);
    await vscode.commands.executeCommand(CommandIds.snapshotTake);
    const list = await api.device.engine.snapshots();
    assert.equal(list.length, 2);
    await vscode.commands.executeCommand(CommandIds.snapshotCompare, { files: [list[0]!.file, list[1]!.file] });
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff, 'a diff editor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('precondition failures say what to do', async () => {
    reset({ troubleshooting: null });
    await assert.rejects(api.device.engine.runPlaybook('networkProtection', {}, { confirm: async () => true }), (e: { code?: string; message: string }) => e.code === 'tsInactive' && /Defender portal/.test(e.message));
    reset({ troubleshooting: activeSession(), elevated: false });
    await assert.rejects(api.device.engine.runPlaybook('networkProtection', {}, { confirm: async () => true }), (e: { code?: string }) => e.code === 'notElevated');
  });

  /**
   * Terminal mode, with the stand-in reached as `pwsh` (a user's PowerShell 7 setting): on Linux VS Code injects its
   * shell-integration script only into an executable of that name, so the terminal runs real pwsh with VS Code's own
   * shellIntegration.ps1 (the launcher puts `Import-Module DtmStandIn` in front of it).
   */
  async function inTerminalMode<T>(settings: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
    const ours = vscode.workspace.getConfiguration('defenderTroubleshooting');
    const standin = ours.get<string>('powershell.path')!;
    const pwsh = path.join(path.dirname(standin), 'pwsh');
    // Put back what was there (the harness's stand-in path lives in the same settings file), not `undefined`.
    const changed: [vscode.WorkspaceConfiguration, string, unknown][] = [];
    const set = async (section: string, key: string, value: unknown) => {
      const cfg = vscode.workspace.getConfiguration(section);
      const before = cfg.inspect(key)?.globalValue;
      await cfg.update(key, value, vscode.ConfigurationTarget.Global);
      changed.push([cfg, key, before]);
    };
    api.device.terminal.current?.dispose();
    try {
      await set('defenderTroubleshooting', 'powershell.path', pwsh);
      await set('defenderTroubleshooting', 'execution.mode', 'terminal');
      for (const [key, value] of Object.entries(settings)) await set('terminal.integrated', key, value);
      await waitFor(() => vscode.workspace.getConfiguration('defenderTroubleshooting').get('powershell.path') === pwsh, 'the pwsh setting');
      return await body();
    } finally {
      api.device.terminal.current?.dispose();
      for (const [cfg, key, before] of changed.reverse()) await cfg.update(key, before, vscode.ConfigurationTarget.Global);
      await waitFor(() => vscode.workspace.getConfiguration('defenderTroubleshooting').get('powershell.path') === standin, 'the stand-in path back');
    }
  }

  const lastWrite = () =>
    fs.readFileSync(api.device.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; via: string; script: string; result: string; exitCode?: number }).filter((e) => e.kind === 'write').at(-1)!;

  it('terminal mode with shell integration: executeCommand in "Defender PowerShell", exit code audited, verified', async () => {
    reset({ troubleshooting: activeSession() });
    await inTerminalMode({}, async () => {
      const result = await run(CommandIds.playbookNetworkProtection);
      assert.ok(result);
      assert.equal(result.steps[0]!.outcome, 'applied', result.steps[0]!.message);
      const terminal = api.device.terminal.current;
      assert.ok(terminal && terminal.name === 'Defender PowerShell');
      assert.ok(terminal.shellIntegration, 'VS Code activated shell integration in the terminal');
      assert.ok(terminal.shellIntegration.cwd, 'the prompt reported its directory before the command was sent');
      assert.deepEqual(prompter.notes, [], 'no fallback note');
      assert.equal(readState(statePath).preferences!.EnableNetworkProtection, 0);
      const write = lastWrite();
      assert.equal(write.via, 'terminal');
      assert.equal(write.script, "Set-MpPreference -EnableNetworkProtection 'Disabled'");
      assert.equal(write.exitCode, 0);
    });
  });

  it('terminal mode with shell integration: exit code 0 and still "blocked by tamper protection" (event 5013)', async () => {
    reset({ troubleshooting: activeSession(), tamperProtected: true, moduleHasDisableTamperProtection: true });
    prompter.onConfirm = endSessionNow;
    await inTerminalMode({}, async () => {
      const result = await run(CommandIds.playbookUnableToInstall);
      assert.ok(result);
      assert.ok(api.device.terminal.current?.shellIntegration);
      assert.equal(result.steps[0]!.outcome, 'blockedByTamperProtection', result.steps[0]!.message);
      assert.equal(result.steps[1]!.outcome, 'skipped');
      const write = lastWrite();
      assert.equal(write.script, 'Set-MpPreference -DisableTamperProtection $true');
      assert.equal(write.exitCode, 0, 'the terminal says it succeeded');
      assert.equal(write.result, 'blockedByTamperProtection');
      assert.equal(readState(statePath).tamperProtected, true);
    });
  });

  it('terminal mode without shell integration: the first command starts the terminal, the next is typed with sendText; says so, still verifies', async () => {
    reset({ troubleshooting: activeSession(), tamperProtected: false });
    await inTerminalMode({ 'shellIntegration.enabled': false }, async () => {
      const first = await run(CommandIds.playbookNetworkProtection);
      assert.ok(first);
      assert.equal(first.steps[0]!.outcome, 'applied', first.steps[0]!.message);
      const terminal = api.device.terminal.current;
      assert.ok(terminal && terminal.name === 'Defender PowerShell');
      assert.equal(terminal.shellIntegration, undefined);
      // A new terminal gets the command as its start-up command (a line typed before the first prompt is lost).
      const shellArgs = (terminal.creationOptions as vscode.TerminalOptions).shellArgs as string[];
      assert.deepEqual(shellArgs.slice(0, 3), ['-NoLogo', '-NoExit', '-EncodedCommand']);
      assert.equal(Buffer.from(shellArgs[3]!, 'base64').toString('utf16le'), "Write-Host -Object 'PS> Set-MpPreference -EnableNetworkProtection ''Disabled'''\nSet-MpPreference -EnableNetworkProtection 'Disabled'\n");
      assert.equal(readState(statePath).preferences!.EnableNetworkProtection, 0);
      assert.equal(lastWrite().via, 'terminal');
      assert.equal(lastWrite().exitCode, undefined);

      // The same terminal, now at its prompt: the next command is typed into it.
      const second = await run(CommandIds.playbookAppSlow);
      assert.ok(second);
      assert.equal(second.steps[0]!.outcome, 'applied', second.steps[0]!.message);
      assert.equal(api.device.terminal.current, terminal, 'the terminal is reused');
      assert.equal(readState(statePath).preferences!.DisableRealtimeMonitoring, true);
      const write = lastWrite();
      assert.equal(write.via, 'terminal');
      assert.equal(write.script, 'Set-MpPreference -DisableRealtimeMonitoring $true');
      assert.equal(write.exitCode, undefined);
      assert.equal(prompter.notes.length, 2);
      for (const n of prompter.notes) assert.match(n, /Shell integration is not active/);
    });
  });
});
