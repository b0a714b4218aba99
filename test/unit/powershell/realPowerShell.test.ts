/**
 * Issue 7 items 3 and 4: every script the product builds runs in real PowerShell 7 through the product's own runner
 * (src/powershell/runner.ts) against the stand-in launcher, and its JSON is parsed by the product's own parsers.
 * A script fails here when it does not parse, binds a parameter the (generated, real-interface) Defender module
 * lacks, writes anything to stderr, exits non-zero, or prints anything but exactly one JSON document.
 * Then PowerShell's own AST of every script is walked for constructs Windows PowerShell 5.1 lacks.
 */
import * as assert from 'node:assert/strict';
import { MemoryLogger } from '../../../src/core/logger';
import { ASR_ACTION_CODES, ASR_RULES } from '../../../src/defender/asrRules';
import { parseComputerStatus, parseIsoOrMsDate, type CultureInfo } from '../../../src/defender/computerStatus';
import * as operations from '../../../src/defender/operations';
import { changeScript, cpuSampleScript, eventsScript, preferencesScript, readBackScript, statusScript, type Change } from '../../../src/defender/operations';
import { PLAYBOOKS, type PlaybookInput } from '../../../src/defender/playbooks';
import { asrEntries, type Preferences } from '../../../src/defender/preferences';
import { restoreChanges, type Snapshot } from '../../../src/defender/snapshots';
import { parseEvents } from '../../../src/defender/verify';
import { ProcessPowerShellRunner } from '../../../src/powershell/runner';
import { wrapScript } from '../../../src/powershell/script';
import { pwshJson } from './pwshHelpers';
import { activeSession, requirePwsh, runResultsOf, STANDIN_PATH, tempStandin, type StandinState } from '../../doubles/powershell/standinState';

/** One product script and the device it runs against. */
interface Case {
  readonly builder: string;
  readonly body: string;
  readonly state?: StandinState;
  readonly check?: (data: unknown) => void;
}

const HOSTILE_PATH = "C:\\Temp\\it's \u2018quoted\u2019 \u201Cdouble\u201D $(calc) `n ;|& \u2013dash \u2014x";
const WRITABLE: StandinState = { troubleshooting: activeSession(), tamperProtected: false, moduleHasDisableTamperProtection: true };

function changeCases(): Case[] {
  const changes: Change[] = [
    { kind: 'tamperProtection', disable: true },
    { kind: 'tamperProtection', disable: false },
    { kind: 'realtimeMonitoring', disable: true },
    { kind: 'realtimeMonitoring', disable: false },
  ];
  for (const setting of ['PUAProtection', 'EnableNetworkProtection'] as const) for (const value of [0, 1, 2]) changes.push({ kind: 'threeState', setting, value });
  for (const action of Object.values(ASR_ACTION_CODES)) changes.push({ kind: 'asrRule', guid: ASR_RULES[0]!.guid, action });
  changes.push({ kind: 'asrRuleRemove', guid: 'd4f940ab-401b-4efc-aadc-ad5f3c50688a' });
  const values: Record<string, string[]> = { ExclusionPath: [HOSTILE_PATH, 'D:\\Data'], ExclusionExtension: ['.mdf', "x'y"], ExclusionProcess: ['C:\\Program Files\\App\\app.exe'] };
  for (const list of ['ExclusionPath', 'ExclusionExtension', 'ExclusionProcess'] as const) {
    for (const op of ['add', 'remove'] as const) changes.push({ kind: 'exclusions', list, op, values: values[list]! });
  }
  // Playbooks (with and without tamper protection reported on) and undo (restore from a first snapshot).
  const status = (tp: boolean) => parseComputerStatus({ IsTamperProtected: tp, RealTimeProtectionEnabled: true, AMRunningMode: 'Normal' }, new Date());
  const input: PlaybookInput = { ruleGuid: ASR_RULES[3]!.guid, exclusions: { paths: [HOSTILE_PATH], extensions: ['.log'], processes: ['C:\\a\\b.exe'] } };
  for (const p of PLAYBOOKS) for (const tp of [true, false]) changes.push(...p.changes(input, status(tp)));
  const before: Preferences = { DisableRealtimeMonitoring: false, PUAProtection: 1, EnableNetworkProtection: 1, AttackSurfaceReductionRules_Ids: [ASR_RULES[2]!.guid, ASR_RULES[3]!.guid], AttackSurfaceReductionRules_Actions: [1, 6], ExclusionPath: ['C:\\kept'] };
  const after: Preferences = { DisableRealtimeMonitoring: true, PUAProtection: 0, EnableNetworkProtection: 2, AttackSurfaceReductionRules_Ids: [ASR_RULES[3]!.guid, ASR_RULES[4]!.guid], AttackSurfaceReductionRules_Actions: [0, 2], ExclusionPath: [HOSTILE_PATH], ExclusionExtension: ['.tmp'] };
  const first: Snapshot = { version: 1, device: 'STANDIN-PC', takenAt: new Date().toISOString(), reason: 'test', isTamperProtected: true, preferences: before };
  changes.push(...restoreChanges(first, { preferences: after, isTamperProtected: false }));
  return changes.map((c) => ({ builder: `changeScript(${c.kind})`, body: changeScript(c), state: WRITABLE }));
}

