import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { goldenCases } from "./support/cases.js";
import { repoRoot } from "./support/paths.js";
import { run } from "./support/run.js";
import { readTree } from "./support/tree.js";

// The built executable driven by the real tools, as a user runs it.
const pluginBin = join(repoRoot, "bin/protoc-gen-ts-otel.js");
const esBin = join(repoRoot, "node_modules/.bin/protoc-gen-es");
const buf = join(repoRoot, "node_modules/.bin/buf");
const protoc = join(repoRoot, "node_modules/.bin/protoc");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

function goldenCase(name: string): { files: string[]; parameter: string } {
  const c = goldenCases.find((g) => g.name === name);
  if (c === undefined) throw new Error(`no golden case ${name}`);
  return c;
}

beforeAll(() => {
  const version = run(process.execPath, [pluginBin, "--version"]);
  if (version.status !== 0) {
    throw new Error(`the plugin is not built (npm run build): ${version.stderr}`);
  }
});

describe("buf generate", () => {
  it("with protoc-gen-es beside it, writes exactly golden/user", () => {
    const out = mkdtempSync(join(tmpdir(), "ts-otel-buf-"));
    const { parameter } = goldenCase("user");
    const template = join(out, "buf.gen.yaml");
    const opts = parameter.split(",").map((o) => `      - ${o}`).join("\n");
    writeFileSync(
      template,
      [
        "version: v2",
        "plugins:",
        `  - local: ${esBin}`,
        `    out: ${join(out, "gen")}`,
        "    opt:",
        opts,
        `  - local: ${pluginBin}`,
        `    out: ${join(out, "gen")}`,
        "    opt:",
        opts,
        "",
      ].join("\n"),
    );
    const result = run(buf, ["generate", "--template", template, "--path", "testdata/proto/user/v1/user.proto"], { cwd: repoRoot });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readTree(join(out, "gen"))).toEqual(readTree(join(repoRoot, "golden/user")));
  });
});

describe("protoc", () => {
  function protocGenerate(name: string): { out: string; result: ReturnType<typeof run> } {
    const out = mkdtempSync(join(tmpdir(), "ts-otel-protoc-"));
    const { files, parameter } = goldenCase(name);
    const result = run(
      protoc,
      [
        "-I",
        "testdata/proto",
        "-I",
        "proto",
        `--plugin=protoc-gen-es=${esBin}`,
        `--es_out=${out}`,
        `--es_opt=${parameter}`,
        `--plugin=protoc-gen-ts-otel=${pluginBin}`,
        `--ts-otel_out=${out}`,
        `--ts-otel_opt=${parameter}`,
        ...files,
      ],
      { cwd: repoRoot },
    );
    return { out, result };
  }

  it.each(["user", "edge", "legacy_commonjs"])("via --ts-otel_out and --ts-otel_opt, writes exactly golden/%s", (name) => {
    const { out, result } = protocGenerate(name);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readTree(out)).toEqual(readTree(join(repoRoot, "golden", name)));
  });

  it("reports a bad parameter as one clear line and fails", () => {
    const out = mkdtempSync(join(tmpdir(), "ts-otel-protoc-"));
    const result = run(
      protoc,
      ["-I", "testdata/proto", `--plugin=protoc-gen-ts-otel=${pluginBin}`, `--ts-otel_out=${out}`, "--ts-otel_opt=target=ts,colour=blue", "user/v1/user.proto"],
      { cwd: repoRoot },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('invalid option "colour=blue": unknown parameter');
    expect(result.stderr).toContain("runtime_import");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the generated code, compiled with tsc, serves a call", () => {
  it("over a real socket", () => {
    // A consumer package inside node_modules/.cache so that dependencies resolve by
    // walking up, with protoc-gen-ts-otel linked in the way npm installs it.
    const base = join(repoRoot, "node_modules/.cache/ts-otel-e2e");
    mkdirSync(join(base, "node_modules"), { recursive: true });
    run("ln", ["-sfn", repoRoot, join(base, "node_modules/protoc-gen-ts-otel")]);
    const app = mkdtempSync(join(base, "app-"));
    mkdirSync(join(app, "src/gen"), { recursive: true });
    const { parameter } = goldenCase("user");
    const generate = run(
      protoc,
      [
        "-I",
        "testdata/proto",
        `--plugin=protoc-gen-es=${esBin}`,
        `--es_out=${join(app, "src/gen")}`,
        `--es_opt=${parameter}`,
        `--plugin=protoc-gen-ts-otel=${pluginBin}`,
        `--ts-otel_out=${join(app, "src/gen")}`,
        `--ts-otel_opt=${parameter}`,
        "user/v1/user.proto",
      ],
      { cwd: repoRoot },
    );
    expect(generate.stderr).toBe("");
    writeFileSync(join(app, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          target: "ES2022",
          module: "NodeNext",
          types: ["node"],
          typeRoots: [join(repoRoot, "node_modules/@types")],
          outDir: "dist",
          rootDir: "src",
        },
        include: ["src"],
      }),
    );
    writeFileSync(
      join(app, "src/main.ts"),
      `import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { Code, RpcError } from "protoc-gen-ts-otel/runtime";
import { UserServiceClient, addUserService } from "./gen/user/v1/user_otel.js";

const server = new Server();
addUserService(server, {
  getUser(request) {
    if (request.userId !== 7) throw new RpcError(Code.NOT_FOUND, "no user " + request.userId);
    return { userId: 7, name: "Ada" };
  },
  createUser: (request) => ({ userId: 1, name: request.name }),
  async *listUsers() {},
  async batchCreateUsers() {
    return { createdCount: 0 };
  },
  async *streamUserUpdates() {},
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
);
const client = new UserServiceClient(\`127.0.0.1:\${port}\`, credentials.createInsecure());
const user = await client.getUser({ userId: 7 });
const missing = await client.getUser({ userId: 8 }).catch((err: unknown) => RpcError.from(err));
console.log(JSON.stringify({ name: user.name, missing: missing instanceof RpcError ? Code[missing.code] : "none" }));
client.close();
server.forceShutdown();
`,
    );
    const compiled = run(process.execPath, [tsc, "-p", app]);
    expect(compiled.stdout + compiled.stderr).toBe("");
    const served = run(process.execPath, [join(app, "dist/main.js")]);
    expect(served.stderr).toBe("");
    expect(JSON.parse(served.stdout)).toEqual({ name: "Ada", missing: "NOT_FOUND" });
  });
});

