// The packed runtime with each end of its peers' declared ranges, as `npm install`
// gets them from the registry on this Node: the floor of each range, and the newest
// version npm picks for the range (npm prefers versions whose `engines` accept the
// running Node, so on Node 20 that is the newest that runs on Node 20). For each
// combination the packed generator and the matching protoc-gen-es generate
// user.v1.UserService, tsc compiles it with the app in peer-app/ under strict settings
// against the installed declarations, and the app serves and calls every kind of
// method over 127.0.0.1 with `createServer()` and with `new Server()`, asserting a span
// per call on each side and, when prom-client is there, its handled counters.
//
// Combinations: every peer at its floor together, every peer at its newest together,
// and the newest without prom-client; prom-client is thereby absent, at 14.0.0 and
// at the newest 15. The peers meet only through the runtime, so the cross product
// would mostly repeat these. protoc-gen-es pins @bufbuild/protobuf to its own version,
// so the two move together. The OpenTelemetry SDK is not a peer: the app takes the
// SDK line that runs on Node 20 (sdk-trace-base 2.x), whose peer range stops
// @opentelemetry/api below 1.10; the SDKs that accept 1.10 need Node 22.15.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATOR, RUNTIME, cleanEnv, npmProject, packWorkingTree, packageDirs, sh, strictConsumerOptions } from "../support/npm-project.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import type { RunResult } from "../support/run.js";
import { SERVERS } from "./peer-app/serve-and-call.js";
import type { AppReport } from "./peer-app/serve-and-call.js";
import { useTempDirs } from "../support/temp-dirs.js";

const GRPC = "@grpc/grpc-js";
const PROTOBUF = "@bufbuild/protobuf";
const PROTOC_GEN_ES = "@bufbuild/protoc-gen-es";
const API = "@opentelemetry/api";
const PROM_CLIENT = "prom-client";
/** The SDK line that runs on Node 20; the app takes spans from its in-memory exporter. */
const SDK = "@opentelemetry/sdk-trace-base@^2";