function allCases(): Case[] {
  const since = new Date(Date.now() - 3600_000);
  const events: StandinState['events'] = [
    { Id: 5007, TimeCreated: new Date(Date.now() - 60_000).toISOString(), Message: 'Configuration changed', RecordId: 1, Data: { 'Old Value': 'HKLM\\x = 0x0', 'New Value': 'HKLM\\x = 0x1' } },
    { Id: 5013, TimeCreated: new Date(Date.now() - 30_000).toISOString(), Message: 'Tamper protection blocked a change', RecordId: 2, Data: { Value: 'HKLM\\y = 0x1' } },
  ];
  const cases: Case[] = [
    {
      builder: 'statusScript',
      body: statusScript(),
      state: { troubleshooting: activeSession() },
      check: (data) => {
        const d = data as { status: unknown; elevated: boolean; computerName: string; culture: CultureInfo };
        assert.equal(d.elevated, true);
        assert.equal(d.computerName, 'STANDIN-PC');
        assert.deepEqual(d.culture, { name: 'en-US', datePattern: 'M/d/yyyy', timePattern: 'h:mm:ss tt' });
        const s = parseComputerStatus(d.status, new Date(), d.culture);
        assert.equal(s.troubleshooting.active, true);
        assert.ok(s.troubleshooting.endTime, 'the TroubleShootingEndTime string parses with the device culture');
      },
    },
    {
      builder: 'statusScript',
      body: statusScript(),
      state: { culture: 'de-DE', troubleshooting: activeSession() },
      check: (data) => {
        const d = data as { status: unknown; culture: CultureInfo };
        assert.equal(d.culture.datePattern, 'dd.MM.yyyy');
        assert.ok(parseComputerStatus(d.status, new Date(), d.culture).troubleshooting.endTime);
      },
    },
    {
      builder: 'preferencesScript',
      body: preferencesScript(),
      check: (data) => {
        const p = data as Preferences;
        assert.equal(p.PUAProtection, 1, 'enums come back as numbers');
        assert.equal(asrEntries(p).length, 3);
        assert.ok(!Object.keys(p).some((k) => k.startsWith('Cim') || k === 'PSComputerName'));
      },
    },
    {
      builder: 'eventsScript',
      body: eventsScript([5007, 5013], since),
      state: { events },
      check: (data) => {
        const e = parseEvents(data);
        assert.deepEqual(e.map((x) => x.id), [5013, 5007]);
        assert.ok(e.every((x) => x.time instanceof Date));
      },
    },
    { builder: 'eventsScript', body: eventsScript([5007], new Date()), check: (data) => assert.deepEqual(parseEvents(data), []) },
    {
      builder: 'readBackScript',
      body: readBackScript(since),
      state: { events },
      check: (data) => {
        const d = data as { preferences: Preferences; status: unknown; events: unknown };
        assert.equal(parseEvents(d.events).length, 2);
        assert.equal(parseComputerStatus(d.status, new Date()).isTamperProtected, true);
      },
    },
    {
      builder: 'cpuSampleScript',
      body: cpuSampleScript(10),
      check: (data) => assert.equal((data as { cpuPercent: number }).cpuPercent, 48.5),
    },
    ...changeCases(),
  ];
  // One run per distinct script and device.
  const seen = new Set<string>();
  return cases.filter((c) => {
    const key = `${c.body}\n${JSON.stringify(c.state ?? {})}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every exported script builder of src/defender/operations.ts (…Script), so a new one cannot go untested. */
const BUILDERS = Object.keys(operations).filter((k) => /Script$/.test(k) && typeof (operations as Record<string, unknown>)[k] === 'function');

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const cases = allCases();

describe('every product script on real PowerShell 7 (issue 7 item 3)', function () {
  this.timeout(900_000);
  before(() => requirePwsh());

  it(`covers every script builder of operations.ts (${BUILDERS.length}) and every change kind`, () => {
    const covered = new Set(cases.map((c) => c.builder.replace(/\(.*$/, '')));
    assert.deepEqual(BUILDERS.filter((b) => !covered.has(b)), []);
    const kinds = new Set(cases.filter((c) => c.builder.startsWith('changeScript')).map((c) => c.builder));
    assert.deepEqual([...kinds].sort(), ['asrRule', 'asrRuleRemove', 'exclusions', 'realtimeMonitoring', 'tamperProtection', 'threeState'].map((k) => `changeScript(${k})`));
  });

  it(`runs all ${cases.length} distinct scripts through the product's runner: one JSON document each, no stderr, exit 0`, async () => {
    const failures: string[] = [];
    await mapLimit(cases, 2, async (c) => {
      const { stateFile } = tempStandin(c.state ?? {});
      const runner = new ProcessPowerShellRunner({
        executable: () => ({ kind: 'run', executable: STANDIN_PATH }),
        log: new MemoryLogger(),
        env: { ...process.env, DEFENDER_STANDIN_STATE: stateFile },
        defaultTimeoutMs: 180_000,
      });
      try {
        const data = await runner.run(c.body);
        c.check?.(data);
        const [run] = runResultsOf(stateFile);
        assert.ok(run, 'the launcher logged the run');
        assert.equal(run.script, wrapScript(c.body));
        assert.equal(run.stderr, '', 'nothing on stderr');
        assert.equal(run.exitCode, 0);
        const doc = JSON.parse(run.stdout) as { ok: boolean };
        assert.equal(doc.ok, true, 'exactly one JSON document on stdout');
      } catch (err) {
        failures.push(`${c.builder}: ${(err as Error).message}\n--- script ---\n${c.body}`);
      }
    });
    assert.deepEqual(failures, []);
  });
});

