# Get-/Set-/Add-/Remove-MpPreference (defender.md §3.2, §11). PowerShell has already bound and converted the
# parameters against the real interface (generated Defender module); this is what the device then does:
#  - tamper protection on and no active troubleshooting session: a write to a tamper-protected setting "succeeds"
#    silently, changes nothing and logs 5013 with the event data field 'Value'; with state.tamperBlocksDuringTroubleshooting
#    the same happens during a session too, except turning tamper protection off (-DisableTamperProtection), which the
#    docs' troubleshooting-mode steps do first ("To disable RTP for this scenario, first turn off tamper protection");
#  - otherwise the change sticks and a real change logs 5007 with 'Old Value' / 'New Value'
#    (`HKLM\...\DisableRealtimeMonitoring = 0x1`; a new exclusion is `...\Exclusions\Paths\C:\temp = 0x0` with an
#    empty Old Value); turning RTP off/on also logs 5001/5000;
#  - not elevated: HRESULT 0x80070005 (PermissionDenied); service stopped: HRESULT 0x800106ba.
# Get-MpPreference returns enums as numbers (as the CIM instance does); exclusions are hidden from non-admins.

$script:TamperProtectedSettings = [System.Collections.Generic.HashSet[string]]::new([string[]]@(
    'DisableRealtimeMonitoring', 'DisableBehaviorMonitoring', 'DisableIOAVProtection', 'DisableScriptScanning',
    'DisableArchiveScanning', 'MAPSReporting', 'SubmitSamplesConsent', 'ExclusionPath', 'ExclusionExtension',
    'ExclusionProcess', 'ExclusionIpAddress', 'DisableTamperProtection'
  ), [System.StringComparer]::OrdinalIgnoreCase)

$script:ListSettings = @('AttackSurfaceReductionOnlyExclusions', 'ExclusionPath', 'ExclusionExtension', 'ExclusionProcess',
  'ExclusionIpAddress', 'ControlledFolderAccessAllowedApplications', 'ControlledFolderAccessProtectedFolders')

# Parallel lists: ids and their actions.
$script:PairSettings = [ordered]@{
  AttackSurfaceReductionRules_Ids = 'AttackSurfaceReductionRules_Actions'
  ThreatIDDefaultAction_Ids = 'ThreatIDDefaultAction_Actions'
}

$script:DefenderKey = 'HKLM\SOFTWARE\Microsoft\Windows Defender'

function Get-DtmRegistryValueName {
  param([string]$Name)
  switch -Regex ($Name) {
    '^ExclusionPath$' { return "$script:DefenderKey\Exclusions\Paths" }
    '^ExclusionExtension$' { return "$script:DefenderKey\Exclusions\Extensions" }
    '^ExclusionProcess$' { return "$script:DefenderKey\Exclusions\Processes" }
    '^ExclusionIpAddress$' { return "$script:DefenderKey\Exclusions\IpAddresses" }
    '^DisableTamperProtection$' { return "$script:DefenderKey\Features\TamperProtection" }
    '^AttackSurfaceReductionRules_' { return "$script:DefenderKey\Windows Defender Exploit Guard\ASR\Rules" }
    '^AttackSurfaceReductionOnlyExclusions$' { return "$script:DefenderKey\Windows Defender Exploit Guard\ASR\ASROnlyExclusions" }
    '^ControlledFolderAccess' { return "$script:DefenderKey\Windows Defender Exploit Guard\Controlled Folder Access\$Name" }
    '^EnableNetworkProtection$' { return "$script:DefenderKey\Windows Defender Exploit Guard\Network Protection\EnableNetworkProtection" }
    '^PUAProtection$' { return "$script:DefenderKey\PUAProtection" }
    '^(MAPSReporting|SubmitSamplesConsent)$' { return "$script:DefenderKey\Spynet\$Name" }
    default { return "$script:DefenderKey\Real-Time Protection\$Name" }
  }
}

function Format-DtmRegistryData {
  param($Value)
  if ($null -eq $Value) { return '' }
  if ($Value -is [bool]) { return ('0x{0:x}' -f [int]$Value) }
  if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32] -or $Value -is [byte] -or $Value -is [double]) { return ('0x{0:x}' -f [long]$Value) }
  if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) { return (@($Value) -join ', ') }
  return [string]$Value
}

function ConvertTo-DtmStateValue {
  param($Value)
  if ($null -eq $Value) { return $null }
  if ($Value -is [System.Management.Automation.SwitchParameter]) { return $Value.IsPresent }
  if ($Value -is [enum]) { return [int]$Value }
  if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
  if ($Value -is [array]) { return , @($Value | ForEach-Object { ConvertTo-DtmStateValue $_ }) }
  return $Value
}

