import { readFileSync } from "node:fs";
import { join } from "node:path";
import { protocGenEs } from "@bufbuild/protoc-gen-es/dist/cjs/src/protoc-gen-es-plugin.js";
import { plugin } from "../../src/plugin.js";
import { codeGeneratorRequest } from "./descriptors.js";
import { repoRoot } from "./paths.js";

/** A golden case: proto files and the parameter both plugins run with. */
export interface GoldenCase {
  name: string;
  about: string;
  files: string[];
  parameter: string;
}

export const goldenCases: readonly GoldenCase[] = JSON.parse(
  readFileSync(join(repoRoot, "testdata/cases.json"), "utf8"),
) as GoldenCase[];

// Our own parameters, which protoc-gen-es does not take.
const ownParameters = new Set(["runtime_import", "slo", "slo_buckets"]);

/**
 * What `buf generate` with protoc-gen-es and protoc-gen-ts-otel writes for a case:
 * file name → content, both plugins run in-process on a real descriptor set.
 */
export function generateCase(c: GoldenCase): Map<string, string> {
  const esParameter = c.parameter
    .split(",")
    .filter((p) => !ownParameters.has(p.split("=")[0] ?? ""))
    .join(",");
  const out = new Map<string, string>();
  for (const [p, parameter] of [
    [protocGenEs, esParameter],
    [plugin, c.parameter],
  ] as const) {
    const response = p.run(codeGeneratorRequest(c.files, parameter));
    if (response.error !== "") {
      throw new Error(`${p.name} failed on case ${c.name}: ${response.error}`);
    }
    for (const file of response.file) {
      out.set(file.name, file.content);
    }
  }
  return out;
}
