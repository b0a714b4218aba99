/**
 * Issue 7 item 5: quotePs against PowerShell's own parser. Thousands of strings over the characters that matter
 * to PowerShell's tokenizer (ASCII and Unicode single and double quotes, the dashes, `$`, backticks, newlines,
 * control characters) are quoted with quotePs, embedded in a command, and parsed by
 * [System.Management.Automation.Language.Parser]::ParseInput in ONE pwsh process (the cases travel as a JSON list
 * on stdin). Each must be one command whose argument is one constant single-quoted string equal to the input.
 * quotePs may refuse a value (NUL always; control characters for names and paths) with its typed error: the
 * property accepts either that rejection or an exact round trip.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidPowerShellValueError, quotePs, type QuoteKind } from '../../../src/powershell/quote';
import { requirePwsh } from '../../doubles/powershell/standinState';
import { pwshJson } from './pwshHelpers';

const CHARS = [
  "'", '"', '\u2018', '\u2019', '\u201A', '\u201B', '\u201C', '\u201D', '\u201E', // quotes (powershell.md §2)
  '-', '\u2013', '\u2014', '\u2015', // dashes
  '$', '`', '(', ')', '{', '}', '@', '#', ';', '|', '&', '<', '>', ',', '.', '[', ']', '*', '?', '\\', '/', ' ',
  '\n', '\r', '\t', '\0', '\u0001', '\u001B', '\u007F', '\u0085', '\u00A0', '\u2028', '\u3000',
  'a', 'Z', '0', 'é', 'ß', '😀',
];

const KINDS: readonly QuoteKind[] = ['text', 'path', 'name'];

const CHECK = String.raw`
$ErrorActionPreference = 'Stop'
$cases = [Console]::In.ReadToEnd() | ConvertFrom-Json
$bad = foreach ($c in $cases) {
  $tokens = $null; $errors = $null
  $command = 'Add-MpPreference -ExclusionPath ' + [string]$c.literal
  $ast = [System.Management.Automation.Language.Parser]::ParseInput($command, [ref]$tokens, [ref]$errors)
  $why = $null
  $statements = $ast.EndBlock.Statements
  if ($errors.Count) { $why = 'parse errors: ' + (($errors | ForEach-Object Message) -join '; ') }
  elseif ($statements.Count -ne 1) { $why = "$($statements.Count) statements" }
  elseif ($statements[0] -isnot [System.Management.Automation.Language.PipelineAst] -or $statements[0].PipelineElements.Count -ne 1) { $why = 'not one pipeline element' }
  else {
    $elements = $statements[0].PipelineElements[0].CommandElements
    if ($elements.Count -ne 3) { $why = "$($elements.Count) command elements" }
    elseif ($elements[2] -isnot [System.Management.Automation.Language.StringConstantExpressionAst]) { $why = 'argument is a ' + $elements[2].GetType().Name }
    elseif ($elements[2].StringConstantType -ne 'SingleQuoted') { $why = 'argument is ' + $elements[2].StringConstantType }
    elseif (-not [string]::Equals($elements[2].Value, [string]$c.value, [System.StringComparison]::Ordinal)) { $why = 'value differs' }
    elseif ($elements[2].Extent.EndOffset -ne $command.Length) { $why = 'the literal ends before the command does' }
  }
  if ($why) { [ordered]@{ index = [int]$c.index; why = $why } }
}
ConvertTo-Json -InputObject @($bad) -Depth 3 -Compress
`;

describe('quotePs against PowerShell\'s parser (issue 7 item 5, fast-check)', function () {
  this.timeout(300_000);
  before(() => requirePwsh());

  it('every literal parses as one constant single-quoted argument equal to the input, or quotePs refuses it', () => {
    const arb = fc.tuple(fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 24 }), fc.constantFrom(...KINDS));
    const samples = fc.sample(arb, { numRuns: 3000, seed: 7 });
    // A few by hand that must round-trip.
    samples.push(["C:\\a\u2019; Set-MpPreference -DisableRealtimeMonitoring $true; \u2019", 'text'], ["it's", 'path'], ['', 'text'], ["''''", 'name']);
    const cases: { index: number; value: string; literal: string }[] = [];
    let rejected = 0;
    samples.forEach(([value, kind], index) => {
      try {
        cases.push({ index, value, literal: quotePs(value, kind) });
      } catch (err) {
        assert.ok(err instanceof InvalidPowerShellValueError, `only a typed rejection: ${String(err)}`);
        // eslint-disable-next-line no-control-regex
        assert.ok(/[\u0000-\u001F\u007F]/.test(value), `rejected without a control character: ${JSON.stringify(value)}`);
        rejected++;
      }
    });
    assert.ok(cases.length >= 1500, `enough round trips to mean something (${cases.length} of ${samples.length}, ${rejected} rejected)`);
    assert.ok(cases.some((c) => /['\u2018-\u201B]/.test(c.value)) && cases.some((c) => /[\u2013-\u2015]/.test(c.value)), 'quotes and dashes were exercised');
    const bad = pwshJson<{ index: number; why: string }[]>(CHECK, cases);
    assert.deepEqual(
      bad.map((b) => ({ ...b, value: JSON.stringify(samples[b.index]![0]) })),
      [],
    );
  });

  it('the check is not vacuous: an ASCII-only escape fails it', () => {
    const naive = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const values = ['a\u2019b', "x'y", 'c\u2018; calc; \u2018'];
    const bad = pwshJson<{ index: number; why: string }[]>(CHECK, values.map((value, index) => ({ index, value, literal: naive(value) })));
    assert.deepEqual(bad.map((b) => b.index), [0, 2]);
  });
});
