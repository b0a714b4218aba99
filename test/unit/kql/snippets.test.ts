import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitBlocks } from '../../../src/kql/blocks';
import { kustoErrors, sharedService } from './kustoFixture';

const root = path.resolve(__dirname, '..', '..', '..');
const ASR_RULES = path.resolve(root, '..', 'shared', 'reference', 'asr-rules.json');

interface Snippet {
  prefix: string | string[];
  description: string;
  body: string | string[];
}

const snippets = JSON.parse(fs.readFileSync(path.join(root, 'snippets', 'kql.code-snippets'), 'utf8')) as Record<string, Snippet>;

/** The text VS Code inserts when every placeholder keeps its default (TextMate snippet syntax). */
function expand(body: string | string[]): string {
  const text = Array.isArray(body) ? body.join('\n') : body;
  return text
    .replace(/\$\{(\d+):([^}]*)\}/g, (_m, _n, def: string) => def)
    .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_m, _n, choices: string) => choices.split(',')[0] ?? '')
    .replace(/\$\{?\d+\}?/g, '')
    .replace(/\\([$}\\])/g, '$1');
}

describe('kql snippets', function () {
  this.timeout(60_000);
  const entries = Object.entries(snippets);

  it('cover the four hunting queries of the docs and the troubleshooting scenarios', () => {
    const prefixes = entries.map(([, s]) => (Array.isArray(s.prefix) ? s.prefix[0] : s.prefix));
    assert.deepStrictEqual(prefixes, [
      'tsmode-events',
      'tsmode-now',
      'tsmode-per-device',
      'tsmode-count',
      'tsmode-asr',
      'tsmode-network-protection',
      'tsmode-pua',
      'tsmode-tampering',
      'tsmode-av-detections',
      'tsmode-timeline',
    ]);
  });

  for (const [name, s] of entries) {
    describe(name, () => {
      const text = expand(s.body);

      it('has a prefix, a description and a device name or id placeholder', () => {
        assert.ok((Array.isArray(s.prefix) ? s.prefix : [s.prefix]).every((p) => /^[a-z][a-z-]+$/.test(p)));
        assert.ok(s.description.length > 40, 'a useful description');
        assert.match(Array.isArray(s.body) ? s.body.join('\n') : s.body, /\$\{\d+:device name or id\}/);
      });

      it('is one query block (no blank line inside)', () => {
        assert.strictEqual(splitBlocks(text).length, 1);
      });

      it('parses with no error or warning against the advanced hunting schema', () => {
        const problems = sharedService()
          .diagnostics(text)
          .filter((d) => d.severity === 'error' || d.severity === 'warning')
          .map((d) => `${d.code} ${d.message} at "${text.slice(d.start, d.start + d.length)}"`);
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(kustoErrors.splice(0), []);
      });
    });
  }

  it('looks back 4 h 15 min for devices in troubleshooting mode now', () => {
    const now = expand(snippets['Troubleshooting mode: devices in troubleshooting mode now']!.body);
    assert.match(now, /where Timestamp > ago\(4h \+ 15m\)/);
    assert.doesNotMatch(now, /ago\(3h\)/);
  });

  it('maps every ASR ActionType of the reference to its rule name and GUID', function () {
    if (!fs.existsSync(ASR_RULES)) this.skip();
    const reference = JSON.parse(fs.readFileSync(ASR_RULES, 'utf8')) as {
      rules: { name: string; guid: string; advancedHuntingActionTypes: string[] }[];
    };
    const body = expand(snippets['Troubleshooting mode: ASR blocks and audits per rule']!.body);
    const rows = [...body.matchAll(/^\s+"(\w+)", "([^"]+)", "([0-9a-f-]{36})",?$/gm)].map((m) => [m[1], m[2], m[3]]);
    const expected = reference.rules.flatMap((r) => r.advancedHuntingActionTypes.map((a) => [a, r.name, r.guid]));
    assert.deepStrictEqual(rows, expected);
  });
});