const peerRanges = (JSON.parse(readFileSync(join(repoRoot, packageDirs[RUNTIME], "package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies;

function declaredRange(name: string): string {
  const range = peerRanges[name];
  if (range === undefined) throw new Error(`the runtime declares no peer ${name}`);
  return range;
}

/** The lowest version a range admits: `^1.10.0` → 1.10.0, `>=14 <16` → 14.0.0. */
function floorOf(range: string): string {
  const lower = /^(?:\^|>=\s*)(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\s+<\s*\d+(?:\.\d+){0,2})?$/.exec(range.trim());
  if (lower === null) throw new Error(`cannot tell the floor of the range "${range}"; teach floorOf`);
  return [lower[1], lower[2] ?? "0", lower[3] ?? "0"].join(".");
}

type End = "floor" | "newest";

/** What npm is asked for, for an end of `name`'s range: the floor exactly, or the range (npm takes its newest). */
function versionSpec(name: string, end: End): string {
  return end === "floor" ? floorOf(declaredRange(name)) : declaredRange(name);
}

interface Combination {
  readonly name: string;
  readonly grpc: End;
  /** @bufbuild/protobuf, and protoc-gen-es of the same version. */
  readonly protobuf: End;
  readonly api: End;
  readonly promClient: End | "absent";
}

const combinations: readonly Combination[] = [
  { name: "every peer at its floor", grpc: "floor", protobuf: "floor", api: "floor", promClient: "floor" },
  { name: "every peer at its newest", grpc: "newest", protobuf: "newest", api: "newest", promClient: "newest" },
  { name: "every peer at its newest, prom-client absent", grpc: "newest", protobuf: "newest", api: "newest", promClient: "absent" },
];

function installedVersion(project: string, name: string): string {
  return (JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** The method of each call the app makes. */
const CALLED = ["BatchCreateUsers", "GetUser", "GetUser", "ListUsers", "StreamUserUpdates"];
const expectedReplies: AppReport["replies"] = { getUser: "Ada", getMissingUser: "NOT_FOUND USER_MISSING", listUsers: ["user-1", "user-2", "user-3"], batchCreateUsers: 2, streamUserUpdates: [true, false] };
const expectedSpans = ["client", "server"].flatMap((kind) => CALLED.map((method) => `${kind} user.v1.UserService/${method}`));
const expectedHandled = Object.fromEntries(
  ["server", "client"].flatMap((side) => ["GetUser OK", "GetUser NotFound", "ListUsers OK", "BatchCreateUsers OK", "StreamUserUpdates OK"].map((series) => [`${side} ${series}`, 1])),
);

let work: string;
let tarballs: Record<string, string>;
/** The packed generator (and the TypeScript it depends on), shared by every combination. */
let tools: string;

const tempDir = useTempDirs();

beforeAll(() => {
  work = tempDir("peer-ranges");
  tarballs = packWorkingTree(work);
  tools = npmProject(join(work, "tools"), { name: "tools", private: true });
  sh("npm", ["install", tarballs[GENERATOR] ?? ""], tools);
}, 300_000);

describe.each(combinations)("$name", (combination) => {
  const project = (): string => join(work, combination.name.replace(/\W+/g, "-"));
  const withPromClient = combination.promClient !== "absent";
  const main = withPromClient ? "with-prom-client" : "without-prom-client";
  let installLog = "";
  let compiled: RunResult;

  beforeAll(() => {
    const dir = npmProject(project(), { name: "peer-app", private: true, type: "module" });
    mkdirSync(join(dir, "src/gen"), { recursive: true });
    // protoc-gen-es first: its version decides @bufbuild/protobuf's, which it pins.
    installLog += sh("npm", ["install", "--save-dev", `${PROTOC_GEN_ES}@${versionSpec(PROTOBUF, combination.protobuf)}`], dir).stderr;
    const peers = [
      tarballs[RUNTIME] ?? "",
      `${PROTOBUF}@${installedVersion(dir, PROTOC_GEN_ES)}`,
      `${GRPC}@${versionSpec(GRPC, combination.grpc)}`,
      `${API}@${versionSpec(API, combination.api)}`,
      SDK,
      ...(combination.promClient === "absent" ? [] : [`${PROM_CLIENT}@${versionSpec(PROM_CLIENT, combination.promClient)}`]),
    ];
    installLog += sh("npm", ["install", ...peers], dir).stderr;

    const plugin = (name: string, bin: string): string => `--plugin=protoc-gen-${name}=${bin}`;
    sh(
      join(repoRoot, "node_modules/.bin/protoc"),
      [
        "-I",
        join(repoRoot, "testdata/proto"),
        plugin("es", join(dir, "node_modules/.bin/protoc-gen-es")),
        "--es_out=src/gen",
        "--es_opt=target=ts,import_extension=js",
        plugin("ts-otel", join(tools, "node_modules/.bin/protoc-gen-ts-otel")),
        "--ts-otel_out=src/gen",
        "--ts-otel_opt=target=ts,import_extension=js",
        "user/v1/user.proto",
      ],
      dir,
    );
    // The app, with the golden it imports in the repository replaced by what was just generated.
    const appDir = join(repoRoot, "test/packaging/peer-app");
    const golden = '"../../../golden/user/user/v1/';
    const core = readFileSync(join(appDir, "serve-and-call.ts"), "utf8");
    if (!core.includes(golden)) throw new Error(`peer-app/serve-and-call.ts no longer imports from ${golden}`);
    writeFileSync(join(dir, "src/serve-and-call.ts"), core.replaceAll(golden, '"./gen/user/v1/'));
    cpSync(join(appDir, `${main}.ts`), join(dir, `src/${main}.ts`));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...strictConsumerOptions,
          module: "nodenext",
          moduleResolution: "nodenext",
          rootDir: "src",
          outDir: "dist",
        },
        files: [`src/${main}.ts`],
      }),
    );
    // Emits dist/ whatever it finds, so that a type error does not hide how the app runs.
    compiled = run(process.execPath, [join(tools, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: dir, env: cleanEnv, timeout: 180_000 });
  }, 600_000);

  it("installs from the registry with no peer or engine conflict", () => {
    const versions = Object.fromEntries([GRPC, PROTOBUF, PROTOC_GEN_ES, API, PROM_CLIENT].map((name) => [name, withPromClient || name !== PROM_CLIENT ? installedVersion(project(), name) : "absent"]));
    console.log(`${combination.name}: ${JSON.stringify(versions)}`);
    for (const [name, end] of [[GRPC, combination.grpc], [PROTOBUF, combination.protobuf], [API, combination.api], [PROM_CLIENT, combination.promClient]] as const) {
      if (end === "floor") expect(versions[name], name).toBe(floorOf(declaredRange(name)));
    }
    expect(installLog).not.toMatch(/ERESOLVE|EBADENGINE/);
  });

  it("type-checks the generated code and the app against the installed declarations", () => {
    expect(compiled.stdout + compiled.stderr).toBe("");
    expect(compiled.status).toBe(0);
  });

  it.each(SERVERS)("serves with %s and calls every kind, a span per call on each side", (server) => {
    const app = run(process.execPath, [`dist/${main}.js`, server], { cwd: project(), env: cleanEnv, timeout: 60_000 });
    expect(app.status, app.stderr).toBe(0);
    const report = JSON.parse(app.stdout) as AppReport & { handled?: Record<string, number> };
    expect(report).toEqual({ server, replies: expectedReplies, spans: expectedSpans.toSorted(), ...(withPromClient ? { handled: expectedHandled } : {}) });
    if (withPromClient) {
      expect(app.stderr).toBe("");
    } else {
      expect(app.stderr.trim().split("\n")).toEqual([expect.stringMatching(/prom-client could not be loaded, so there are no Prometheus metrics/)]);
    }
  }, 60_000);
});
