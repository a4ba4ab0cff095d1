// The benchmark measures the built runtime (dist/cjs), as users run it; tsx would map
// protoc-gen-ts-otel/runtime to src if it read the root tsconfig's `paths`.
import { createRequire } from "node:module";

export function assertBuiltRuntime(): void {
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  const fromDist = loaded.some((path) => path.endsWith("/dist/cjs/index.js"));
  const fromSrc = loaded.some((path) => path.includes("/src/runtime/"));
  if (!fromDist || fromSrc) {
    throw new Error(
      "protoc-gen-ts-otel/runtime must resolve to dist/cjs: run under TSX_TSCONFIG_PATH=bench/tsconfig.json (bench/run.ts does)",
    );
  }
}
