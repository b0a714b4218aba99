import * as assert from 'node:assert/strict';
import { columnsFromSchema, rowsFromResults, toJson } from '../../../src/webview-ui/results/model';

/** Column names that are also Object.prototype's names (issue #10, item 9). */
describe('(unit) results grid: columns named like Object.prototype members', () => {
  const columns = columnsFromSchema([
    { name: '__proto__', type: 'String' },
    { name: 'constructor', type: 'String' },
    { name: 'toString', type: 'Int64' },
    { name: 'DeviceName', type: 'String' },
  ]);
  // As JSON.parse gives them: `__proto__` is an own property there.
  const results = JSON.parse('[{"__proto__":"p1","constructor":"c1","toString":1,"DeviceName":"pc1"},{"DeviceName":"pc2"}]') as Record<string, unknown>[];

  it('reads own values only (a missing one is null, never a prototype function)', () => {
    const rows = rowsFromResults(columns, results);
    assert.deepEqual(rows, [
      ['p1', 'c1', 1, 'pc1'],
      [null, null, null, 'pc2'],
    ]);
  });

  it('JSON export keeps every column, __proto__ included', () => {
    const rows = rowsFromResults(columns, results);
    const text = toJson(columns, rows, [0, 1]);
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(parsed[0]!), ['__proto__', 'constructor', 'toString', 'DeviceName']);
    assert.equal(parsed[0]!['__proto__'], 'p1');
    assert.ok(text.includes('"__proto__": "p1"'), text);
    assert.ok(text.includes('"__proto__": null'), text);
  });
});
