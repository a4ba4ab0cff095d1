import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { goldenCases } from "../support/cases.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import { readTree } from "../support/tree.js";
import { useTempDirs } from "../support/temp-dirs.js";

// The built executable driven by the real tools, as a user runs it.
const pluginBin = join(repoRoot, "packages/protoc-gen-ts-otel/bin/protoc-gen-ts-otel.js");
const esBin = join(repoRoot, "node_modules/.bin/protoc-gen-es");
const buf = join(repoRoot, "node_modules/.bin/buf");
const protoc = join(repoRoot, "node_modules/.bin/protoc");

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

const tempDir = useTempDirs();

describe("buf generate", () => {
  it("with protoc-gen-es beside it, writes exactly golden/user", () => {
    const out = tempDir("buf");
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
    const out = tempDir("protoc");
    const { files, parameter } = goldenCase(name);
    const result = run(
      protoc,
      [
        "-I",
        "testdata/proto",
        "-I",
        "packages/protoc-gen-ts-otel/proto",
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
    const out = tempDir("protoc");
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
