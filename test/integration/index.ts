import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { CountingReporter } from '../support/countingReporter';
import { mochaHooks } from '../support/tempDirs';

/**
 * Entry of the integration suite, loaded by VS Code as `extensionTestsPath`: in code-server on CI
 * (scripts/test.mjs) and in desktop VS Code through @vscode/test-electron (scripts/test-desktop.mjs).
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: CountingReporter as never });
  mocha.rootHooks(mochaHooks);
  const grep = process.env.DTM_INTEGRATION_GREP;
  if (grep) mocha.grep(grep);
  const dir = __dirname;
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(dir, f));
  await new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