/** PowerShell's own parser walks every wrapped product script for what Windows PowerShell 5.1 lacks. */
const AST_CHECK = String.raw`
$ErrorActionPreference = 'Stop'
$scripts = [Console]::In.ReadToEnd() | ConvertFrom-Json
$L = [System.Management.Automation.Language.TokenKind]
$results = foreach ($s in $scripts) {
  $tokens = $null; $errors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseInput([string]$s.text, [ref]$tokens, [ref]$errors)
  $found = [System.Collections.Generic.List[string]]::new()
  foreach ($e in $errors) { $found.Add('parse error: ' + $e.Message) }
  $nodes = $ast.FindAll({ $true }, $true)
  foreach ($n in $nodes) {
    $t = $n.GetType().Name
    if ($t -eq 'TernaryExpressionAst') { $found.Add('ternary ?: ' + $n.Extent.Text) }
    if ($t -eq 'PipelineChainAst') { $found.Add('pipeline chain && / || ' + $n.Extent.Text) }
    if ($t -eq 'BinaryExpressionAst' -and $n.Operator -eq $L::QuestionQuestion) { $found.Add('?? ' + $n.Extent.Text) }
    if ($t -eq 'AssignmentStatementAst' -and $n.Operator -eq $L::QuestionQuestionEquals) { $found.Add('??= ' + $n.Extent.Text) }
    if (($t -eq 'MemberExpressionAst' -or $t -eq 'InvokeMemberExpressionAst' -or $t -eq 'IndexExpressionAst') -and $n.NullConditional) { $found.Add('?. / ?[] ' + $n.Extent.Text) }
    if ($t -eq 'ScriptBlockAst' -and $null -ne $n.CleanBlock) { $found.Add('clean block') }
    if ($t -eq 'CommandAst') {
      $name = $n.GetCommandName()
      $params = @($n.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
      if ($name -in 'ForEach-Object', 'foreach', '%' -and ($params | Where-Object { $_.Length -ge 2 -and 'parallel'.StartsWith($_.ToLowerInvariant()) })) { $found.Add('ForEach-Object -Parallel') }
      if ($name -eq 'ConvertTo-Json' -and -not ($params | Where-Object { 'depth'.StartsWith($_.ToLowerInvariant()) -and $_.Length -ge 1 })) { $found.Add('ConvertTo-Json without -Depth: ' + $n.Extent.Text) }
    }
  }
  [ordered]@{ name = [string]$s.name; found = @($found); nodes = $nodes.Count }
}
ConvertTo-Json -InputObject @($results) -Depth 4 -Compress
`;

