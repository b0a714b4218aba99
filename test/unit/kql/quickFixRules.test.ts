import * as assert from 'node:assert';
import {
  editDistance,
  findDefenderTraps,
  type NameOccurrence,
  refineKustoDiagnostics,
  renameFixes,
  RuleCodes,
  suggestNames,
} from '../../../src/kql/quickFixRules';
import { loadBundledSchema } from '../../../src/kql/schema/bundled';
import type { KqlSchema } from '../../../src/kql/schema/schema';
import type { KqlDiagnostic } from '../../../src/kql/types';

const unknown = (start: number, length: number, name: string): KqlDiagnostic => ({
  start,
  length,
  severity: 'error',
  code: 'KS142',
  message: `The name '${name}' does not refer to any known column, table, variable or function.`,
  source: 'kusto',
});
const ref = (name: string, start: number, extra: Partial<NameOccurrence> = {}): NameOccurrence => ({
  name,
  start,
  length: name.length,
  role: 'reference',
  ...extra,
});

describe('kql/quickFixRules', () => {
  const schema = loadBundledSchema();

  it('explains an unknown TimeGenerated and offers Timestamp', () => {
    const [d] = refineKustoDiagnostics([unknown(20, 13, 'TimeGenerated')], [ref('TimeGenerated', 20)]);
    assert.match(d!.message, /Sentinel.*use 'Timestamp'/);
    assert.deepStrictEqual(d!.fixes, [{ title: "Change to 'Timestamp'", edits: [{ start: 20, length: 13, newText: 'Timestamp' }], preferred: true }]);
    assert.strictEqual(d!.severity, 'error', 'it stays an error: the query would fail');
  });

  it('names the successor of an unknown deprecated table', () => {
    const [d] = refineKustoDiagnostics([{ ...unknown(0, 19, 'AADSignInEventsBeta'), code: 'KS204' }], [ref('AADSignInEventsBeta', 0)]);
    assert.match(d!.message, /deprecated.*'EntraIdSignInEvents'/);
    assert.deepStrictEqual(d!.tags, ['deprecated']);
    assert.strictEqual(d!.fixes?.[0]?.edits[0]?.newText, 'EntraIdSignInEvents');
  });

  it('accepts the documented unquoted column of invoke FileProfile and explains the others', () => {
    const arg = (name: string, start: number) => ref(name, start, { invokeArgument: { functionName: 'FileProfile', index: 0 } });
    const out = refineKustoDiagnostics(
      [unknown(10, 6, 'SHA256'), unknown(40, 3, 'Foo'), unknown(60, 2, 'IP')],
      [arg('SHA256', 10), arg('Foo', 40), ref('IP', 60, { invokeArgument: { functionName: 'DeviceFromIP', index: 0 } })],
    );
    assert.strictEqual(out.length, 1);
    assert.match(out[0]!.message, /FileProfile's first argument is the file ID column: SHA1, SHA256, InitiatingProcessSHA1, InitiatingProcessSHA256/);
  });

  it('offers the join kinds for a join without kind (KS508)', () => {
    const ks508: KqlDiagnostic = { start: 40, length: 4, severity: 'warning', code: 'KS508', message: 'Avoid using joins without specifying the join kind.', source: 'kusto' };
    const [d] = refineKustoDiagnostics([ks508], []);
    assert.deepStrictEqual(d!.fixes?.map((f) => f.edits[0]), [
      { start: 44, length: 0, newText: ' kind=innerunique' },
      { start: 44, length: 0, newText: ' kind=inner' },
    ]);
    assert.strictEqual(d!.fixes?.[0]?.preferred, true);
  });

  it('leaves other diagnostics alone', () => {
    const other: KqlDiagnostic = { start: 1, length: 2, severity: 'error', code: 'KS005', message: 'Expected: ;', source: 'kusto' };
    const plain = unknown(5, 3, 'Foo');
    assert.deepStrictEqual(refineKustoDiagnostics([other, plain], [ref('Foo', 5)]), [other, plain]);
    assert.deepStrictEqual(refineKustoDiagnostics([plain], []), [plain], 'no occurrence found');
  });

  it('warns about a deprecated table that still resolves', () => {
    const [d, ...rest] = findDefenderTraps([ref('AADSpnSignInEventsBeta', 3, { resolvedTo: 'table' })], schema);
    assert.strictEqual(rest.length, 0);
    assert.strictEqual(d!.code, RuleCodes.deprecatedTable);
    assert.strictEqual(d!.severity, 'warning');
    assert.strictEqual(d!.source, 'defender');
    assert.deepStrictEqual(d!.tags, ['deprecated']);
    assert.strictEqual(d!.fixes?.[0]?.edits[0]?.newText, 'EntraIdSpnSignInEvents');
  });

  it('warns about TimeGenerated on a table with unknown columns, unless the query declares it', () => {
    const tg = ref('TimeGenerated', 30, { resolvedTo: 'column' });
    assert.strictEqual(findDefenderTraps([tg], schema)[0]?.code, RuleCodes.sentinelTimeColumn);
    const declared: NameOccurrence = { name: 'TimeGenerated', start: 5, length: 13, role: 'declaration' };
    assert.deepStrictEqual(findDefenderTraps([declared, tg], schema), []);
    const tenant: KqlSchema = { source: 'tenant', tables: [{ name: 'X', columns: [{ name: 'TimeGenerated', type: 'datetime' }] }] };
    assert.deepStrictEqual(findDefenderTraps([tg], tenant), [], 'a tenant table really has the column');
  });

  it('does not report a name twice', () => {
    const occ = ref('AADSignInEventsBeta', 0, { resolvedTo: 'table' });
    const existing = refineKustoDiagnostics([unknown(0, 19, 'AADSignInEventsBeta')], [occ]);
    assert.deepStrictEqual(findDefenderTraps([occ], schema, existing), []);
  });

  it('measures edit distance with transpositions, ignoring case', () => {
    assert.strictEqual(editDistance('Timestamp', 'timestamp'), 0);
    assert.strictEqual(editDistance('DeviceNmae', 'DeviceName'), 1);
    assert.strictEqual(editDistance('FileNam', 'FileName'), 1);
    assert.strictEqual(editDistance('abc', ''), 3);
    assert.strictEqual(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests case fixes first, then the closest names', () => {
    const names = ['DeviceName', 'DeviceId', 'DeviceInfo', 'FileName', 'FolderPath', 'Timestamp'];
    assert.deepStrictEqual(suggestNames('devicename', names), ['DeviceName']);
    assert.deepStrictEqual(suggestNames('DeviceNmae', names), ['DeviceName']);
    assert.deepStrictEqual(suggestNames('DeviceIdd', names), ['DeviceId']);
    assert.deepStrictEqual(suggestNames('Xyz', names), []);
    assert.deepStrictEqual(suggestNames('Devic', ['DeviceA', 'DeviceB', 'Device']), ['Device']);
    assert.deepStrictEqual(suggestNames('DeviceName', names), [], 'the name itself is not a suggestion');
  });

  it('makes rename fixes, preferred only when there is one', () => {
    assert.strictEqual(renameFixes(1, 2, ['A'])[0]!.preferred, true);
    assert.deepStrictEqual(renameFixes(1, 2, ['A', 'B']).map((f) => [f.title, f.preferred]), [["Change to 'A'", false], ["Change to 'B'", false]]);
  });
});
