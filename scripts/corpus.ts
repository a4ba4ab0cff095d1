// Generates every googleapis proto with services (npm package google-proto-files) with
// protoc-gen-es and protoc-gen-ts-otel, then type-checks the output under the strictest
// settings. `npm run corpus` runs the whole set; `--subset` runs google/cloud/*/v1 (minus
// compute), which CI runs through test/e2e/corpus.test.ts.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { protocGenEs } from "@bufbuild/protoc-gen-es/dist/cjs/src/protoc-gen-es-plugin.js";
import { plugin } from "../src/plugin.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const corpusRoot = join(repoRoot, "node_modules/google-proto-files");

/** What a corpus run did. */
export interface CorpusResult {
  protoFiles: number;
  services: number;
  methods: number;
  generatedFiles: number;
  /** Diagnostics from the strict type-check, as `file:line: message`. */
  diagnostics: string[];
  /** protoc-gen-ts-otel alone, in-process, on the files with services. */
  generateSeconds: number;
  typecheckSeconds: number;
}

/** The googleapis files with services: all of them, or the google/cloud/ * /v1 subset. */
export function corpusFiles(subset: boolean): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith(".proto") && /^service \w+/m.test(readFileSync(path, "utf8"))) {
        files.push(relative(corpusRoot, path));
      }
    }
  };
  walk(join(corpusRoot, "google"));
  const chosen = subset
    ? files.filter((f) => /^google\/cloud\/[^/]+\/v1\/[^/]+\.proto$/.test(f) && !f.startsWith("google/cloud/compute/"))
    : files;
  return chosen.sort();
}

export function runCorpus(files: readonly string[], outDir: string): CorpusResult {
  const set = join(outDir, "corpus.binpb");
  execFileSync(
    join(repoRoot, "node_modules/.bin/protoc"),
    ["-I", corpusRoot, "--include_imports", "--include_source_info", `--descriptor_set_out=${set}`, ...files],
    { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 },
  );
  const protoFile = fromBinary(FileDescriptorSetSchema, readFileSync(set)).file;
  const generated = protoFile.filter((f) => files.includes(f.name));
  const parameter = "target=ts,import_extension=js";
  const gen = join(outDir, "gen");
  const write = (response: ReturnType<typeof plugin.run>, name: string): number => {
    if (response.error !== "") {
      throw new Error(`${name}: ${response.error}`);
    }
    for (const file of response.file) {
      mkdirSync(dirname(join(gen, file.name)), { recursive: true });
      writeFileSync(join(gen, file.name), file.content);
    }
    return response.file.length;
  };
  // protoc-gen-es generates every file the services need (well-known types come from
  // @bufbuild/protobuf); protoc-gen-ts-otel the files with services.
  const dependencies = protoFile.map((f) => f.name).filter((name) => !name.startsWith("google/protobuf/"));
  write(protocGenEs.run(create(CodeGeneratorRequestSchema, { fileToGenerate: dependencies, parameter, protoFile })), "protoc-gen-es");
  const started = performance.now();
  const response = plugin.run(create(CodeGeneratorRequestSchema, { fileToGenerate: [...files], parameter, protoFile }));
  const generateSeconds = (performance.now() - started) / 1000;
  const generatedFiles = write(response, "protoc-gen-ts-otel");
  const typecheckStarted = performance.now();
  const diagnostics = typecheck(outDir);
  return {
    protoFiles: files.length,
    services: generated.reduce((n, f) => n + f.service.length, 0),
    methods: generated.reduce((n, f) => n + f.service.reduce((m, s) => m + s.method.length, 0), 0),
    generatedFiles,
    diagnostics,
    generateSeconds,
    typecheckSeconds: (performance.now() - typecheckStarted) / 1000,
  };
}

// A consumer package under node_modules/.cache, so dependencies resolve as they do for
// a user, with protoc-gen-ts-otel linked in; checked with the real tsc.
function typecheck(outDir: string): string[] {
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        target: "ES2022",
        module: "NodeNext",
        types: [],
        noEmit: true,
      },
      // Our files pull in the protoc-gen-es files they import.
      include: ["gen/**/*_otel.ts"],
    }),
  );
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  try {
    execFileSync(process.execPath, ["--max-old-space-size=6144", tsc, "-p", outDir], { stdio: "pipe", maxBuffer: 256 << 20 });
    return [];
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
    return out.split("\n").filter((line) => line.includes("error TS"));
  }
}

/** A scratch directory where the output resolves protoc-gen-ts-otel like an installed package. */
export function corpusWorkDir(): string {
  const base = join(repoRoot, "node_modules/.cache/ts-otel-corpus");
  mkdirSync(join(base, "node_modules"), { recursive: true });
  rmSync(join(base, "node_modules/protoc-gen-ts-otel"), { force: true });
  execFileSync("ln", ["-sfn", repoRoot, join(base, "node_modules/protoc-gen-ts-otel")]);
  return mkdtempSync(join(base, "run-"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const subset = process.argv.includes("--subset");
  const dir = corpusWorkDir();
  const result = runCorpus(corpusFiles(subset), dir);
  console.log(JSON.stringify({ ...result, diagnostics: result.diagnostics.slice(0, 20), diagnosticCount: result.diagnostics.length }, null, 2));
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = result.diagnostics.length === 0 ? 0 : 1;
}
