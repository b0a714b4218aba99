import * as assert from 'node:assert/strict';
import { ASR_RULES, asrActionLabel, asrActionName, findAsrRule } from '../../../src/defender/asrRules';
import { activeSessionStatus } from './fixtures';
import { changeCommand, changeScript, describeChange, cpuSampleScript, eventsScript, preferencesScript, readBackScript, statusScript, type Change } from '../../../src/defender/operations';
import { checkPreconditions, getPlaybook, PLAYBOOKS, SCENARIO_PLAYBOOKS, TamperProtectionOnError, TroubleshootingInactiveError } from '../../../src/defender/playbooks';
import { restoreChanges, type Snapshot } from '../../../src/defender/snapshots';
import { parseEvents, verifyChange } from '../../../src/defender/verify';
import { parseComputerStatus } from '../../../src/defender/computerStatus';
import { NotElevatedError, PassiveModeError } from '../../../src/powershell/errors';

import * as fs from 'node:fs';

/** The shared reference the rules were copied from (present on the team's machines, not on public CI). */
const ASR_REFERENCE = '/work/shared/reference/asr-rules.json';

describe('ASR rules', () => {
  it('are exactly the 19 documented rules', function () {
    assert.equal(ASR_RULES.length, 19);
    if (!fs.existsSync(ASR_REFERENCE)) this.skip();
    const asrJson = JSON.parse(fs.readFileSync(ASR_REFERENCE, 'utf8')) as { rules: { name: string; guid: string }[] };
    assert.deepEqual(ASR_RULES.map((r) => [r.name, r.guid]), asrJson.rules.map((r) => [r.name, r.guid]));
  });
  it('are found case-insensitively and made-up GUIDs are rejected', () => {
    assert.equal(findAsrRule('D4F940AB-401B-4EFC-AADC-AD5F3C50688A')?.name, 'Block all Office applications from creating child processes');
    assert.equal(findAsrRule('4f940ab0-1a52-4140-a244-4670c3202575'), undefined);
    assert.equal(findAsrRule("d4f940ab-401b-4efc-aadc-ad5f3c50688a'; calc"), undefined);
  });
  it('name every action the module enum has: 5 (NotConfigured) and 6 (Warn) read back by name (issue 7 item 6)', () => {
    assert.equal(asrActionLabel(5), 'Not configured');
    assert.equal(asrActionLabel(6), 'Warn');
    assert.equal(asrActionName(5), 'NotConfigured');
    assert.equal(asrActionName(6), 'Warn');
    assert.equal(describeChange({ kind: 'asrRule', guid: ASR_RULES[0]!.guid, action: 5 }), `Set ASR rule "${ASR_RULES[0]!.name}" to Not configured`);
    assert.match(asrActionLabel(3), /unknown \(3\)/);
  });
});

