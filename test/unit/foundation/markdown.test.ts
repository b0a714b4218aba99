import * as assert from 'node:assert/strict';
import { MD_TEXT_MAX, mdCode, mdText } from '../../../src/core/markdown';
import { errorNode } from '../../../src/core/treeModel';
import { thisDeviceStatusNode } from '../../../src/defender/deviceNodes';
import { machineNode } from '../../../src/defender/fleet';
import { sessionNode } from '../../../src/hunting/model/sessionsFeed';
import type { HostSupport } from '../../../src/core/host';
import type { Machine } from '../../../src/api/mde';

/** Hostile strings an API field, a PowerShell error or a device name could carry. */
const HOSTILE = [
  '[click](https://evil.example/phish)',
  '![](https://evil.example/beacon.png)',
  '<img src="https://evil.example/b.png">',
  'line one\n# Heading\n| a | b |',
  'see https://evil.example/x and www.evil.example and admin@evil.example',
  '$(warning) fake icon',
  'break `out` of ``code``',
  '*bold* _it_ ~~s~~ &amp; \\[',
  'CR\rLF\r\nNEL\u0085LS\u2028PS\u2029',
];

/**
 * What CommonMark makes of text with every ASCII punctuation character backslash-escaped: the literal
 * characters. Any punctuation left unescaped, or any line break, could start markup.
 */
function assertLiteral(md: string, original: string): void {
  assert.ok(!/[\r\n\u0085\u2028\u2029]/.test(md), `a line break survived: ${JSON.stringify(md)}`);
  let plain = '';
  for (let i = 0; i < md.length; i++) {
    const ch = md[i]!;
    if (ch === '\\') {
      const next = md[i + 1];
      assert.ok(next !== undefined && /[!-/:-@[-`{-~]/.test(next), `a lone backslash at ${i} in ${JSON.stringify(md)}`);
      plain += next;
      i++;
      continue;
    }
    assert.ok(!/[!-/:-@[-`{-~]/.test(ch), `unescaped ${JSON.stringify(ch)} at ${i} in ${JSON.stringify(md)}`);
    plain += ch;
  }
  // eslint-disable-next-line no-control-regex
  assert.equal(plain, original.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '));
}

const HOST: HostSupport = { supported: true, summary: 'Windows (local)' };

describe('(unit) untrusted text in Markdown tooltips (issue #10, item 2)', () => {
  it('mdText makes every hostile string literal text on one line', () => {
    for (const s of HOSTILE) assertLiteral(mdText(s), s);
  });

  it('mdText cuts very long text', () => {
    const md = mdText('a'.repeat(MD_TEXT_MAX * 3));
    assert.ok(md.length <= MD_TEXT_MAX + 1);
  });

  it('mdCode keeps backticks inside the code span', () => {
    for (const s of ['plain', 'a`b', 'x``y```z', '`leading', 'trailing`']) {
      const md = mdCode(s);
      const fence = /^`+/.exec(md)![0];
      assert.ok(md.endsWith(fence));
      const inner = md.slice(fence.length, md.length - fence.length);
      assert.ok(!inner.includes(fence), `the text contains the fence ${fence}: ${md}`);
      assert.equal(inner.trim(), s.trim());
    }
    assert.equal(mdCode('a\nb'), '`a b`');
  });

  it('error rows (API and PowerShell messages) escape the message', () => {
    const msg = HOSTILE[0]!;
    const row = errorNode('x', msg, { command: 'c', title: 'Retry' });
    assert.ok(!row.tooltip!.includes('](https'), row.tooltip);
    assert.ok(row.tooltip!.startsWith(mdText(msg)));
    assertLiteral(errorNode('y', HOSTILE[3]!).tooltip!, HOSTILE[3]!);
  });

  it('This device: a PowerShell error message is escaped', () => {
    const row = thisDeviceStatusNode({ kind: 'error', host: HOST, message: '![](https://evil.example/beacon.png)\n# x' });
    assert.ok(!row.tooltip!.includes('![]('), row.tooltip);
    assert.ok(row.tooltip!.includes(mdText('![](https://evil.example/beacon.png)\n# x')));
  });

  it('hunting sessions: device name, id and change reason are escaped', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const row = sessionNode(
      {
        eventCount: 1,
        id: 's1',
        deviceId: 'abc`](https://evil.example)`',
        deviceName: '[pc](https://evil.example)',
        start: new Date('2026-01-01T11:00:00Z'),
        expiry: new Date('2026-01-01T15:00:00Z'),
        expirySource: 'expiry-field',
        lastReason: '<img src=https://evil.example/b>\n# Heading',
        lastEventAt: new Date('2026-01-01T11:00:00Z'),
      },
      now,
    );
    const tip = row.tooltip!;
    assert.ok(!tip.includes('[pc]('), tip);
    assert.ok(!/(?<!\\)<img/.test(tip), tip);
    assert.ok(!tip.includes('\n# Heading'), tip);
    assert.ok(tip.includes(mdCode('abc`](https://evil.example)`')), tip);
    assert.ok(tip.includes(mdText('[pc](https://evil.example)')), tip);
  });

  it('tenant devices: newlines and bare URLs in API fields stay text', () => {
    const m = {
      id: 'm1',
      computerDnsName: 'pc1',
      osPlatform: 'Windows11',
      rbacGroupName: 'group\n# injected https://evil.example',
      machineTags: ['www.evil.example'],
    } as unknown as Machine;
    const tip = machineNode(m, new Date()).tooltip!;
    assert.ok(!tip.includes('\n# injected'), tip);
    assert.ok(!tip.includes('https://'), tip);
    assert.ok(!tip.includes('www.evil'), tip);
  });
});
