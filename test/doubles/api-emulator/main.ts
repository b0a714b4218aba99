/**
 * Starts the API emulator from the command line:
 *
 *   npx tsx test/doubles/api-emulator/main.ts [--port 0] [--url-file <path>] [--hunting-per-minute 45]
 *        [--machines-per-minute 100] [--machines 40] [--max-rows 100000] [--required-token <t>] [--verbose]
 *
 * The first line on stdout is `API_EMULATOR_URL=http://127.0.0.1:<port>`; with --url-file the URL is also
 * written to that file. It stops on SIGINT/SIGTERM or when stdin closes (so a parent that dies takes it along,
 * when started with stdin piped).
 */
import { writeFileSync } from 'node:fs';
import { startApiEmulator, type EmulatorOptions } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string) => (arg(name) !== undefined ? Number(arg(name)) : undefined);

async function main(): Promise<void> {
  const options: EmulatorOptions = {
    port: num('port') ?? 0,
    huntingPerMinute: num('hunting-per-minute'),
    machinesPerMinute: num('machines-per-minute'),
    maxRows: num('max-rows'),
    requiredToken: arg('required-token'),
    dataset: { machines: num('machines') },
    log: process.argv.includes('--verbose') ? (line) => process.stderr.write(`[api-emulator] ${line}\n`) : undefined,
  };
  const emulator = await startApiEmulator(options);
  process.stdout.write(`API_EMULATOR_URL=${emulator.url}\n`);
  const urlFile = arg('url-file');
  if (urlFile) writeFileSync(urlFile, emulator.url);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.argv.includes('--exit-on-stdin-close')) process.stdin.on('end', stop).resume();
}

void main().catch((err) => {
  process.stderr.write(`api-emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
