import * as vscode from 'vscode';

/**
 * Loaded as extensionTestsPath by scripts/bench.mjs in a fresh VS Code: activates the extension once and
 * reports how long `activate()` took (module load included) and what activate() measured itself.
 */
export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<{ activatedInMs: number; activationTimings: Record<string, number> }>('defender-tools.defender-troubleshooting');
  if (!ext) throw new Error('extension not found');
  if (ext.isActive) throw new Error('extension was already active: the measurement would be wrong');
  // Let the fresh extension host finish its own start-up first, so the number is our code loading and
  // activating (still cold: the module has never been loaded in this process), not contention with the workbench.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  if (ext.isActive) throw new Error('extension was activated while settling: the measurement would be wrong');
  const t0 = performance.now();
  const api = await ext.activate();
  const total = performance.now() - t0;
  console.log(`@@BENCH ${JSON.stringify({ activateCallMs: total, insideActivateMs: api.activatedInMs, features: api.activationTimings })}`);
}