function Add-DtmConfigEvent {
  param($State, [string]$Old, [string]$New)
  Add-DtmEvent -State $State -Id 5007 -Message "Microsoft Defender Antivirus Configuration has changed. If this is an unexpected event you should review the settings as this may be the result of malware.`r`n`tOld value: $Old`r`n`tNew value: $New" -Data ([ordered]@{ 'Old Value' = $Old; 'New Value' = $New })
}

function Add-DtmTamperEvent {
  param($State, [string]$Value)
  Add-DtmEvent -State $State -Id 5013 -Message "Tamper protection blocked a change to Microsoft Defender Antivirus. If Tamper protection is enabled then, any attempt to change any of Defender's settings is blocked. Event ID 5013 is generated which states which setting change was blocked.`r`n`tValue: $Value" -Data ([ordered]@{ Value = $Value })
}

function Test-DtmSameText([string]$a, [string]$b) { return [string]::Equals($a, $b, [System.StringComparison]::OrdinalIgnoreCase) }

function DtmHandler-Get-MpPreference {
  param([System.Collections.IDictionary]$Parameters)
  $s = Get-DtmState
  Assert-DtmDefenderAvailable $s
  $out = [ordered]@{}
  foreach ($key in $s['preferences'].Keys) { $out[$key] = $s['preferences'][$key] }
  if (-not $s['elevated']) {
    # Non-administrators cannot read exclusions; Defender returns this text in their place.
    foreach ($k in 'ExclusionPath', 'ExclusionExtension', 'ExclusionProcess', 'ExclusionIpAddress') { $out[$k] = @('N/A: Must be an administrator to view exclusions') }
  }
  $out['PSComputerName'] = $null
  $out['CimClass'] = 'ROOT/Microsoft/Windows/Defender:MSFT_MpPreference'
  $out['CimInstanceProperties'] = '...'
  $out['CimSystemProperties'] = '...'
  $result = [pscustomobject]$out
  $result.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Defender/MSFT_MpPreference')
  return $result
}

function DtmHandler-Set-MpPreference { param([System.Collections.IDictionary]$Parameters) Write-DtmPreference -Command 'Set-MpPreference' -Parameters $Parameters }
function DtmHandler-Add-MpPreference { param([System.Collections.IDictionary]$Parameters) Write-DtmPreference -Command 'Add-MpPreference' -Parameters $Parameters }
function DtmHandler-Remove-MpPreference { param([System.Collections.IDictionary]$Parameters) Write-DtmPreference -Command 'Remove-MpPreference' -Parameters $Parameters }

