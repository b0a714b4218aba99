@{
  RootModule = 'DtmStandIn.psm1'
  ModuleVersion = '1.0'
  GUID = 'c1a9a7a4-0d1e-4d1e-9a8b-5d7f3a1b2c00'
  Author = 'Defender Troubleshooting Mode tests (stand-in)'
  Description = 'What Linux cannot provide for the Defender stand-in: device state, Windows facts (elevation, platform, culture, host name), the behaviour behind the generated Defender cmdlets, and the Defender operational log (Get-WinEvent).'
  PowerShellVersion = '7.4'
  FunctionsToExport = @(
    'Get-DtmStatePath', 'Get-DtmState', 'Save-DtmState', 'Get-DtmNow', 'Add-DtmEvent', 'New-DtmErrorRecord',
    'Assert-DtmElevated', 'Assert-DtmDefenderAvailable', 'Invoke-DtmCmdlet', 'Get-DtmDynamicParameter',
    'Test-DtmStandInElevated', 'Get-DtmStandInPlatform', 'Measure-DtmStandInProcessCpu', 'Get-WinEvent'
  )
  CmdletsToExport = @()
  VariablesToExport = @()
  AliasesToExport = @('Test-DtmElevated', 'Get-DtmPlatform', 'Measure-DtmProcessCpu')
}
