import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { CodeGeneratorRequest, FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { repoRoot } from "./paths.js";

let cached: FileDescriptorSet | undefined;

/** The descriptor set of every test proto, built by the real `buf` (with source info, for comments). */
export function testDescriptorSet(): FileDescriptorSet {
  if (cached === undefined) {
    // Read from stdout, so there is no file to clean up; 143 KB today, under a limit raised from execFileSync's default 1 MiB.
    const bytes = execFileSync(join(repoRoot, "node_modules/.bin/buf"), ["build", "--as-file-descriptor-set", "-o", "-#format=binpb"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
    cached = fromBinary(FileDescriptorSetSchema, bytes);
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
