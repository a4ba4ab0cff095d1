import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The slow lane: tests that run something as a process (peers on both ends of a call,
 * npm, protoc and buf with the built plugin, Python, Prometheus and promtool, the corpus
 * and the bench). Every other test file is in the fast lane, so none can be in neither.
 */
const SLOW_LANE = ["test/cross-process/**/*.test.ts", "test/ops/**/*.test.ts", "test/packaging/**/*.test.ts", "test/e2e/**/*.test.ts"];

export default defineConfig({
  resolve: {
    alias: {
      // Tests and goldens run against the runtime's source, not a build of it.
      "protoc-gen-ts-otel-runtime": fileURLToPath(new URL("./packages/runtime/src/index.ts", import.meta.url)),
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "fast",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...SLOW_LANE],
          // In-process files, one per core: vitest's default leaves one core to itself.
          maxWorkers: "100%",
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "slow", include: SLOW_LANE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