describe('Windows PowerShell 5.1 stays the target (issue 7 item 4)', function () {
  this.timeout(300_000);
  before(() => requirePwsh());

  it('PowerShell\'s AST of every product script has no construct 5.1 lacks, and every ConvertTo-Json has -Depth', () => {
    const scripts = cases.map((c, i) => ({ name: `${i}:${c.builder}`, text: wrapScript(c.body) }));
    const results = pwshJson<{ name: string; found: string[]; nodes: number }[]>(AST_CHECK, scripts);
    assert.equal(results.length, scripts.length);
    assert.ok(results.every((r) => r.nodes > 50), 'the walk saw the whole script');
    assert.deepEqual(results.filter((r) => r.found.length), []);
  });

  it('the checker itself finds each 5.1-only construct (it is not vacuous)', () => {
    const bad = [
      '$a = $b ? 1 : 2',
      '$a = $b ?? 1',
      '$a ??= 1',
      '$a = ${b}?.c',
      'Get-Item x && Get-Item y',
      '1..3 | ForEach-Object -Parallel { $_ }',
      'function f { process { 1 } clean { 2 } }',
      'ConvertTo-Json -InputObject $x -Compress',
    ].map((text, i) => ({ name: String(i), text }));
    const results = pwshJson<{ name: string; found: string[] }[]>(AST_CHECK, bad);
    assert.deepEqual(results.map((r) => r.found.length > 0), bad.map(() => true), JSON.stringify(results));
  });

  it('parses both JSON date forms: 5.1\'s "\\/Date(ms)\\/" and 7\'s ISO 8601', () => {
    const ms = Date.UTC(2024, 5, 5, 14, 0, 0);
    assert.equal(parseIsoOrMsDate('/Date(' + ms + ')/')?.getTime(), ms);
    assert.equal(parseIsoOrMsDate(JSON.parse('"\\/Date(' + ms + ')\\/"'))?.getTime(), ms);
    assert.equal(parseIsoOrMsDate('2024-06-05T14:00:00.0000000Z')?.getTime(), ms);
    assert.equal(parseIsoOrMsDate('2024-06-05T16:00:00+02:00')?.getTime(), ms);
    assert.equal(parseEvents([{ Id: 5013, TimeCreated: '\\/Date(' + ms + ')\\/', Message: 'x' }])[0]!.time?.getTime(), ms);
  });
});
