# Windows facts the product's preamble probes (src/powershell/script.ts). DtmStandIn exports aliases with the
# probes' names (Test-DtmElevated, Get-DtmPlatform, Measure-DtmProcessCpu); an alias wins over a function of the
# same name, so the product's own definitions stay in the script but these answer.

function Test-DtmStandInElevated {
  return [bool](Get-DtmState)['elevated']
}

function Get-DtmStandInPlatform {
  return 'Win32NT'
}

<#
.SYNOPSIS
MsMpEng's CPU from state.processes (Linux has no MsMpEng and no Win32_PerfRawData): cpuPercentWithExclusions once
any path/extension/process exclusion is set, else cpuPercent. Same output shape as the product's function.
#>
function Measure-DtmStandInProcessCpu {
  param([string]$Name, [int]$Milliseconds)
  if ($Name -notmatch '^[A-Za-z0-9_.-]+$') { throw 'Invalid process name.' }
  $state = Get-DtmState
  $processes = $state['processes']
  $proc = if ($processes) { $processes[$Name] } else { $null }
  if (-not $proc) { throw "Process $Name is not running." }
  $p = $state['preferences']
  $excluded = $false
  foreach ($list in 'ExclusionPath', 'ExclusionExtension', 'ExclusionProcess') { if (@($p[$list] | Where-Object { $_ }).Count -gt 0) { $excluded = $true } }
  $cpu = if ($excluded -and $null -ne $proc['cpuPercentWithExclusions']) { $proc['cpuPercentWithExclusions'] } else { $proc['cpuPercent'] }
  $workingSet = if ($null -ne $proc['workingSetMB']) { $proc['workingSetMB'] } else { 100 }
  return [ordered]@{ name = $Name; id = [int]$proc['id']; cpuPercent = [double]$cpu; sampleMs = $Milliseconds; cores = 2; workingSetMB = [double]$workingSet }
}

<#
.SYNOPSIS
The device's culture as Windows (NLS) has it. .NET on Linux takes culture data from ICU, whose en-US long time
pattern has a narrow no-break space before AM/PM ("h:mm:ss\u202Ftt"); Windows has a plain space. The product's
real Get-DtmCulture then reports what Windows would.
#>
function Set-DtmCulture {
  param([string]$Name)
  if (-not $Name) { $Name = 'en-US' }
  $culture = [System.Globalization.CultureInfo]::new($Name)
  $format = $culture.DateTimeFormat
  foreach ($prop in 'LongTimePattern', 'ShortTimePattern', 'FullDateTimePattern', 'ShortDatePattern', 'LongDatePattern') {
    $format.$prop = $format.$prop.Replace([char]0x202F, ' ').Replace([char]0x00A0, ' ')
  }
  [System.Globalization.CultureInfo]::CurrentCulture = $culture
}

<# The strings Windows puts in the TroubleShooting* fields: local time in the device's short date + long time. #>
function Format-DtmLocalDate {
  param([datetime]$Utc)
  $format = [System.Globalization.CultureInfo]::CurrentCulture.DateTimeFormat
  return $Utc.ToLocalTime().ToString("$($format.ShortDatePattern) $($format.LongTimePattern)", [System.Globalization.CultureInfo]::CurrentCulture)
}
