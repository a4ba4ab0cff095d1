// Runs Debian's promtool, the checker Prometheus ships, on rule files and rule tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const PROMTOOL = "/usr/bin/promtool";

export interface PromtoolRun {
  readonly status: number | null;
  /** stdout and stderr together, as promtool spreads its report over both. */
  readonly output: string;
}

/**
 * Bounds for tests that run promtool: it evaluates days of series in one synchronous
 * run, CPU work that takes several times longer when every core is busy (not a wait).
 */
export const PROMTOOL_BOUNDS = { timeout: 180_000 };

export function promtool(args: readonly string[], cwd?: string): PromtoolRun {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} is missing: run \`node scripts/system-deps.mjs\` (npm test does)`);
  }
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (run.error !== undefined) {
    throw run.error;
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
