// The benchmark measures the built runtime (packages/runtime/dist), as users run it;
// tsx would map protoc-gen-ts-otel-runtime to its sources if it read the root
// tsconfig's `paths`.
import { fileURLToPath } from "node:url";

export function assertBuiltRuntime(): void {
  const resolved = fileURLToPath(import.meta.resolve("protoc-gen-ts-otel-runtime"));
  if (!/[\\/]packages[\\/]runtime[\\/]dist[\\/]esm[\\/]index\.js$/.test(resolved)) {
    throw new Error(
      `protoc-gen-ts-otel-runtime resolves to ${resolved}, not its build: run under TSX_TSCONFIG_PATH=bench/tsconfig.json (bench/run.ts does)`,
    );
  }
}
