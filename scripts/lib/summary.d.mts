export interface LaneResult {
  passed: number;
  failed: number;
  skipped?: number;
}
export function summarize(
  lanes: readonly string[],
  results: Readonly<Record<string, LaneResult | undefined>>,
  problems?: readonly string[],
): { passed: number; failed: number; skipped: number; line: string; problems: string[]; exitCode: number };
