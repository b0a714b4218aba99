# DtmStandIn: what Linux cannot provide for the Defender stand-in (see ../../README.md).
#  - the simulated device: a JSON state file per device at $env:DEFENDER_STANDIN_STATE (defaults: defaultState.json);
#  - Windows facts: elevation, platform, culture, $env:COMPUTERNAME, MsMpEng's CPU (aliases over the product's probes);
#  - the behaviour behind the generated Defender/DefenderPerformance cmdlets (Handlers/*.ps1, one function
#    `DtmHandler-<Cmdlet>` per cmdlet, found by Invoke-DtmCmdlet);
#  - the Defender operational log through a Get-WinEvent function (Handlers/WinEvent.ps1).
Set-StrictMode -Version 3.0

$script:ModuleRoot = $PSScriptRoot
$script:ModulesDir = Split-Path -Parent $PSScriptRoot
$script:DefaultStateFile = Join-Path $PSScriptRoot 'defaultState.json'

# ---------------------------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------------------------

function Get-DtmStatePath {
  if ($env:DEFENDER_STANDIN_STATE) { return $env:DEFENDER_STANDIN_STATE }
  return (Join-Path (Split-Path -Parent $script:ModulesDir) 'state.json')
}

function ConvertFrom-DtmJson([string]$Text) {
  # -DateKind String: keep ISO strings as written (PowerShell 7 would turn them into [datetime]).
  return (ConvertFrom-Json -InputObject $Text -AsHashtable -DateKind String)
}

# Read once per process: every pwsh run starts afresh, and .NET file APIs are cheaper than the cmdlets at start-up.
$script:DefaultStateText = [System.IO.File]::ReadAllText($script:DefaultStateFile)

function Read-DtmJson([string]$Path) {
  if ($Path -eq $script:DefaultStateFile) { return (ConvertFrom-DtmJson $script:DefaultStateText) }
  return (ConvertFrom-DtmJson ([System.IO.File]::ReadAllText($Path)))
}

<#
.SYNOPSIS
The device state: defaultState.json with the state file's top-level keys over it (as the JS stand-in merged them).
#>
function Get-DtmState {
  $state = Read-DtmJson $script:DefaultStateFile
  $path = Get-DtmStatePath
  if ([System.IO.File]::Exists($path)) {
    $saved = Read-DtmJson $path
    if ($saved) { foreach ($key in @($saved.Keys)) { $state[$key] = $saved[$key] } }
  }
  return $state
}

<#
.SYNOPSIS
Writes the state atomically (temp file in the same folder, then rename), so a reader never sees half a file.
#>
function Save-DtmState {
  param([Parameter(Mandatory)][System.Collections.IDictionary]$State)
  $path = Get-DtmStatePath
  $tmp = "$path.$PID.tmp"
  [System.IO.File]::WriteAllText($tmp, (ConvertTo-Json -InputObject $State -Depth 20), [System.Text.UTF8Encoding]::new($false))
  [System.IO.File]::Move($tmp, $path, $true)
}