describe("the options proto, imported from the installed package", () => {
  function consumer(): string {
    const base = join(repoRoot, "node_modules/.cache/ts-otel-e2e");
    const dir = mkdtempSync(join(base, "options-"));
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    run("ln", ["-sfn", repoRoot, join(dir, "node_modules/protoc-gen-ts-otel")]);
    mkdirSync(join(dir, "proto/shop/v1"), { recursive: true });
    writeFileSync(join(dir, "proto/shop/v1/orders.proto"), readFileSync(join(repoRoot, "testdata/proto/shop/v1/orders.proto")));
    mkdirSync(join(dir, "gen"));
    return dir;
  }
  const expected = ["shop/v1/orders_otel.ts", "shop/v1/orders_pb.ts", "tsotel/v1/options_pb.ts"];

  it("resolves with protoc -I node_modules/protoc-gen-ts-otel/proto", () => {
    const dir = consumer();
    const result = run(
      protoc,
      [
        "-I",
        "proto",
        "-I",
        "node_modules/protoc-gen-ts-otel/proto",
        `--plugin=protoc-gen-es=${esBin}`,
        "--es_out=gen",
        "--es_opt=target=ts,import_extension=js",
        `--plugin=protoc-gen-ts-otel=${pluginBin}`,
        "--ts-otel_out=gen",
        "--ts-otel_opt=target=ts,import_extension=js",
        "shop/v1/orders.proto",
        "tsotel/v1/options.proto",
      ],
      { cwd: dir },
    );
    expect(result.stderr).toBe("");
    expect([...readTree(join(dir, "gen")).keys()]).toEqual(expected);
  });

  it("resolves as a module of a buf workspace", () => {
    const dir = consumer();
    writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n  - path: node_modules/protoc-gen-ts-otel/proto\n");
    writeFileSync(
      join(dir, "buf.gen.yaml"),
      ["version: v2", "plugins:", `  - local: ${esBin}`, "    out: gen", "    opt: [target=ts, import_extension=js]", `  - local: ${pluginBin}`, "    out: gen", "    opt: [target=ts, import_extension=js]", ""].join("\n"),
    );
    const result = run(buf, ["generate"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect([...readTree(join(dir, "gen")).keys()]).toEqual(expected);
    expect(readTree(join(dir, "gen")).get("shop/v1/orders_otel.ts")).toBe(
      readFileSync(join(repoRoot, "golden/options/shop/v1/orders_otel.ts"), "utf8"),
    );
  });
});

describe("the executable", () => {
  it("prints its version", () => {
    const result = run(process.execPath, [pluginBin, "--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^protoc-gen-ts-otel \d+\.\d+\.\d+\n$/);
  });

  it("answers garbage on stdin with one line and a non-zero exit, no stack trace", () => {
    const result = run(process.execPath, [pluginBin], { input: Buffer.from("this is not a protobuf \xff\xff\xff") });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^protoc-gen-ts-otel: stdin is not a CodeGeneratorRequest/);
  });

  it("rejects arguments it does not take", () => {
    const result = run(process.execPath, [pluginBin, "--frobnicate"], { input: "" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^protoc-gen-ts-otel: unexpected argument "--frobnicate"/);
  });
});
