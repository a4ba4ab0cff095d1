// The CodeGeneratorRequests every plugin is timed on, built once per bench run from
// the googleapis protos of google-proto-files, as protoc would send them.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { corpusFiles } from "../../scripts/corpus.js";
import { repoRoot } from "../paths.js";

export type CorpusName = "small" | "cloud" | "compute";

export interface CodegenCorpus {
  readonly name: CorpusName;
  readonly label: string;
  /** The serialized CodeGeneratorRequest. */
  readonly requestPath: string;
  readonly requestBytes: number;
  readonly files: number;
  readonly services: number;
  readonly methods: number;
}

const COMPUTE = "google/cloud/compute/v1/compute.proto";

/** Every plugin gets the same parameter. */
export const PARAMETER = "target=ts";

const SMALL = "user/v1/user.proto";

const labels: Record<CorpusName, string> = {
  small: "small request (testdata user.proto)",
  cloud: "google/cloud/*/v1 minus compute",
  compute: "compute.proto",
};

/**
 * `small`: testdata's user.proto, the size of a request most runs see, where start-up
 * is everything; `cloud`: google/cloud/ * /v1/*.proto with services, minus compute (the
 * corpus CI type-checks); `compute`: compute.proto alone. `limit` keeps the first files
 * only (the smoke run).
 */
export function buildRequest(name: CorpusName, dir: string, limit?: number): CodegenCorpus {
  const all = name === "cloud" ? corpusFiles(true) : [name === "small" ? SMALL : COMPUTE];
  const files = limit === undefined ? all : all.slice(0, limit);
  const include = name === "small" ? join(repoRoot, "testdata/proto") : join(repoRoot, "node_modules/google-proto-files");
  const setPath = join(dir, `${name}.binpb`);
  execFileSync(
    join(repoRoot, "node_modules/.bin/protoc"),
    ["-I", include, "--include_imports", "--include_source_info", `--descriptor_set_out=${setPath}`, ...files],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const protoFile = fromBinary(FileDescriptorSetSchema, readFileSync(setPath)).file;
  const request = toBinary(CodeGeneratorRequestSchema, create(CodeGeneratorRequestSchema, { fileToGenerate: files, parameter: PARAMETER, protoFile }));
  const requestPath = join(dir, `${name}.request.binpb`);
  writeFileSync(requestPath, request);
  const generated = protoFile.filter((f) => files.includes(f.name));
  return {
    name,
    label: `${labels[name]}${limit === undefined ? "" : ` (first ${files.length} files)`}`,
    requestPath,
    requestBytes: request.length,
    files: files.length,
    services: generated.reduce((n, f) => n + f.service.length, 0),
    methods: generated.reduce((n, f) => n + f.service.reduce((m, s) => m + s.method.length, 0), 0),
  };
}
