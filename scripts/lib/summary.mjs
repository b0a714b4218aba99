// The final line of `npm test`: `N passed, N failed[, N skipped]`. A lane that was asked for but did not report a
// result (it could not start, its build failed, it crashed) counts as one failed test, so the line never says
// "0 failed" while a lane did not run.

/**
 * @param {readonly string[]} lanes the lanes asked for
 * @param {Readonly<Record<string, {passed:number, failed:number, skipped?:number}|undefined>>} results per lane
 * @param {readonly string[]} problems messages so far (lanes that exited non-zero…)
 * @returns {{ passed: number, failed: number, skipped: number, line: string, problems: string[], exitCode: number }}
 */
export function summarize(lanes, results, problems = []) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const all = [...problems];
  for (const lane of lanes) {
    const r = results[lane];
    if (!r) {
      totals.failed += 1;
      if (!all.some((p) => p.startsWith(`${lane}:`))) all.push(`${lane}: the lane did not run or did not report a result`);
      continue;
    }
    totals.passed += r.passed;
    totals.failed += r.failed;
    totals.skipped += r.skipped ?? 0;
  }
  const line = `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
  return { ...totals, line, problems: all, exitCode: totals.failed > 0 || all.length > 0 ? 1 : 0 };
}
