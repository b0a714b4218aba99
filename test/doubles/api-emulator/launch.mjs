// Starts the API emulator as a child process for the VS Code lanes (scripts/lib/lanes.mjs imports this).
// Equivalent to: node --import tsx test/doubles/api-emulator/main.ts --port 0
// Resolves with { url, stop } once the child prints `API_EMULATOR_URL=http://127.0.0.1:<port>`.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

export function launchApiEmulator(args = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'main.ts'), '--port', '0', '--exit-on-stdin-close', ...args],
      { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the API emulator did not print its URL within 30 s'));
    }, 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API emulator exited with ${code} before it was ready`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const m = /API_EMULATOR_URL=(\S+)/.exec(buffer);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.resume();
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done(undefined);
          child.once('exit', () => done(undefined));
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        });
      resolvePromise({ url: m[1], stop });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await launchApiEmulator(process.argv.slice(2));
  console.log(url);
}
