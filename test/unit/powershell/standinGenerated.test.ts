/**
 * The Defender module stand-in's interface is generated (scripts/gen-defender-standin.mjs) from the reference
 * interface: the committed modules must equal the generated ones, and real PowerShell must see in them exactly the
 * parameters, aliases, ValidateSets and enum numbers of defender-module.json.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requirePwsh, STANDIN_DIR, tempStandin } from '../../doubles/powershell/standinState';
import { pwshJson } from './pwshHelpers';

interface Generator {
  generate(snapshot: unknown): Record<string, string>;
  loadSnapshot(): {
    moduleCmdlets: { name: string; parameters: { name: string; type: string; aliases: string[]; allowedValues: string[] }[] }[];
    enums: Record<string, { values: Record<string, number> }>;
    docs: Record<string, { module: string; parameters: { name: string }[] }>;
  };
  modulesDir(): string;
}

const REPO_ROOT = path.resolve(STANDIN_DIR, '..', '..', '..');
const generator = async () => (await import(path.join(REPO_ROOT, 'scripts', 'gen-defender-standin.mjs'))) as Generator;

const INTERFACE = String.raw`
$ErrorActionPreference = 'Stop'
$null = [Console]::In.ReadToEnd()
Import-Module DtmStandIn, Defender, DefenderPerformance
$cmds = foreach ($c in Get-Command -Module Defender, DefenderPerformance) {
  [ordered]@{
    name = $c.Name
    module = $c.ModuleName
    parameters = @(foreach ($p in $c.Parameters.Values) {
      if ([System.Management.Automation.PSCmdlet]::CommonParameters -contains $p.Name -or [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -contains $p.Name) { continue }
      $set = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object { $_.ValidValues })
      [ordered]@{ name = $p.Name; type = $p.ParameterType.FullName; aliases = @($p.Aliases); validateSet = $set }
    })
  }
}
$enums = [ordered]@{}
foreach ($name in 'MpPreference.ASRRuleActionType', 'MpPreference.PUAProtectionType', 'MpPreference.ControlledFolderAccessType', 'MpPreference.ScanDirection') {
  $t = "Microsoft.PowerShell.Cmdletization.GeneratedTypes.$name" -as [type]
  $enums[$name] = [ordered]@{}
  foreach ($v in [enum]::GetValues($t)) { $enums[$name][[string]$v] = [int]$v }
}
$errors = [ordered]@{}
foreach ($case in @(
    @{ id = 'unknownParameter'; sb = { Set-MpPreference -DisableTamperProtection $true } },
    @{ id = 'unknownEnum'; sb = { Add-MpPreference -AttackSurfaceReductionRules_Ids 'x' -AttackSurfaceReductionRules_Actions 'Block' } },
    @{ id = 'validateSet'; sb = { Set-MpPreference -RealTimeScanDirection 'Outgoing' } },
    @{ id = 'badType'; sb = { Set-MpPreference -DisableRealtimeMonitoring 'yes' } }
  )) {
  try { & $case.sb; $errors[$case.id] = 'no error' } catch { $errors[$case.id] = [string]$_.FullyQualifiedErrorId + ' | ' + $_.Exception.Message }
}
ConvertTo-Json -InputObject ([ordered]@{ cmdlets = @($cmds); enums = $enums; errors = $errors; hasDtp = (Get-Command Set-MpPreference).Parameters.ContainsKey('DisableTamperProtection') }) -Depth 6 -Compress
`;

interface Seen {
  cmdlets: { name: string; module: string; parameters: { name: string; type: string; aliases: string[]; validateSet: string[] }[] }[];
  enums: Record<string, Record<string, number>>;
  errors: Record<string, string>;
  hasDtp: boolean;
}

describe('Defender module stand-in: generated interface (scripts/gen-defender-standin.mjs)', function () {
  this.timeout(180_000);

  it('the committed modules equal the generated ones (run node scripts/gen-defender-standin.mjs)', async () => {
    const gen = await generator();
    const files = gen.generate(gen.loadSnapshot());
    assert.ok(Object.keys(files).length >= 4);
    for (const [rel, text] of Object.entries(files)) {
      assert.equal(fs.readFileSync(path.join(gen.modulesDir(), rel), 'utf8'), text, `${rel} is stale`);
    }
  });

  it('real PowerShell sees the reference interface: every cmdlet, parameter, alias, ValidateSet and enum number', async () => {
    requirePwsh();
    const gen = await generator();
    const snapshot = gen.loadSnapshot();
    const { stateFile } = tempStandin();
    const env = { ...process.env, DEFENDER_STANDIN_STATE: stateFile, PSModulePath: `${path.join(STANDIN_DIR, 'Modules')}${path.delimiter}${process.env.PSModulePath ?? ''}` };
    const seen = pwshJson<Seen>(INTERFACE, null, env);
    const byName = new Map(seen.cmdlets.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), Object.keys(snapshot.docs).sort(), 'the 14 documented cmdlets');
    for (const mc of snapshot.moduleCmdlets) {
      const c = byName.get(mc.name)!;
      for (const p of mc.parameters) {
        const q = c.parameters.find((x) => x.name === p.name);
        assert.ok(q, `${mc.name} -${p.name}`);
        for (const a of p.aliases) assert.ok(q.aliases.includes(a), `${mc.name} -${p.name} alias ${a}`);
        assert.deepEqual(q.validateSet, p.allowedValues, `${mc.name} -${p.name} ValidateSet`);
        if (p.type.startsWith('MpPreference.')) assert.equal(q.type, `Microsoft.PowerShell.Cmdletization.GeneratedTypes.${p.type}`);
      }
    }
    for (const [name, values] of Object.entries(seen.enums)) assert.deepEqual(values, snapshot.enums[name]!.values, name);
    assert.equal(seen.enums['MpPreference.ASRRuleActionType']!.NotConfigured, 5);
    assert.equal(seen.enums['MpPreference.ASRRuleActionType']!.Warn, 6);
    assert.equal(seen.hasDtp, false, 'the published interface has no -DisableTamperProtection');
    assert.match(seen.errors.unknownParameter!, /^NamedParameterNotFound,Set-MpPreference \| A parameter cannot be found that matches parameter name 'DisableTamperProtection'\.$/);
    assert.match(seen.errors.unknownEnum!, /^ParameterArgumentTransformationError,Add-MpPreference \|.*Unable to match the identifier name Block/s);
    assert.match(seen.errors.validateSet!, /^ParameterArgumentTransformationError,Set-MpPreference|^ParameterArgumentValidationError,Set-MpPreference/);
    assert.match(seen.errors.badType!, /^ParameterArgumentTransformationError,Set-MpPreference/);
  });
});
