import * as assert from 'node:assert/strict';
import { selectionIsQuery } from '../../../src/kql/blocks';

/** Run right after inserting a snippet (issue #10, item 12): the selected placeholder is not a query. */
describe('(unit) kql/blocks: selectionIsQuery', () => {
  const text = [
    '// after inserting a snippet',
    'DeviceEvents',
    '| where DeviceName == "device-name"',
    '  | take 10',
    '',
    'DeviceInfo | take 1',
  ].join('\r\n');
  const sel = (fragment: string, length = fragment.length) => {
    const start = text.indexOf(fragment);
    assert.ok(start >= 0, fragment);
    return selectionIsQuery(text, start, start + length);
  };

  it('a selected placeholder, a word or part of a line is not a query', () => {
    assert.equal(sel('device-name'), false);
    assert.equal(sel('DeviceEvents', 6), false);
    assert.equal(sel('| where DeviceName'), false);
    assert.equal(sel('"device-name"\r\n  | take'), false, 'from the middle of a line to the middle of the next');
    assert.equal(selectionIsQuery(text, 5, 5), false);
  });

  it('a selection that covers a whole line (blanks around it or not) is a query', () => {
    assert.equal(sel('DeviceEvents'), true);
    assert.equal(sel('| take 10'), true, 'without the indentation');
    assert.equal(sel('  | take 10'), true);
    assert.equal(sel('DeviceInfo | take 1'), true, 'the last line, no newline after it');
    assert.equal(sel('== "device-name"\r\n  | take 10'), true, 'ends with a whole line');
    assert.equal(sel('DeviceEvents\r\n| where'), true, 'starts with a whole line');
  });
});
