/**
 * The pictures of the user's manual (issue 11, item 5): every image README.md, CHANGELOG.md and the walkthrough
 * pages link exists, ships in the VSIX (`vsce ls`, so .vscodeignore does not drop it), is small, and is one the
 * end-to-end test takes and `npm run screenshots` refreshes (test/e2e/readmeScreenshot.test.ts, scripts/screenshots.mjs).
 */
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { README_PICTURES } from '../../e2e/readmePictures';

const root = path.resolve(__dirname, '..', '..', '..');
const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');

/** Markdown pages a user reads: README, CHANGELOG and the walkthrough steps' pages. */
function pages(): string[] {
  const walkthrough = path.join(root, 'media', 'walkthrough');
  return [
    path.join(root, 'README.md'),
    path.join(root, 'CHANGELOG.md'),
    ...fs.readdirSync(walkthrough).filter((f) => f.endsWith('.md')).map((f) => path.join(walkthrough, f)),
  ];
}

/** Local images a Markdown page links (`![alt](path)`, `<img src="path">`), resolved from the page's folder. */
export function linkedImages(file: string, text = fs.readFileSync(file, 'utf8')): { page: string; link: string; target: string }[] {
  const links = [...text.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/gi)].map((m) => m[1]!);
  return links
    .filter((l) => !/^[a-z][\w+.-]*:/i.test(l))
    .map((link) => ({ page: rel(file), link, target: rel(path.resolve(path.dirname(file), decodeURIComponent(link.split('#')[0]!))) }));
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  assert.strictEqual(b.subarray(1, 4).toString('latin1'), 'PNG', `${rel(file)} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('README and walkthrough pictures (unit)', function () {
  this.timeout(60_000);
  let images: ReturnType<typeof linkedImages>;
  let vsix: Set<string>;
  let scriptPictures: string[];
  before(async () => {
    images = pages().flatMap((p) => linkedImages(p));
    const out = execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    vsix = new Set(out.split('\n').map((l) => l.trim()).filter(Boolean));
    scriptPictures = ((await import(pathToFileURL(path.join(root, 'scripts', 'screenshots.mjs')).href)) as { PICTURES: string[] }).PICTURES;
  });

  it('finds the links it checks (and would see a broken one)', () => {
    assert.ok(images.length >= 10, `only ${images.length} images linked: ${images.map((i) => i.link).join(', ')}`);
    const probe = linkedImages(path.join(root, 'media', 'walkthrough', 'probe.md'), '![x](../screenshots/nope.png) <img src="a b.png"> ![web](https://example.com/x.png)');
    assert.deepStrictEqual(probe.map((p) => p.target), ['media/screenshots/nope.png', 'media/walkthrough/a b.png']);
  });

  it('every linked image exists and is in the VSIX', () => {
    const missing = images.filter((i) => !fs.existsSync(path.join(root, i.target))).map((i) => `${i.page}: ${i.link}`);
    assert.deepStrictEqual(missing, [], `linked images that do not exist (run npm run screenshots):\n${missing.join('\n')}`);
    const notShipped = [...new Set(images.map((i) => i.target))].filter((t) => !vsix.has(t));
    assert.deepStrictEqual(notShipped, [], `linked images the VSIX leaves out (.vscodeignore):\n${notShipped.join('\n')}`);
  });

  it('README shows the seven pictures of the manual: devices, a verified playbook, the snapshot diff, events, the performance report, the grid, the session report', () => {
    const readme = new Set(images.filter((i) => i.page === 'README.md').map((i) => i.target));
    for (const name of ['tenant-devices', 'device-playbook-result', 'snapshot-diff', 'event-list', 'performance-report', 'hunting-results', 'session-report']) {
      assert.ok(readme.has(`media/screenshots/${name}.png`), `README.md does not show media/screenshots/${name}.png`);
    }
  });

  it('each screenshot is taken by the e2e test, refreshed by npm run screenshots, linked, and small', () => {
    assert.deepStrictEqual([...scriptPictures].sort(), Object.keys(README_PICTURES).sort(), 'scripts/screenshots.mjs PICTURES and README_PICTURES of test/e2e/readmeScreenshot.test.ts differ');
    const linked = new Set(images.map((i) => i.target));
    for (const i of images.filter((x) => x.target.startsWith('media/screenshots/'))) {
      assert.ok(scriptPictures.includes(path.basename(i.target, '.png')), `${i.page} links ${i.link}, which npm run screenshots does not refresh`);
    }
    for (const name of scriptPictures) {
      const file = path.join(root, 'media', 'screenshots', `${name}.png`);
      assert.ok(linked.has(`media/screenshots/${name}.png`), `media/screenshots/${name}.png is taken but no page shows it`);
      const { width, height } = pngSize(file);
      const kb = fs.statSync(file).size / 1024;
      assert.ok(width <= 1600 && height <= 1000, `${name}.png is ${width}x${height}: crop it to the part it shows`);
      assert.ok(kb <= 350, `${name}.png is ${Math.round(kb)} KB: keep pictures under 350 KB`);
    }
  });
});
