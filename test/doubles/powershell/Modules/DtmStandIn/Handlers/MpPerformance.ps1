# New-MpPerformanceRecording and Get-MpPerformanceReport (defender.md §6), and `wpr.exe -cancel` for the documented
# fix. PowerShell has bound the parameters against the generated DefenderPerformance interface; this is what the
# device does. State (all optional), under state.performance:
#   wprBusy      true: WPR is already recording, New-MpPerformanceRecording fails as Microsoft's module does
#   sleepMs      how long a recording really waits (default: -Seconds); tests shorten it
#   scans        the scans a recording "captures": { Path, ProcessPath, ProcessId, ScanType, Reason, DurationTicks,
#                StartOffsetTicks }; default: a small built-in set (a database, logs, a build tree)
# The .etl the stand-in writes is a small text file naming the stand-in; Get-MpPerformanceReport reads the scans from
# it and builds the real -Raw structure: stats { Count, TotalDuration, MinDuration, AverageDuration, MaxDuration,
# MedianDuration } in 100-ns ticks, scans { ScanType, StartTime, EndTime (FILETIME), Duration, Reason, Path,
# ProcessPath, ProcessId, SkipReason }, nested Scans/Files/Extensions/Processes/Paths per the Top* parameters.

$script:DtmEtlMarker = 'DTM-STANDIN-ETL 1'

function Get-DtmDefaultScans {
  $scans = New-Object System.Collections.ArrayList
  $add = { param($path, $proc, $pid_, $ms, $n) for ($i = 0; $i -lt $n; $i++) { [void]$scans.Add([ordered]@{ Path = $path; ProcessPath = $proc; ProcessId = $pid_; ScanType = 'File'; Reason = 'OnOpen'; DurationTicks = [long]($ms * 10000 + $i * 1234); StartOffsetTicks = [long]($scans.Count * 2500000) }) } }
  & $add 'C:\Data\Sales\sales.mdf' 'C:\Program Files\Microsoft SQL Server\MSSQL\Binn\sqlservr.exe' 3120 480 6
  & $add 'C:\Data\Sales\sales_log.ldf' 'C:\Program Files\Microsoft SQL Server\MSSQL\Binn\sqlservr.exe' 3120 260 5
  & $add 'C:\Logs\app\trace-01.log' 'C:\Windows\explorer.exe' 4410 35 12
  & $add 'C:\Logs\app\trace-02.log' 'C:\Tools\LogShipper\shipper.exe' 5120 41 9
  & $add 'C:\src\web\node_modules\react\index.js' 'C:\Program Files\nodejs\node.exe' 6060 12 20
  & $add 'C:\src\web\node_modules\lodash\lodash.js' 'C:\Program Files\nodejs\node.exe' 6060 18 14
  & $add 'C:\Users\alex\Downloads\setup.exe' 'C:\Windows\explorer.exe' 4410 150 2
  return $scans
}

function DtmHandler-New-MpPerformanceRecording {
  param([System.Collections.IDictionary]$Parameters)
  $state = Get-DtmState
  Assert-DtmDefenderAvailable -State $state
  Assert-DtmElevated -State $state
  $perf = $state['performance']
  if ($perf -and $perf['wprBusy']) {
    throw (New-DtmErrorRecord -Message 'Cannot start performance recording because Windows Performance Recorder is already recording.' -ErrorId 'Microsoft.PowerShell.Commands.WriteErrorException' -ExceptionType 'Microsoft.PowerShell.Commands.WriteErrorException')
  }
  $recordTo = [string]$Parameters['RecordTo']
  $folder = Split-Path -Parent $recordTo
  if ($folder -and -not (Test-Path -LiteralPath $folder -PathType Container)) {
    throw (New-DtmErrorRecord -Message "Cannot record Microsoft Defender Antivirus performance recording to path '$recordTo' because the location does not exist." -ErrorId 'InvalidPath' -Category InvalidArgument -ExceptionType 'System.Management.Automation.ItemNotFoundException')
  }
  $ms = if ($perf -and $null -ne $perf['sleepMs']) { [int]$perf['sleepMs'] } else { [int]$Parameters['Seconds'] * 1000 }
  # Recording: WPR runs for the duration (killing this process cancels it, as Ctrl-C would).
  $perf = if ($perf) { $perf } else { [ordered]@{} }
  $perf['recording'] = $true
  $state['performance'] = $perf
  Save-DtmState -State $state
  try {
    Start-Sleep -Milliseconds $ms
  } finally {
    $state = Get-DtmState
    $state['performance']['recording'] = $false
    Save-DtmState -State $state
  }
  $scans = if ($perf['scans']) { $perf['scans'] } else { Get-DtmDefaultScans }
  $content = $script:DtmEtlMarker + "`n" + (ConvertTo-Json -InputObject @{ startedAt = (Get-DtmNow $state).ToString('o'); scans = @($scans) } -Depth 6 -Compress)
  [System.IO.File]::WriteAllText($recordTo, $content, [System.Text.UTF8Encoding]::new($false))
  Write-Host "Recording has been saved to '$recordTo'."
}