function Write-DtmPreference {
  param([string]$Command, [System.Collections.IDictionary]$Parameters)
  $s = Get-DtmState
  Assert-DtmDefenderAvailable $s
  Assert-DtmElevated $s
  $inSession = Test-DtmTroubleshootingActive $s
  $blocked = $s['tamperProtected'] -and (-not $inSession -or [bool]$s['tamperBlocksDuringTroubleshooting'])
  $prefs = $s['preferences']
  $defaults = (Read-DtmJson $script:DefaultStateFile)['preferences']
  $values = [ordered]@{}
  foreach ($key in $Parameters.Keys) { if ($key -ne 'Force') { $values[$key] = ConvertTo-DtmStateValue $Parameters[$key] } }

  # Parallel id/action lists (ASR rules, threat id actions).
  foreach ($idsName in $script:PairSettings.Keys) {
    $actionsName = $script:PairSettings[$idsName]
    if (-not ($values.Contains($idsName) -or $values.Contains($actionsName))) { continue }
    $ids = $values[$idsName]
    $actions = $values[$actionsName]
    $curIds = [System.Collections.Generic.List[object]]::new(); foreach ($x in @($prefs[$idsName])) { if ($null -ne $x) { $curIds.Add($x) } }
    $curActs = [System.Collections.Generic.List[object]]::new(); foreach ($x in @($prefs[$actionsName])) { if ($null -ne $x) { $curActs.Add($x) } }
    $before = @{}; for ($i = 0; $i -lt $curIds.Count; $i++) { $before[([string]$curIds[$i]).ToLowerInvariant()] = $curActs[$i] }
    $key = Get-DtmRegistryValueName $idsName
    if ($Command -eq 'Set-MpPreference') {
      $newIds = if ($null -ne $ids) { @($ids) } else { @($curIds) }
      $newActs = if ($null -ne $actions) { @($actions) } else { @($curActs) }
    } elseif ($Command -eq 'Add-MpPreference') {
      if ($null -eq $ids -or $null -eq $actions -or @($ids).Count -ne @($actions).Count) {
        throw (New-DtmErrorRecord -Message 'The parameter is incorrect. ' -ErrorId 'HRESULT 0x80070057' -Category InvalidArgument -HResult -2146233087)
      }
      for ($k = 0; $k -lt @($ids).Count; $k++) {
        $at = -1; for ($i = 0; $i -lt $curIds.Count; $i++) { if (Test-DtmSameText $curIds[$i] @($ids)[$k]) { $at = $i } }
        if ($at -ge 0) { $curActs[$at] = @($actions)[$k] } else { $curIds.Add(@($ids)[$k]); $curActs.Add(@($actions)[$k]) }
      }
      $newIds = @($curIds); $newActs = @($curActs)
    } else {
      $drop = @($ids | Where-Object { $null -ne $_ })
      $keepIds = @(); $keepActs = @()
      for ($i = 0; $i -lt $curIds.Count; $i++) {
        if (-not ($drop | Where-Object { Test-DtmSameText $_ $curIds[$i] })) { $keepIds += $curIds[$i]; $keepActs += $curActs[$i] }
      }
      $newIds = $keepIds; $newActs = $keepActs
    }
    $after = @{}; for ($i = 0; $i -lt $newIds.Count; $i++) { $after[([string]$newIds[$i]).ToLowerInvariant()] = $newActs[$i] }
    foreach ($id in @($before.Keys) + @($after.Keys | Where-Object { -not $before.ContainsKey($_) })) {
      $old = if ($before.ContainsKey($id)) { "$key\$id = $(Format-DtmRegistryData $before[$id])" } else { '' }
      $new = if ($after.ContainsKey($id)) { "$key\$id = $(Format-DtmRegistryData $after[$id])" } else { '' }
      if ($old -ne $new) { Add-DtmConfigEvent $s $old $new }
    }
    $prefs[$idsName] = if ($newIds.Count) { , @($newIds) } else { $null }
    $prefs[$actionsName] = if ($newActs.Count) { , @($newActs) } else { $null }
  }

  foreach ($name in @($values.Keys)) {
    if ($script:PairSettings.Contains($name) -or $script:PairSettings.Values -contains $name) { continue }
    $value = $values[$name]
    $key = Get-DtmRegistryValueName $name
    $protected = $blocked -and $script:TamperProtectedSettings.Contains($name) -and -not ($inSession -and $name -eq 'DisableTamperProtection')
    if ($script:ListSettings -contains $name) {
      $cur = @($prefs[$name] | Where-Object { $null -ne $_ })
      $given = @($value | Where-Object { $null -ne $_ })
      $next = switch ($Command) {
        'Set-MpPreference' { $given }
        'Add-MpPreference' { $cur + @($given | Where-Object { $g = $_; -not ($cur | Where-Object { Test-DtmSameText $_ $g }) }) }
        default { @($cur | Where-Object { $c = $_; -not ($given | Where-Object { Test-DtmSameText $_ $c }) }) }
      }
      $added = @($next | Where-Object { $n = $_; -not ($cur | Where-Object { Test-DtmSameText $_ $n }) })
      $removed = @($cur | Where-Object { $c = $_; -not ($next | Where-Object { Test-DtmSameText $_ $c }) })
      if ($protected) {
        foreach ($item in @($added) + @($removed)) { Add-DtmTamperEvent $s "$key\$item = 0x0" }
        continue
      }
      foreach ($item in $added) { Add-DtmConfigEvent $s '' "$key\$item = 0x0" }
      foreach ($item in $removed) { Add-DtmConfigEvent $s "$key\$item = 0x0" '' }
      $prefs[$name] = if (@($next).Count) { , @($next) } else { $null }
      continue
    }
    if ($Command -eq 'Remove-MpPreference') {
      # A switch: remove the local value, i.e. back to the default.
      $value = if ($defaults.Contains($name)) { $defaults[$name] } else { $null }
    }
    if ($name -eq 'DisableTamperProtection') {
      $old = -not $s['tamperProtected']
    } else {
      $old = $prefs[$name]
    }
    if ($protected) {
      Add-DtmTamperEvent $s "$key = $(Format-DtmRegistryData $value)"
      continue
    }
    if ((ConvertTo-Json -InputObject $old -Compress) -ceq (ConvertTo-Json -InputObject $value -Compress)) { continue }
    if ($name -eq 'DisableTamperProtection') { $s['tamperProtected'] = -not $value } else { $prefs[$name] = $value }
    Add-DtmConfigEvent $s "$key = $(Format-DtmRegistryData $old)" "$key = $(Format-DtmRegistryData $value)"
    if ($name -eq 'DisableRealtimeMonitoring') {
      if ($value) { Add-DtmEvent -State $s -Id 5001 -Message 'Real-time protection is disabled.' } else { Add-DtmEvent -State $s -Id 5000 -Message 'Real-time protection is enabled.' }
    }
  }
  Save-DtmState $s
}
