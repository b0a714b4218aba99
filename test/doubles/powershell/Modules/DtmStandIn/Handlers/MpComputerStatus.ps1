# Get-MpComputerStatus (defender.md §2.3, §3.1): booleans and versions from the state; the eight TroubleShooting*
# fields are strings ("INFINITE", "N/A", culture-formatted local dates), absent on old platforms (state.oldPlatform).

function Test-DtmTroubleshootingActive {
  param([System.Collections.IDictionary]$State)
  $ts = $State['troubleshooting']
  if (-not $ts) { return $false }
  $now = Get-DtmNow $State
  $start = [datetime]::Parse($ts['startTime'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
  $end = [datetime]::Parse($ts['endTime'], [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()
  return ($start -le $now -and $now -lt $end)
}

function DtmHandler-Get-MpComputerStatus {
  param([System.Collections.IDictionary]$Parameters)
  $s = Get-DtmState
  Assert-DtmDefenderAvailable $s
  $prefs = $s['preferences']
  $v = $s['versions']
  $now = Get-DtmNow $s
  $status = [ordered]@{
    AMEngineVersion = $v['AMEngineVersion']; AMProductVersion = $v['AMProductVersion']; AMRunningMode = $s['runningMode']
    AMServiceEnabled = $true; AMServiceVersion = $v['AMServiceVersion']
    AntispywareEnabled = $true; AntispywareSignatureAge = [uint32]0; AntispywareSignatureVersion = $v['AntispywareSignatureVersion']
    AntispywareSignatureLastUpdated = $now.AddHours(-1).ToLocalTime()
    AntivirusEnabled = $true; AntivirusSignatureAge = [uint32]0; AntivirusSignatureVersion = $v['AntivirusSignatureVersion']
    AntivirusSignatureLastUpdated = $now.AddHours(-1).ToLocalTime()
    BehaviorMonitorEnabled = -not $prefs['DisableBehaviorMonitoring']; ComputerID = '5F5E4E3A-0000-4000-8000-STANDIN00001'; ComputerState = [uint32]0
    IoavProtectionEnabled = -not $prefs['DisableIOAVProtection']; IsTamperProtected = [bool]$s['tamperProtected']; IsVirtualMachine = $true
    NISEnabled = $true; NISEngineVersion = $v['NISEngineVersion']; OnAccessProtectionEnabled = -not $prefs['DisableRealtimeMonitoring']
    RealTimeProtectionEnabled = -not $prefs['DisableRealtimeMonitoring']; RebootRequired = $false
    TamperProtectionSource = $s['tamperProtectionSource']
  }
  if (-not $s['oldPlatform']) {
    $ts = $s['troubleshooting']
    $active = Test-DtmTroubleshootingActive $s
    $parse = { param($iso) [datetime]::Parse($iso, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime() }
    $left = 'INFINITE'
    if ($active) {
      $span = (& $parse $ts['endTime']) - $now
      $seconds = [math]::Max(0, [math]::Floor($span.TotalSeconds))
      $left = '{0:00}:{1:00}:{2:00}' -f [math]::Floor($seconds / 3600), [math]::Floor(($seconds % 3600) / 60), ($seconds % 60)
    }
    $status['TroubleShootingDailyMaxQuota'] = '480'
    $status['TroubleShootingDailyQuotaLeft'] = if ($active) { '240' } else { '479' }
    $status['TroubleShootingEndTime'] = if ($ts) { Format-DtmLocalDate (& $parse $ts['endTime']) } else { 'INFINITE' }
    $status['TroubleShootingExpirationLeft'] = $left
    $status['TroubleShootingMode'] = if ($active) { 'Enabled' } else { 'Disabled' }
    $status['TroubleShootingModeSource'] = 'ATP'
    $status['TroubleShootingQuotaResetTime'] = Format-DtmLocalDate $now.AddHours(20)
    $status['TroubleShootingStartTime'] = if ($ts) { Format-DtmLocalDate (& $parse $ts['startTime']) } else { 'N/A' }
  }
  # CIM instances carry these; the product must select its fields before ConvertTo-Json (powershell.md §6).
  $status['PSComputerName'] = $null
  $status['CimClass'] = 'ROOT/Microsoft/Windows/Defender:MSFT_MpComputerStatus'
  $status['CimInstanceProperties'] = '...'
  $status['CimSystemProperties'] = '...'
  $out = [pscustomobject]$status
  $out.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Defender/MSFT_MpComputerStatus')
  return $out
}
