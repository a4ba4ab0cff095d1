// The plugins the codegen benchmark compares, each run as protoc runs it: its own
// node process, the request on stdin, the response on stdout.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { benchDir, repoRoot } from "../paths.js";

export type PluginId = "ts-otel" | "connect-es-v1" | "es-v2";

export interface Plugin {
  readonly id: PluginId;
  readonly label: string;
  /** The executable script (run with this node). */
  readonly bin: string;
}

const vendorDir = join(benchDir, "codegen/vendor");

export const plugins: readonly Plugin[] = [
  { id: "ts-otel", label: "protoc-gen-ts-otel (ours)", bin: join(repoRoot, "packages/protoc-gen-ts-otel/bin/protoc-gen-ts-otel.js") },
  {
    id: "connect-es-v1",
    label: "protoc-gen-connect-es 1.7 (services only)",
    bin: join(vendorDir, "node_modules/@connectrpc/protoc-gen-connect-es/bin/protoc-gen-connect-es"),
  },
  { id: "es-v2", label: "protoc-gen-es 2 (messages)", bin: join(repoRoot, "node_modules/@bufbuild/protoc-gen-es/bin/protoc-gen-es") },
];

/**
 * protoc-gen-connect-es 1.x wants protoc-gen-es 1.x beside it, which the root's
 * protoc-gen-es 2 rules out: it lives in its own locked package, installed on first use.
 */
export function ensureVendorInstalled(log: (line: string) => void): void {
  const connect = plugins.find((p) => p.id === "connect-es-v1");
  if (connect !== undefined && !existsSync(connect.bin)) {
    log("installing bench/codegen/vendor (protoc-gen-connect-es 1.x) with npm ci");
    execFileSync("npm", ["ci", "--prefix", vendorDir, "--no-audit", "--no-fund"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  }
}