# `wpr -cancel -instancename MSFT_MpPerformanceRecording`, the documented fix (defender.md §6).
function wpr.exe {
  $state = Get-DtmState
  if ($args -contains '-cancel') {
    $busy = $state['performance'] -and $state['performance']['wprBusy']
    if ($busy) { $state['performance']['wprBusy'] = $false; Save-DtmState -State $state; $global:LASTEXITCODE = 0 }
    else { $global:LASTEXITCODE = [int]0xc5583000 - 0x100000000 }
    return
  }
  $global:LASTEXITCODE = 0
}

function Get-DtmTicksStats {
  param([long[]]$Ticks)
  $sorted = @($Ticks | Sort-Object)
  $n = $sorted.Count
  $total = [long]0
  foreach ($t in $sorted) { $total += $t }
  $median = if ($n % 2 -eq 1) { $sorted[[int](($n - 1) / 2)] } else { [long](($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2) }
  return [ordered]@{
    Count = $n
    TotalDuration = [uint64]$total
    MinDuration = [uint64]$sorted[0]
    AverageDuration = [uint64][math]::Floor($total / $n)
    MaxDuration = [uint64]$sorted[$n - 1]
    MedianDuration = [uint64]$median
  }
}

function ConvertTo-DtmScanInfo {
  param($Scan, [long]$Start, [bool]$Raw)
  $startFt = [uint64]($Start + [long]$Scan['StartOffsetTicks'])
  $endFt = [uint64]($startFt + [long]$Scan['DurationTicks'])
  $info = [ordered]@{
    ScanType = [string]$Scan['ScanType']
    StartTime = if ($Raw) { $startFt } else { [datetime]::FromFileTime($startFt) }
    EndTime = if ($Raw) { $endFt } else { [datetime]::FromFileTime($endFt) }
    Duration = if ($Raw) { [uint64]$Scan['DurationTicks'] } else { [timespan]::FromTicks([long]$Scan['DurationTicks']) }
    Reason = [string]$Scan['Reason']
    Path = [string]$Scan['Path']
    ProcessPath = [string]$Scan['ProcessPath']
    ProcessId = [int]$Scan['ProcessId']
    SkipReason = 'Not Skipped'
  }
  return [pscustomobject]$info
}

function Get-DtmScanKey {
  param($Scan, [string]$Kind, [int]$Depth)
  switch ($Kind) {
    'File' { return [string]$Scan['Path'] }
    'Extension' { $e = [System.IO.Path]::GetExtension(([string]$Scan['Path']).Replace('\', '/')); if ($e) { return $e.ToLowerInvariant() } return '' }
    'Process' { return [string]$Scan['ProcessPath'] }
    'Path' {
      $parts = @(([string]$Scan['Path']).Split('\') | Select-Object -SkipLast 1)
      return (($parts | Select-Object -First ([math]::Max(1, $Depth))) -join '\')
    }
  }
}

$script:DtmKeyProperty = @{ File = 'Path'; Extension = 'Extension'; Process = 'ProcessPath'; Path = 'Path' }
$script:DtmNestedName = @{ File = 'Files'; Extension = 'Extensions'; Process = 'Processes'; Path = 'Paths' }

# One level of a top report: group the scans by Kind, keep the Top N by total duration, then the nested lists.
function Get-DtmTopEntries {
  param([object[]]$Scans, [string]$Kind, [int]$Top, [System.Collections.IDictionary]$Nested, [long]$Start, [bool]$Raw, [int]$Depth)
  $groups = @($Scans | Group-Object -Property { Get-DtmScanKey $_ $Kind $Depth })
  $entries = foreach ($g in $groups) {
    $stats = Get-DtmTicksStats -Ticks @($g.Group | ForEach-Object { [long]$_['DurationTicks'] })
    [pscustomobject]@{ Key = $g.Name; Stats = $stats; Scans = @($g.Group) }
  }
  $entries = @($entries | Sort-Object -Property @{ Expression = { $_.Stats.TotalDuration }; Descending = $true }, Key | Select-Object -First $Top)
  foreach ($e in $entries) {
    $out = [ordered]@{}
    foreach ($k in $e.Stats.Keys) { $out[$k] = if ($Raw) { $e.Stats[$k] } elseif ($k -eq 'Count') { $e.Stats[$k] } else { [timespan]::FromTicks([long]$e.Stats[$k]) } }
    $out[$script:DtmKeyProperty[$Kind]] = $e.Key
    if ($Nested['Scans'] -gt 0) {
      $out['Scans'] = @($e.Scans | Sort-Object -Property @{ Expression = { [long]$_['DurationTicks'] }; Descending = $true } | Select-Object -First $Nested['Scans'] | ForEach-Object { ConvertTo-DtmScanInfo $_ $Start $Raw })
    }
    foreach ($child in 'File', 'Extension', 'Process', 'Path') {
      $spec = $Nested[$child]
      if ($spec -and $spec['Top'] -gt 0) {
        $out[$script:DtmNestedName[$child]] = @(Get-DtmTopEntries -Scans $e.Scans -Kind $child -Top $spec['Top'] -Nested @{ Scans = $spec['Scans'] } -Start $Start -Raw $Raw -Depth $Depth)
      }
    }
    [pscustomobject]$out
  }
}

function DtmHandler-Get-MpPerformanceReport {
  param([System.Collections.IDictionary]$Parameters)
  $p = $Parameters
  $path = [string]$p['Path']
  if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
    throw (New-DtmErrorRecord -Message "Cannot find path '$path'." -ErrorId 'PathNotFound' -Category ObjectNotFound -ExceptionType 'System.Management.Automation.ItemNotFoundException')
  }
  $v = { param($name) if ($p.Contains($name)) { [int]$p[$name] } else { 0 } }
  # A nested parameter needs its parent (Microsoft's module: "Parameter 'X' requires parameter 'Y'.").
  $rules = @(
    @('TopScansPerFile', 'TopFiles'), @('TopProcessesPerFile', 'TopFiles'), @('TopScansPerProcessPerFile', 'TopProcessesPerFile'),
    @('TopScansPerExtension', 'TopExtensions'), @('TopFilesPerExtension', 'TopExtensions'), @('TopProcessesPerExtension', 'TopExtensions'),
    @('TopPathsPerExtension', 'TopExtensions'), @('TopScansPerFilePerExtension', 'TopFilesPerExtension'), @('TopScansPerProcessPerExtension', 'TopProcessesPerExtension'),
    @('TopScansPerPathPerExtension', 'TopPathsPerExtension'),
    @('TopScansPerProcess', 'TopProcesses'), @('TopFilesPerProcess', 'TopProcesses'), @('TopExtensionsPerProcess', 'TopProcesses'), @('TopPathsPerProcess', 'TopProcesses'),
    @('TopScansPerFilePerProcess', 'TopFilesPerProcess'), @('TopScansPerExtensionPerProcess', 'TopExtensionsPerProcess'), @('TopScansPerPathPerProcess', 'TopPathsPerProcess'),
    @('TopScansPerPath', 'TopPaths'), @('TopFilesPerPath', 'TopPaths'), @('TopExtensionsPerPath', 'TopPaths'), @('TopProcessesPerPath', 'TopPaths'),
    @('TopScansPerFilePerPath', 'TopFilesPerPath'), @('TopScansPerExtensionPerPath', 'TopExtensionsPerPath'), @('TopScansPerProcessPerPath', 'TopProcessesPerPath')
  )
  foreach ($r in $rules) {
    if ((& $v $r[0]) -gt 0 -and (& $v $r[1]) -eq 0) {
      throw (New-DtmErrorRecord -Message "Parameter '$($r[0])' requires parameter '$($r[1])'." -ErrorId 'InvalidParameter' -Category MetadataError -ExceptionType 'System.Management.Automation.ValidationMetadataException')
    }
  }
  if ((& $v 'TopFiles') -eq 0 -and (& $v 'TopExtensions') -eq 0 -and (& $v 'TopProcesses') -eq 0 -and (& $v 'TopScans') -eq 0 -and (& $v 'TopPaths') -eq 0) {
    throw (New-DtmErrorRecord -Message "At least one of the parameters 'TopFiles', 'TopExtensions', 'TopProcesses' or 'TopScans' must be present." -ErrorId 'InvalidArgument' -Category InvalidArgument -ExceptionType 'System.Management.Automation.ItemNotFoundException')
  }
  $text = [System.IO.File]::ReadAllText($path)
  if (-not $text.StartsWith($script:DtmEtlMarker)) {
    throw (New-DtmErrorRecord -Message "'$path' is not a Microsoft Defender Antivirus performance recording." -ErrorId 'InvalidRecording' -Category InvalidData -ExceptionType 'System.IO.InvalidDataException')
  }
  $recording = $text.Substring($script:DtmEtlMarker.Length).Trim() | ConvertFrom-Json -AsHashtable -DateKind String
  $scans = @($recording['scans'])
  $start = [datetime]::Parse($recording['startedAt'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToFileTimeUtc()
  $raw = [bool]$p['Raw']
  $depth = if ($p.Contains('TopPathsDepth') -and [int]$p['TopPathsDepth'] -gt 0) { [int]$p['TopPathsDepth'] } else { 3 }
  $spec = { param($top, $scansName) @{ Top = (& $v $top); Scans = (& $v $scansName) } }
  $result = [ordered]@{}
  if ((& $v 'TopFiles') -gt 0) {
    $result['TopFiles'] = @(Get-DtmTopEntries -Scans $scans -Kind File -Top (& $v 'TopFiles') -Start $start -Raw $raw -Depth $depth -Nested @{
        Scans = (& $v 'TopScansPerFile'); Process = (& $spec 'TopProcessesPerFile' 'TopScansPerProcessPerFile') })
  }
  if ((& $v 'TopExtensions') -gt 0) {
    $result['TopExtensions'] = @(Get-DtmTopEntries -Scans $scans -Kind Extension -Top (& $v 'TopExtensions') -Start $start -Raw $raw -Depth $depth -Nested @{
        Scans = (& $v 'TopScansPerExtension'); File = (& $spec 'TopFilesPerExtension' 'TopScansPerFilePerExtension')
        Process = (& $spec 'TopProcessesPerExtension' 'TopScansPerProcessPerExtension'); Path = (& $spec 'TopPathsPerExtension' 'TopScansPerPathPerExtension') })
  }
  if ((& $v 'TopProcesses') -gt 0) {
    $result['TopProcesses'] = @(Get-DtmTopEntries -Scans $scans -Kind Process -Top (& $v 'TopProcesses') -Start $start -Raw $raw -Depth $depth -Nested @{
        Scans = (& $v 'TopScansPerProcess'); File = (& $spec 'TopFilesPerProcess' 'TopScansPerFilePerProcess')
        Extension = (& $spec 'TopExtensionsPerProcess' 'TopScansPerExtensionPerProcess'); Path = (& $spec 'TopPathsPerProcess' 'TopScansPerPathPerProcess') })
  }
  if ((& $v 'TopPaths') -gt 0) {
    $result['TopPaths'] = @(Get-DtmTopEntries -Scans $scans -Kind Path -Top (& $v 'TopPaths') -Start $start -Raw $raw -Depth $depth -Nested @{
        Scans = (& $v 'TopScansPerPath'); File = (& $spec 'TopFilesPerPath' 'TopScansPerFilePerPath')
        Extension = (& $spec 'TopExtensionsPerPath' 'TopScansPerExtensionPerPath'); Process = (& $spec 'TopProcessesPerPath' 'TopScansPerProcessPerPath') })
  }
  if ((& $v 'TopScans') -gt 0) {
    $result['TopScans'] = @($scans | Sort-Object -Property @{ Expression = { [long]$_['DurationTicks'] }; Descending = $true } | Select-Object -First (& $v 'TopScans') | ForEach-Object { ConvertTo-DtmScanInfo $_ $start $raw })
  }
  return [pscustomobject]$result
}
