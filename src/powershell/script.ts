/**
 * The fixed wrapper around every background script (powershell.md §1 and §7): strict errors, UTF-8 output, one
 * JSON document on stdout ({ok:true,data} or {ok:false,message,errorId,...}), explicit exit code.
 *
 * Bodies are built only from constant templates plus quotePs/psBool/psInt values (src/powershell/quote.ts).
 * They must write nothing to the output except through Write-DtmOk.
 */
import { quotePs } from './quote';

/** Bump when the preamble changes; the audit log records it instead of repeating the preamble on every line. */
export const WRAPPER_VERSION = 'dtm-wrapper/2';

export const PREAMBLE = String.raw`$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)

function ConvertTo-DtmPlain {
  param($Value, [int]$Depth = 0)
  if ($null -eq $Value) { return $null }
  if ($Depth -gt 8) { return [string]$Value }
  if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
  if ($Value -is [timespan]) { return $Value.ToString() }
  if ($Value -is [enum]) { return [int]$Value }
  if ($Value -is [string] -or $Value -is [char]) { return [string]$Value }
  if ($Value -is [ValueType]) { return $Value }
  if ($Value -is [System.Collections.IDictionary]) {
    $out = [ordered]@{}
    foreach ($key in $Value.Keys) { $out[[string]$key] = ConvertTo-DtmPlain -Value $Value[$key] -Depth ($Depth + 1) }
    return $out
  }
  if ($Value -is [System.Collections.IEnumerable]) {
    $list = New-Object System.Collections.ArrayList
    foreach ($item in $Value) { [void]$list.Add((ConvertTo-DtmPlain -Value $item -Depth ($Depth + 1))) }
    return ,$list.ToArray()
  }
  $out = [ordered]@{}
  foreach ($p in $Value.PSObject.Properties) {
    try { $out[$p.Name] = ConvertTo-DtmPlain -Value $p.Value -Depth ($Depth + 1) } catch { $out[$p.Name] = $null }
  }
  return $out
}

function Write-DtmOk {
  param($Data)
  $doc = [ordered]@{ ok = $true; data = (ConvertTo-DtmPlain -Value $Data) }
  [Console]::Out.Write((ConvertTo-Json -InputObject $doc -Depth 12 -Compress))
}

function Write-DtmError {
  param($Record)
  $ex = $Record.Exception
  $id = [string]$Record.FullyQualifiedErrorId
  if ($ex.Data -and $ex.Data.Contains('DtmErrorId')) { $id = [string]$ex.Data['DtmErrorId'] }
  $doc = [ordered]@{
    ok = $false
    message = [string]$ex.Message
    errorId = $id
    category = [string]$Record.CategoryInfo.Category
    hresult = $ex.HResult
    platform = [string](Get-DtmPlatform)
  }
  [Console]::Out.Write((ConvertTo-Json -InputObject $doc -Depth 3 -Compress))
}

function Get-DtmPlatform {
  return [string][System.Environment]::OSVersion.Platform
}

function Test-DtmElevated {
  if ((Get-DtmPlatform) -ne 'Win32NT') { return $false }
  $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
  return ([Security.Principal.WindowsPrincipal]::new($identity)).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Get-DtmCulture {
  $culture = [System.Globalization.CultureInfo]::CurrentCulture
  return [ordered]@{ name = $culture.Name; datePattern = $culture.DateTimeFormat.ShortDatePattern; timePattern = $culture.DateTimeFormat.LongTimePattern }
}

function Measure-DtmProcessCpu {
  param([string]$Name, [int]$Milliseconds)
  if ($Name -notmatch '^[A-Za-z0-9_.-]+$') { throw 'Invalid process name.' }
  # Raw perf counters need no handle to the process (MsMpEng is protected), and their names are not localized.
  $filter = "Name='" + $Name + "'"
  $first = Get-CimInstance -ClassName Win32_PerfRawData_PerfProc_Process -Filter $filter | Select-Object -First 1
  if (-not $first) { throw "Process $Name is not running." }
  Start-Sleep -Milliseconds $Milliseconds
  $second = Get-CimInstance -ClassName Win32_PerfRawData_PerfProc_Process -Filter $filter | Select-Object -First 1
  if (-not $second) { throw "Process $Name stopped while it was being measured." }
  $cpu = [double]($second.PercentProcessorTime - $first.PercentProcessorTime)
  $elapsed = [double]($second.Timestamp_Sys100NS - $first.Timestamp_Sys100NS)
  $cores = [System.Environment]::ProcessorCount
  return [ordered]@{
    name = $Name
    id = [int]$second.IDProcess
    cpuPercent = [math]::Round(100 * $cpu / [math]::Max($elapsed, 1) / $cores, 1)
    sampleMs = [int]($elapsed / 10000)
    cores = $cores
    workingSetMB = [math]::Round([double]$second.WorkingSet / 1MB, 1)
  }
}
`;

/** Longest body we send: the Windows command line holds 32,767 UTF-16 chars and base64 of UTF-16 is ~2.7x. */
export const MAX_SCRIPT_CHARS = 10_000;

export function wrapScript(body: string): string {
  return `${PREAMBLE}\ntry {\n${body}\n} catch {\n  Write-DtmError $_\n  exit 1\n}\nexit 0\n`;
}

/** -EncodedCommand takes base64 of the UTF-16LE script (PsUtils.cs decodes with Encoding.Unicode). */
export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

/**
 * The argv for one background run. -OutputFormat Text stops ConsoleHost from switching stderr to CLIXML for an
 * encoded, non-interactive command (powershell.md §1).
 *
 * Why -EncodedCommand and not -Command: the script travels as base64, so it reaches PowerShell byte-for-byte
 * whatever Windows' command-line quoting rules (CommandLineToArgvW, Node's argv escaping, powershell.exe's own
 * re-joining of arguments after -Command) would do to quotes, backslashes and Unicode quote characters. The cost
 * is that encoded command lines look like malware to EDR tooling; the audit log and the confirmation dialog show
 * the decoded script, and writes run in the terminal show plain text.
 */
export function powershellArgs(script: string): string[] {
  return ['-NoLogo', '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', encodeCommand(script)];
}

/**
 * The script a new "Defender PowerShell" terminal without shell integration runs as it starts: it shows the command
 * line (`PS> …`, as if typed) and runs it, then the shell stays open (-NoExit) for the user and later commands.
 *
 * Why not type it with sendText: PowerShell loses a line typed before its first prompt is ready (PSReadLine's start
 * swallows the Enter: VS Code issues #258989 and #273017; on Linux the terminal driver turns the early Enter into a
 * line feed, which PSReadLine takes as "add a line"). Without shell integration nothing tells the extension when
 * the prompt is ready, so the first command travels with the shell's start instead. The command line is one line
 * without control characters (every value in it went through quotePs), so it is shown through quotePs as well.
 */
export function terminalStartupScript(commandLine: string): string {
  return `Write-Host -Object ${quotePs(`PS> ${commandLine}`)}\n${commandLine}\n`;
}

/**
 * The shell arguments of that terminal. -EncodedCommand for the reasons given at powershellArgs (Windows' quoting of
 * the argument list); the terminal shows the command in plain text and the audit log records it.
 */
export function terminalStartupArgs(commandLine: string): string[] {
  return ['-NoLogo', '-NoExit', '-EncodedCommand', encodeCommand(terminalStartupScript(commandLine))];
}
