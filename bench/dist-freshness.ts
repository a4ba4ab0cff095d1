// The bench measures the packages' dist/ (the runtime as users load it, the plugin as
// protoc runs it); a dist older than its sources would measure code that is gone.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

export function assertDistFresh(): void {
  const built = (path: string): number => statSync(join(repoRoot, path), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const stale = [
    { sources: ["packages/runtime/src"], output: "packages/runtime/dist/esm/index.js" },
    { sources: ["src", "templates"], output: "packages/protoc-gen-ts-otel/dist/protoc-gen-ts-otel.js" },
  ].filter(({ sources, output }) => Math.max(...sources.map((s) => newest(join(repoRoot, s)))) > built(output));
  if (stale.length > 0) {
    throw new Error(`${stale.map((s) => s.output).join(" and ")} older than the sources: run \`npm run build\` first (\`npm run bench\` does)`);
  }
}
