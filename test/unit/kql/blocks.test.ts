import * as assert from 'node:assert';
import { blockAt, blocksInRange, isCommentOnly, splitBlocks } from '../../../src/kql/blocks';

describe('kql/blocks', () => {
  it('splits at blank and whitespace-only lines', () => {
    const text = 'DeviceEvents\n| take 1\n\nDeviceInfo\n   \t\nDeviceFileEvents | count';
    const blocks = splitBlocks(text);
    assert.deepStrictEqual(
      blocks.map((b) => b.text),
      ['DeviceEvents\n| take 1', 'DeviceInfo', 'DeviceFileEvents | count'],
    );
    assert.deepStrictEqual(
      blocks.map((b) => [b.startLine, b.endLine]),
      [[0, 1], [3, 3], [5, 5]],
    );
    for (const b of blocks) assert.strictEqual(text.slice(b.start, b.end), b.text);
  });

  it('keeps offsets right with CRLF and CR line breaks', () => {
    const text = 'A\r\n| take 1\r\n\r\nB\rC\r\rD';
    const blocks = splitBlocks(text);
    assert.deepStrictEqual(blocks.map((b) => b.text), ['A\r\n| take 1', 'B\rC', 'D']);
    for (const b of blocks) assert.strictEqual(text.slice(b.start, b.end), b.text);
    assert.deepStrictEqual(blocks.map((b) => b.startLine), [0, 3, 6]);
  });

  it('returns nothing for an empty or blank document', () => {
    assert.deepStrictEqual(splitBlocks(''), []);
    assert.deepStrictEqual(splitBlocks('\n  \n\t\n'), []);
  });

  it('does not split inside a multi-line string literal', () => {
    const text = 'print x = ```\nline one\n\nline three```\n| take 1\n\nDeviceInfo';
    const blocks = splitBlocks(text);
    assert.strictEqual(blocks.length, 2);
    assert.ok(blocks[0]!.text.endsWith('| take 1'));
    assert.strictEqual(blocks[1]!.text, 'DeviceInfo');
  });

  it('accepts ~~~ fences and several fences on one line', () => {
    const text = 'print a=~~~x~~~, b=```\n\n```\n\nT';
    assert.deepStrictEqual(splitBlocks(text).map((b) => b.text), ['print a=~~~x~~~, b=```\n\n```', 'T']);
  });

  it('ignores fence-like text inside comments and single-line strings', () => {
    const text = [
      'T // not a fence: ```',
      '| where a == "```" and b == \'```\' and c == @"x""```" and d == "esc\\"```"',
      '',
      'U',
    ].join('\n');
    assert.deepStrictEqual(splitBlocks(text).map((b) => b.startLine), [0, 3]);
  });

  it('ends an unclosed fence block at its last non-blank line', () => {
    const text = 'print ```\nopen\n\n\n';
    const [only] = splitBlocks(text);
    assert.strictEqual(only!.text, 'print ```\nopen');
  });

  it('finds the block at an offset, with inclusive ends', () => {
    const text = 'AAA\nBBB\n\nCCC';
    const blocks = splitBlocks(text);
    assert.strictEqual(blockAt(blocks, 0)?.index, 0);
    assert.strictEqual(blockAt(blocks, 7)?.index, 0, 'just after the last character');
    assert.strictEqual(blockAt(blocks, 8), undefined, 'on the blank line');
    assert.strictEqual(blockAt(blocks, 9)?.index, 1);
    assert.strictEqual(blockAt(blocks, text.length)?.index, 1);
    assert.deepStrictEqual(blocksInRange(blocks, 2, 9).map((b) => b.index), [0, 1]);
    assert.deepStrictEqual(blocksInRange(blocks, 8, 8).map((b) => b.index), []);
  });

  it('recognises comment-only blocks', () => {
    const [comments, query] = splitBlocks('// one\n  // two\n\n// three\nT');
    assert.ok(isCommentOnly(comments!));
    assert.ok(!isCommentOnly(query!));
  });

  it('is linear enough for big documents', () => {
    const text = Array.from({ length: 5000 }, (_, i) => (i % 10 === 9 ? '' : `| where X${i} == "${i}"`)).join('\n');
    const started = performance.now();
    const blocks = splitBlocks(text);
    assert.strictEqual(blocks.length, 500);
    assert.ok(performance.now() - started < 500);
  });
});
