# Get-WinEvent for the Defender operational log (Linux has no event log; PowerShell 7 on Linux has no Get-WinEvent,
# so this function is the command). Events live in state.events:
#   { Id, TimeCreated (ISO), Message, RecordId, Data: { '<name>': '<value>', ... } (named event data, in order) }
# Objects look like EventLogRecord where the product and log parsers look: Id, TimeCreated [datetime], Message,
# RecordId, ProviderName, LogName, LevelDisplayName, Properties (each with .Value, in Data order) and ToXml()
# (<Event><System>...<EventData><Data Name='Old Value'>...</Data>...).

$script:OperationalLog = 'Microsoft-Windows-Windows Defender/Operational'
$script:DefenderProvider = 'Microsoft-Windows-Windows Defender'
$script:ProviderGuid = '{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}'

function Get-DtmEventLevel([int]$Id) {
  switch ($Id) {
    { $_ -in 5001, 5008, 5010, 5012, 5013, 1116, 1118, 1119 } { return @(3, 'Warning') }
    default { return @(4, 'Information') }
  }
}

function ConvertTo-DtmEventRecord {
  param([System.Collections.IDictionary]$Event, [string]$MachineName)
  $time = [datetime]::Parse($Event['TimeCreated'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToLocalTime()
  $level, $levelName = Get-DtmEventLevel $Event['Id']
  $data = if ($Event['Data']) { $Event['Data'] } else { [ordered]@{} }
  $properties = @(foreach ($k in $data.Keys) { [pscustomobject]@{ PSTypeName = 'System.Diagnostics.Eventing.Reader.EventProperty'; Value = [string]$data[$k] } })
  $record = [pscustomobject]@{
    PSTypeName = 'System.Diagnostics.Eventing.Reader.EventLogRecord'
    Id = [int]$Event['Id']
    Version = [byte]0
    Level = [byte]$level
    LevelDisplayName = $levelName
    RecordId = [long]$Event['RecordId']
    ProviderName = $script:DefenderProvider
    ProviderId = [guid]$script:ProviderGuid
    LogName = $script:OperationalLog
    MachineName = $MachineName
    TimeCreated = $time
    Message = [string]$Event['Message']
    Properties = $properties
  }
  # ToXml() as EventLogRecord has it; the named data travel in the method's closure, not as a property.
  $xml = {
    $esc = { param($s) [System.Security.SecurityElement]::Escape([string]$s) }
    $sb = [System.Text.StringBuilder]::new()
    [void]$sb.Append("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>")
    [void]$sb.Append("<Provider Name='$($this.ProviderName)' Guid='$($this.ProviderId.ToString('B').ToUpperInvariant())'/>")
    [void]$sb.Append("<EventID>$($this.Id)</EventID><Version>0</Version><Level>$($this.Level)</Level>")
    [void]$sb.Append("<TimeCreated SystemTime='$($this.TimeCreated.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffffff'))Z'/>")
    [void]$sb.Append("<EventRecordID>$($this.RecordId)</EventRecordID><Channel>$($this.LogName)</Channel><Computer>$(& $esc $this.MachineName)</Computer></System><EventData>")
    foreach ($k in $data.Keys) { [void]$sb.Append("<Data Name='$(& $esc $k)'>$(& $esc $data[$k])</Data>") }
    [void]$sb.Append('</EventData></Event>')
    $sb.ToString()
  }.GetNewClosure()
  Add-Member -InputObject $record -MemberType ScriptMethod -Name ToXml -Value $xml -Force
  Add-Member -InputObject $record -MemberType ScriptMethod -Name FormatDescription -Value { $this.Message } -Force
  return $record
}

function Test-DtmEventMatches {
  param([System.Collections.IDictionary]$Event, [hashtable]$Filter)
  foreach ($key in $Filter.Keys) {
    $want = $Filter[$key]
    switch ($key) {
      { $_ -in 'LogName', 'ProviderName', 'Path', 'Keywords', 'UserID', 'SuppressHashFilter' } { continue }
      'ID' { if (@($want | ForEach-Object { [int]$_ }) -notcontains [int]$Event['Id']) { return $false }; continue }
      'Level' { $level = (Get-DtmEventLevel $Event['Id'])[0]; if (@($want | ForEach-Object { [int]$_ }) -notcontains $level) { return $false }; continue }
      'StartTime' {
        $t = [datetime]::Parse($Event['TimeCreated'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
        if ($t -lt ([datetime]$want).ToUniversalTime()) { return $false }; continue
      }
      'EndTime' {
        $t = [datetime]::Parse($Event['TimeCreated'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
        if ($t -gt ([datetime]$want).ToUniversalTime()) { return $false }; continue
      }
      default {
        # Named event data (e.g. @{ 'New Value' = '...' }) or Data = any field's value.
        $data = if ($Event['Data']) { $Event['Data'] } else { @{} }
        $values = if ($key -eq 'Data') { @($data.Values) } elseif ($data.Contains($key)) { @($data[$key]) } else { @() }
        if (-not ($values | Where-Object { @($want) -contains $_ })) { return $false }
      }
    }
  }
  return $true
}

function Get-WinEvent {
  [CmdletBinding(DefaultParameterSetName = 'GetLogSet')]
  param(
    [Parameter(ParameterSetName = 'GetLogSet', Position = 0)]
    [string[]]$LogName,
    [Parameter(ParameterSetName = 'HashQuerySet', Mandatory = $true, Position = 0)]
    [hashtable[]]$FilterHashtable,
    [long]$MaxEvents = -1,
    [switch]$Oldest
  )
  $filters = if ($PSCmdlet.ParameterSetName -eq 'HashQuerySet') { $FilterHashtable } else { @(@{ LogName = $LogName }) }
  $state = Get-DtmState
  $all = @($state['events'])
  $matched = [System.Collections.Generic.List[object]]::new()
  foreach ($filter in $filters) {
    $logs = @($filter['LogName'])
    $provider = @($filter['ProviderName'])
    if ($filter['Path']) { $logs = @() }
    $ours = ($logs | Where-Object { $_ -and ($_ -ieq $script:OperationalLog) }) -or ($provider | Where-Object { $_ -and ($_ -ieq $script:DefenderProvider) })
    if (-not $ours) {
      $name = @($logs + $provider + @($filter['Path']) | Where-Object { $_ })[0]
      $record = New-DtmErrorRecord -Message "There is not an event log on the localhost computer that matches `"$name`"." -ErrorId 'NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand' -Category ObjectNotFound -ExceptionType 'System.Exception' -Target $name
      $PSCmdlet.WriteError($record)
      continue
    }
    foreach ($e in $all) { if ($e -and (Test-DtmEventMatches -Event $e -Filter $filter) -and -not $matched.Contains($e)) { $matched.Add($e) } }
  }
  $sorted = @($matched | Sort-Object -Property { [long]$_['RecordId'] } -Descending:(-not $Oldest))
  if ($MaxEvents -ge 0) { $sorted = @($sorted | Select-Object -First $MaxEvents) }
  if ($sorted.Count -eq 0) {
    $record = New-DtmErrorRecord -Message 'No events were found that match the specified selection criteria.' -ErrorId 'NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand' -Category ObjectNotFound -ExceptionType 'System.Exception'
    $PSCmdlet.WriteError($record)
    return
  }
  foreach ($e in $sorted) { ConvertTo-DtmEventRecord -Event $e -MachineName $env:COMPUTERNAME }
}
