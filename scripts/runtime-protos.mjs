// Regenerates the protobuf-es code the runtime ships for protocols it speaks itself:
// server reflection (from the .proto files of @grpc/reflection) and the rich error
// model, google.rpc.Status and its detail messages (from google-proto-files). Runs the
// workspace's protoc and protoc-gen-es, so the output depends only on the lockfile.
//
//   node scripts/runtime-protos.mjs           rewrites the generated files
//   node scripts/runtime-protos.mjs --check   fails if a committed file differs from fresh output
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Each output directory of the runtime, with the proto root and files it is generated from. */
const RUNTIME_PROTOS = [
  {
    out: "packages/runtime/src/reflection/gen",
    include: "node_modules/@grpc/reflection/build/proto",
    files: ["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"],
  },
  {
    out: "packages/runtime/src/error-details/gen",
    include: "node_modules/google-proto-files",
    files: ["google/rpc/status.proto", "google/rpc/error_details.proto"],
  },
];

function generate(out, { include, files }) {
  mkdirSync(out, { recursive: true });
  execFileSync(
    join(root, "node_modules/.bin/protoc"),
    [
      `-I${join(root, include)}`,
      `--plugin=protoc-gen-es=${join(root, "node_modules/.bin/protoc-gen-es")}`,
      `--es_out=${out}`,
      "--es_opt=target=ts,import_extension=js",
      ...files,
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
}

function generatedFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith("_pb.ts"))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const check = process.argv.includes("--check");
const stale = [];
for (const spec of RUNTIME_PROTOS) {
  const committed = join(root, spec.out);
  if (!check) {
    generate(committed, spec);
    continue;
  }
  const fresh = mkdtempSync(join(tmpdir(), "runtime-protos-"));
  try {
    generate(fresh, spec);
    const names = new Set([...generatedFiles(fresh), ...generatedFiles(committed)]);
    for (const name of names) {
      let same = false;
      try {
        same = readFileSync(join(fresh, name), "utf8") === readFileSync(join(committed, name), "utf8");
      } catch {
        same = false;
      }
      if (!same) stale.push(join(spec.out, name));
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
if (stale.length > 0) {
  console.error(`runtime-protos: stale generated files (run node scripts/runtime-protos.mjs):\n  ${stale.join("\n  ")}`);
  process.exit(1);
}