<#
.SYNOPSIS
"Now" on the simulated device: state.now (ISO) when a test pins it, else the clock.
#>
function Get-DtmNow {
  param([System.Collections.IDictionary]$State)
  if ($State -and $State['now']) { return [datetime]::Parse($State['now'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime() }
  return [datetime]::UtcNow
}

<#
.SYNOPSIS
Appends an event to the simulated Defender operational log. -Data holds the named event data (e.g. 'Old Value',
'New Value' for 5007, 'Value' for 5013; defender.md §11), in order.
#>
function Add-DtmEvent {
  param(
    [Parameter(Mandatory)][System.Collections.IDictionary]$State,
    [Parameter(Mandatory)][int]$Id,
    [Parameter(Mandatory)][string]$Message,
    [System.Collections.IDictionary]$Data
  )
  if ($null -eq $State['events']) { $State['events'] = @() }
  $max = 0
  foreach ($e in $State['events']) { if ($e['RecordId'] -gt $max) { $max = [int]$e['RecordId'] } }
  $event = [ordered]@{ Id = $Id; TimeCreated = (Get-DtmNow $State).ToString('o'); Message = $Message; RecordId = $max + 1 }
  if ($Data) { $event['Data'] = $Data }
  $State['events'] = @($State['events']) + @($event)
}

# ---------------------------------------------------------------------------------------------------------------
# Errors as Windows reports them
# ---------------------------------------------------------------------------------------------------------------

function New-DtmErrorRecord {
  param(
    [Parameter(Mandatory)][string]$Message,
    [Parameter(Mandatory)][string]$ErrorId,
    [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified',
    [string]$ExceptionType = 'Microsoft.Management.Infrastructure.CimException',
    [int]$HResult = 0,
    [object]$Target
  )
  $type = $ExceptionType -as [type]
  if (-not $type) { $type = [System.Exception] }
  try { $ex = $type::new($Message) } catch { $ex = [System.Exception]::new($Message) }
  if ($HResult) { $ex.HResult = $HResult }
  return [System.Management.Automation.ErrorRecord]::new($ex, $ErrorId, $Category, $Target)
}

<#
.SYNOPSIS
Set-/Add-/Remove-MpPreference need an elevated process (powershell.md §6): HRESULT 0x80070005, PermissionDenied.
#>
function Assert-DtmElevated {
  param([Parameter(Mandatory)][System.Collections.IDictionary]$State)
  if (-not $State['elevated']) {
    throw (New-DtmErrorRecord -Message "You don't have enough permissions to perform the requested operation." -ErrorId 'HRESULT 0x80070005' -Category PermissionDenied -HResult -2146233087)
  }
}

<#
.SYNOPSIS
Defender present but its service stopped: the cmdlets fail with HRESULT 0x800106ba. (Defender missing is simulated
by the module not being on PSModulePath at all, so PowerShell itself says CommandNotFoundException.)
#>
function Assert-DtmDefenderAvailable {
  param([Parameter(Mandatory)][System.Collections.IDictionary]$State)
  if ($State['defender'] -eq 'stopped') {
    throw (New-DtmErrorRecord -Message 'A general error occurred that is not covered by a more specific error code.' -ErrorId 'HRESULT 0x800106ba' -Category NotSpecified -HResult -2146233088)
  }
}

# ---------------------------------------------------------------------------------------------------------------
# The generated cmdlets call these two
# ---------------------------------------------------------------------------------------------------------------

$script:CommonParameters = [System.Collections.Generic.HashSet[string]]::new([string[]]@(
    [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters + @('CimSession', 'ThrottleLimit', 'AsJob')
  ), [System.StringComparer]::OrdinalIgnoreCase)

<#
.SYNOPSIS
Parameters a cmdlet has only on some devices. Set-MpPreference -DisableTamperProtection is in neither reference
file (defender.md §11); state.moduleHasDisableTamperProtection = $true simulates a module that has it.
#>
function Get-DtmDynamicParameter {
  param([Parameter(Mandatory)][string]$Command)
  if ($Command -ne 'Set-MpPreference') { return }
  $state = Get-DtmState
  if (-not $state['moduleHasDisableTamperProtection']) { return }
  $dictionary = [System.Management.Automation.RuntimeDefinedParameterDictionary]::new()
  $attributes = [System.Collections.ObjectModel.Collection[System.Attribute]]::new()
  $attributes.Add([System.Management.Automation.ParameterAttribute]::new())
  $dictionary.Add('DisableTamperProtection', [System.Management.Automation.RuntimeDefinedParameter]::new('DisableTamperProtection', [bool], $attributes))
  return $dictionary
}

<#
.SYNOPSIS
Runs the behaviour of a generated cmdlet: DtmHandler-<Command> with the bound parameters (common and CIM
parameters removed). Errors become the cmdlet's own errors ("HRESULT 0x80070005,Set-MpPreference"), written as
non-terminating errors as CDXML cmdlets do, so -ErrorAction and $ErrorActionPreference decide.
#>
function Invoke-DtmCmdlet {
  param(
    [Parameter(Mandatory)][string]$Command,
    [Parameter(Mandatory)][System.Collections.IDictionary]$Bound,
    [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet
  )
  $parameters = [ordered]@{}
  foreach ($key in $Bound.Keys) { if (-not $script:CommonParameters.Contains($key)) { $parameters[$key] = $Bound[$key] } }
  $handler = Get-Command -Name "DtmHandler-$Command" -CommandType Function -ErrorAction Ignore
  try {
    if (-not $handler) {
      throw (New-DtmErrorRecord -Message "The Defender stand-in does not simulate $Command yet (add DtmHandler-$Command in test/doubles/powershell/Modules/DtmStandIn/Handlers)." -ErrorId 'DtmStandInNotSimulated' -Category NotImplemented -ExceptionType 'System.NotImplementedException')
    }
    & $handler -Parameters $parameters
  } catch {
    $Cmdlet.WriteError($_)
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Handlers and probes
# ---------------------------------------------------------------------------------------------------------------

foreach ($file in [System.Linq.Enumerable]::OrderBy([string[]][System.IO.Directory]::GetFiles((Join-Path $PSScriptRoot 'Handlers'), '*.ps1'), [Func[string, string]] { param($f) $f })) {
  . $file
}

# ---------------------------------------------------------------------------------------------------------------
# On import: the simulated Windows session
# ---------------------------------------------------------------------------------------------------------------

$initial = Get-DtmState
$env:COMPUTERNAME = [string]$initial['computerName']
Set-DtmCulture -Name ([string]$initial['culture'])
if ($initial['defender'] -eq 'missing') {
  # No Defender module on this device: take the stand-in's module folder off PSModulePath (DtmStandIn is loaded
  # already), so PowerShell itself reports Get-MpComputerStatus etc. as CommandNotFoundException.
  $sep = [System.IO.Path]::PathSeparator
  $env:PSModulePath = (($env:PSModulePath -split [regex]::Escape($sep)) | Where-Object { $_ -and ($_.TrimEnd('/', '\') -ne $script:ModulesDir.TrimEnd('/', '\')) }) -join $sep
}
Remove-Variable -Name initial, sep -ErrorAction Ignore

Set-Alias -Name Test-DtmElevated -Value Test-DtmStandInElevated
Set-Alias -Name Get-DtmPlatform -Value Get-DtmStandInPlatform
Set-Alias -Name Measure-DtmProcessCpu -Value Measure-DtmStandInProcessCpu
