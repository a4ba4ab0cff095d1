import { spawnSync } from "node:child_process";
import type { SpawnSyncOptions } from "node:child_process";

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and returns its exit status and output; never throws on failure. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions & { input?: string | Buffer } = {}): RunResult {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 120_000, ...options });
  if (result.error !== undefined) {
    throw result.error;
  }
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}
