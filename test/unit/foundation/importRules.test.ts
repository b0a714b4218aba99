import * as assert from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');

/** Lints a probe file as if it lived at `file`, with the project's real ESLint config. */
async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import direction (unit, ESLint)', () => {
  for (const folder of ['core', 'defender', 'powershell', 'api', 'kql']) {
    it(`forbids importing vscode from src/${folder}/`, async () => {
      const messages = await lint(`src/${folder}/probe.ts`, "import * as vscode from 'vscode';\nexport const x = vscode;\n");
      assert.ok(messages.some((m) => m.startsWith('no-restricted-imports') && /pure module/i.test(m)), messages.join('\n'));
    });
  }

  it('forbids a pure module importing an adapter folder', async () => {
    const messages = await lint('src/defender/probe.ts', "import { registerCommand } from '../infra/commandRunner';\nexport const x = registerCommand;\n");
    assert.ok(messages.some((m) => m.startsWith('no-restricted-imports')), messages.join('\n'));
  });

  it('allows adapters to import vscode', async () => {
    const messages = await lint('src/views/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
    assert.deepStrictEqual(messages.filter((m) => m.startsWith('no-restricted-imports')), []);
  });
});
