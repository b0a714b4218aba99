// Bundles the extension (one file, `vscode` external) and, separately, what loads lazily:
// the KQL language server (its own process) and the results-grid webview script.
import * as esbuild from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// A production build starts clean so no development sourcemap is packaged.
if (production) rmSync('dist', { recursive: true, force: true });

/** Entry points that exist; features add theirs here. */
const targets = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    entryPoints: ['src/kql/server/main.ts'],
    outfile: 'dist/kqlServer.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // vscode-languageclient, required by src/kqlClient only when the first KQL document opens.
    entryPoints: ['src/kqlClient/languageClient.ts'],
    outfile: 'dist/kqlClient.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // Loaded on the first hunting run or panel restore (src/hunting/index.ts).
    entryPoints: ['src/hunting/engine.ts'],
    outfile: 'dist/hunting.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // The performance analyzer (issue #9), loaded on its first command (src/device/diagnostics.ts).
    entryPoints: ['src/device/performance.ts'],
    outfile: 'dist/performance.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // The performance report webview, with Chart.js bundled in.
    entryPoints: ['src/webview-ui/report/main.ts'],
    outfile: 'dist/webview/report.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    entryPoints: ['src/webview-ui/results/main.ts'],
    outfile: 'dist/webview/results.js',
    platform: 'browser',
    format: 'iife',
  },
].filter((t) => existsSync(t.entryPoints[0]));

const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const contexts = await Promise.all(
  targets.map((t) =>
    esbuild.context({
      bundle: true,
      minify: production,
      sourcemap: !production,
      sourcesContent: false,
      target: 'es2022',
      keepNames: true,
      logLevel: 'silent',
      metafile: true,
      plugins: [problemMatcher],
      ...t,
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  let failed = false;
  for (const ctx of contexts) {
    try {
      await ctx.rebuild();
    } catch {
      failed = true;
    }
    await ctx.dispose();
  }
  if (failed) process.exit(1);
}
