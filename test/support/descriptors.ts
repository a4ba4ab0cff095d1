import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { repoRoot } from "./paths.js";

let cached: FileDescriptorSet | undefined;

/** The descriptor set of every test proto, built by the real `buf` (with source info, for comments). */
export function testDescriptorSet(): FileDescriptorSet {
  if (cached === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "ts-otel-descriptors-"));
    const out = join(dir, "testdata.binpb");
    try {
      execFileSync(join(repoRoot, "node_modules/.bin/buf"), ["build", "--as-file-descriptor-set", "-o", out], {
        cwd: repoRoot,
        stdio: ["ignore", "ignore", "inherit"],
      });
      cached = fromBinary(FileDescriptorSetSchema, readFileSync(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return cached;
}

/** A request as protoc or buf would send it for these files and this parameter. */
export function codeGeneratorRequest(files: readonly string[], parameter: string): CodeGeneratorRequest {
  return create(CodeGeneratorRequestSchema, {
    fileToGenerate: [...files],
    parameter,
    protoFile: testDescriptorSet().file,
  });
}