describe('playbook scripts', () => {
  const status = activeSessionStatus({ isTamperProtected: true });
  const cmds = (id: Parameters<typeof getPlaybook>[0], input = {}) => getPlaybook(id).changes(input, status).map(changeCommand);

  it('are the commands of the six seed scenarios', () => {
    assert.equal(SCENARIO_PLAYBOOKS.length, 6);
    assert.deepEqual(cmds('unableToInstall'), ['Set-MpPreference -DisableTamperProtection $true', 'Set-MpPreference -DisableRealtimeMonitoring $true']);
    assert.deepEqual(cmds('highCpu', { exclusions: { paths: ['C:\\DB\\DataFiles'], extensions: ['.dbx'], processes: ['C:\\DB\\Bin\\Convertdb.exe'] } }), [
      "Add-MpPreference -ExclusionPath 'C:\\DB\\DataFiles'",
      "Add-MpPreference -ExclusionExtension '.dbx'",
      "Add-MpPreference -ExclusionProcess 'C:\\DB\\Bin\\Convertdb.exe'",
    ]);
    assert.deepEqual(cmds('appSlow'), ['Set-MpPreference -DisableRealtimeMonitoring $true']);
    assert.deepEqual(cmds('puaBlocked'), ["Set-MpPreference -PUAProtection 'Disabled'"]);
    assert.deepEqual(cmds('asrRule', { ruleGuid: 'D4F940AB-401B-4EFC-AADC-AD5F3C50688A' }), [
      "Add-MpPreference -AttackSurfaceReductionRules_Ids 'd4f940ab-401b-4efc-aadc-ad5f3c50688a' -AttackSurfaceReductionRules_Actions 'Disabled'",
    ]);
    assert.deepEqual(cmds('networkProtection'), ["Set-MpPreference -EnableNetworkProtection 'Disabled'"]);
  });

  it('skip turning tamper protection off when it is already off', () => {
    assert.deepEqual(getPlaybook('unableToInstall').changes({}, activeSessionStatus({ isTamperProtected: false })).map(changeCommand), ['Set-MpPreference -DisableRealtimeMonitoring $true']);
  });

  it('quote every user value and refuse bad input', () => {
    assert.equal(cmds('highCpu', { exclusions: { paths: ["C:\\it's\u2019"] } })[0], "Add-MpPreference -ExclusionPath 'C:\\it''s\u2019\u2019'");
    assert.throws(() => cmds('highCpu', { exclusions: { paths: ['C:\\a\nb'] } }), /control character/);
    assert.throws(() => cmds('highCpu', { exclusions: {} }), /at least one/);
    assert.throws(() => cmds('asrRule', { ruleGuid: 'not-a-rule' }), /19 documented/);
  });

  it('wrap writes with an empty success document and build the read scripts from constants', () => {
    assert.equal(changeScript({ kind: 'realtimeMonitoring', disable: true }), 'Set-MpPreference -DisableRealtimeMonitoring $true\nWrite-DtmOk $null');
    assert.match(statusScript(), /^\$status = Get-MpComputerStatus \| Select-Object -Property AMRunningMode, .*TroubleShootingStartTime\n/);
    assert.match(preferencesScript(), /Select-Object -Property \* -ExcludeProperty 'Cim\*', 'PSComputerName'/);
    assert.match(eventsScript([5007, 5013], new Date('2024-06-05T14:00:00Z')), /Id = 5007, 5013; StartTime = \[datetime\]'2024-06-05T14:00:00.000Z'/);
    assert.match(readBackScript(new Date(0)), /Write-DtmOk @\{ preferences = \$preferences; status = \$status; events = \$events \}/);
    assert.equal(cpuSampleScript(3000), "Write-DtmOk (Measure-DtmProcessCpu -Name 'MsMpEng' -Milliseconds 3000)");
  });

  it('restore changes for undo in every direction', () => {
    const commands: Change[] = [
      { kind: 'tamperProtection', disable: false },
      { kind: 'realtimeMonitoring', disable: false },
      { kind: 'threeState', setting: 'PUAProtection', value: 2 },
      { kind: 'asrRuleRemove', guid: ASR_RULES[0]!.guid },
      { kind: 'exclusions', list: 'ExclusionProcess', op: 'remove', values: ['a.exe'] },
    ];
    assert.deepEqual(commands.map(changeCommand), [
      'Set-MpPreference -DisableTamperProtection $false',
      'Set-MpPreference -DisableRealtimeMonitoring $false',
      "Set-MpPreference -PUAProtection 'AuditMode'",
      `Remove-MpPreference -AttackSurfaceReductionRules_Ids '${ASR_RULES[0]!.guid}'`,
      "Remove-MpPreference -ExclusionProcess 'a.exe'",
    ]);
  });
});

describe('preconditions', () => {
  const facts = (over: Partial<Parameters<typeof checkPreconditions>[1]> = {}) => ({ device: 'PC1', elevated: true, status: activeSessionStatus({ isTamperProtected: false }), ...over });
  it('pass when troubleshooting mode is active, elevated, tamper protection off', () => {
    for (const p of PLAYBOOKS) checkPreconditions(p, facts());
  });
  it('fail in order with actionable errors', () => {
    assert.throws(() => checkPreconditions(getPlaybook('appSlow'), facts({ status: parseComputerStatus({ TroubleShootingMode: 'Disabled' }, new Date()) })), TroubleshootingInactiveError);
    assert.throws(() => checkPreconditions(getPlaybook('appSlow'), facts({ status: parseComputerStatus({}, new Date()) })), /does not report troubleshooting mode/);
    assert.throws(() => checkPreconditions(getPlaybook('appSlow'), facts({ elevated: false })), NotElevatedError);
    assert.throws(() => checkPreconditions(getPlaybook('appSlow'), facts({ status: activeSessionStatus({ isTamperProtected: true }) })), TamperProtectionOnError);
    assert.doesNotThrow(() => checkPreconditions(getPlaybook('networkProtection'), facts({ status: activeSessionStatus({ isTamperProtected: true }) })));
    assert.throws(() => checkPreconditions(getPlaybook('networkProtection'), facts({ status: activeSessionStatus({ amRunningMode: 'Passive Mode' }) })), PassiveModeError);
  });
});

