// Temporary directories of a test file, removed once its tests are done: the slow lane's
// packaging tests install whole projects (1.3 GB for test/packaging/packaging.test.ts),
// and CI runs one after another on the same machine, whose disk they once filled.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Returns a function that makes a new directory under the OS temp dir, named
 * `ts-otel-<purpose>-…`; every directory it made is removed after the file's tests,
 * whatever their outcome. Call it at the top level of a test file.
 */
export function useTempDirs(): (purpose: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) {
      // Symbolic links inside (a linked node_modules) are removed, not followed.
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (purpose) => {
    const dir = mkdtempSync(join(tmpdir(), `ts-otel-${purpose}-`));
    made.push(dir);
    return dir;
  };
}