describe('verification', () => {
  const status = activeSessionStatus({});
  const rtpOff: Change = { kind: 'realtimeMonitoring', disable: true };
  it('applied when the value reads back', () => {
    assert.equal(verifyChange(rtpOff, { preferences: { DisableRealtimeMonitoring: true }, status, events: [] }).outcome, 'applied');
  });
  it('blocked by tamper protection when unchanged and 5013 was logged', () => {
    const events = parseEvents([{ Id: 5013, TimeCreated: '2024-06-05T14:00:00.0000000Z', Message: 'Tamper protection blocked a change' }]);
    const v = verifyChange(rtpOff, { preferences: { DisableRealtimeMonitoring: false }, status, events });
    assert.equal(v.outcome, 'blockedByTamperProtection');
    assert.match(v.message, /5013/);
  });
  it('did not take effect when unchanged without 5013', () => {
    assert.equal(verifyChange(rtpOff, { preferences: { DisableRealtimeMonitoring: false }, status, events: parseEvents({ Id: 5007 }) }).outcome, 'notApplied');
  });
  it('unverified when exclusions are hidden from a non-administrator', () => {
    const v = verifyChange({ kind: 'exclusions', list: 'ExclusionPath', op: 'add', values: ['C:\\x'] }, { preferences: { ExclusionPath: ['N/A: Must be an administrator to view exclusions'] }, status, events: [] });
    assert.equal(v.outcome, 'unverified');
  });
  it('checks one ASR rule in the parallel arrays, tolerating single values', () => {
    const g = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
    assert.equal(verifyChange({ kind: 'asrRule', guid: g, action: 0 }, { preferences: { AttackSurfaceReductionRules_Ids: g.toUpperCase(), AttackSurfaceReductionRules_Actions: 0 }, status, events: [] }).outcome, 'applied');
    assert.equal(verifyChange({ kind: 'asrRule', guid: g, action: 0 }, { preferences: { AttackSurfaceReductionRules_Ids: ['x', g], AttackSurfaceReductionRules_Actions: [0, 1] }, status, events: [] }).outcome, 'notApplied');
  });
});

describe('undo planning', () => {
  const g1 = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
  const g2 = '26190899-1602-49e8-8b27-eb1d0a1ce869';
  const first: Snapshot = {
    version: 1, device: 'PC1', takenAt: '2024-06-05T12:00:00Z', reason: 'test', isTamperProtected: true,
    preferences: { DisableRealtimeMonitoring: false, PUAProtection: 1, EnableNetworkProtection: 1, AttackSurfaceReductionRules_Ids: [g1], AttackSurfaceReductionRules_Actions: [1], ExclusionPath: ['C:\\keep', 'C:\\gone'], ExclusionExtension: null },
  };
  it('restores only what changed, tamper protection last', () => {
    const changes = restoreChanges(first, {
      isTamperProtected: false,
      preferences: { DisableRealtimeMonitoring: true, PUAProtection: 0, EnableNetworkProtection: 1, AttackSurfaceReductionRules_Ids: [g1, g2], AttackSurfaceReductionRules_Actions: [0, 1], ExclusionPath: ['C:\\keep', 'C:\\new'], ExclusionExtension: '.dbx' },
    });
    assert.deepEqual(changes.map(changeCommand), [
      'Set-MpPreference -DisableRealtimeMonitoring $false',
      "Set-MpPreference -PUAProtection 'Enabled'",
      `Add-MpPreference -AttackSurfaceReductionRules_Ids '${g1}' -AttackSurfaceReductionRules_Actions 'Enabled'`,
      `Remove-MpPreference -AttackSurfaceReductionRules_Ids '${g2}'`,
      "Remove-MpPreference -ExclusionPath 'C:\\new'",
      "Add-MpPreference -ExclusionPath 'C:\\gone'",
      "Remove-MpPreference -ExclusionExtension '.dbx'",
      'Set-MpPreference -DisableTamperProtection $false',
    ]);
  });
  it('is empty when nothing changed', () => {
    assert.deepEqual(restoreChanges(first, { preferences: first.preferences, isTamperProtected: true }), []);
  });
});
