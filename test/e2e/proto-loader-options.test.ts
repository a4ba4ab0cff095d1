// The README's proto-options example, as written there: @grpc/proto-loader (protobufjs)
// loads it, and protoc with this plugin generates the same code from it as from the
// list form of the repeated option, which proto-loader cannot parse.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSync } from "@grpc/proto-loader";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/paths.js";
import { useTempDirs } from "../support/temp-dirs.js";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const optionsDir = join(repoRoot, "packages/protoc-gen-ts-otel/proto");
const protoc = join(repoRoot, "node_modules/.bin/protoc");
const pluginBin = join(repoRoot, "packages/protoc-gen-ts-otel/bin/protoc-gen-ts-otel.js");

/** The README's proto block that declares `package shop.v1;`. */
function readmeExample(): string {
  const block = [...readme.matchAll(/```proto\n([\s\S]*?)```/g)].map((m) => m[1] ?? "").find((b) => b.includes("package shop.v1;"));
  if (block === undefined) throw new Error("the README has no shop.v1 proto example");
  return block;
}

/** The same proto with the repeated option in the list form. */
function listForm(proto: string): string {
  const listed = proto.replace(
    /span_attributes \{ name: "order\.id" field: "order_id" \}\n\s*\/\/ a field inside a nested message\n\s*span_attributes \{ name: "order\.region" field: "filter\.region" \}/,
    'span_attributes: [ { name: "order.id", field: "order_id" }, { name: "order.region", field: "filter.region" } ]',
  );
  if (listed === proto) throw new Error("the README's example changed: update listForm()");
  return listed;
}

const tempDir = useTempDirs();

function writeProto(text: string): string {
  const root = tempDir("proto-loader");
  mkdirSync(join(root, "shop/v1"), { recursive: true });
  writeFileSync(join(root, "shop/v1/orders.proto"), text);
  return root;
}

function generate(root: string, parameter = "target=ts", file = "shop/v1/orders_otel.ts"): string {
  const out = join(root, `gen-${parameter.replace(/\W/g, "_")}`);
  mkdirSync(out);
  const result = spawnSync(
    protoc,
    ["-I", root, "-I", optionsDir, `--plugin=protoc-gen-ts-otel=${pluginBin}`, `--ts-otel_out=${out}`, `--ts-otel_opt=${parameter}`, "shop/v1/orders.proto"],
    { encoding: "utf8" },
  );
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(join(out, file), "utf8");
}

describe("the README's proto options example", () => {
  let block: string;
  beforeAll(() => {
    block = readmeExample();
  });

  it("loads with @grpc/proto-loader, options and all", () => {
    const root = writeProto(block);
    const definition = loadSync("shop/v1/orders.proto", { includeDirs: [root, optionsDir] });
    const service = definition["shop.v1.OrderService"] as Record<string, { path: string }>;
    expect(Object.values(service).map((m) => m.path)).toEqual(["/shop.v1.OrderService/GetOrder", "/shop.v1.OrderService/Ping"]);
  });

  it("in the list form, does not load with @grpc/proto-loader (the reason for the block form)", () => {
    const root = writeProto(listForm(block));
    expect(() => loadSync("shop/v1/orders.proto", { includeDirs: [root, optionsDir] })).toThrow(/illegal/);
  });

  it("generates the same code in both forms, with both span attributes", () => {
    const blockCode = generate(writeProto(block));
    expect(generate(writeProto(listForm(block)))).toBe(blockCode);
    expect(blockCode).toContain('"order.id"');
    expect(blockCode).toContain('"order.region"');
  });

  it("with slo=true, gives GetOrder its own objective and the service's latency one, and Ping (metrics off) none", () => {
    const rules = generate(writeProto(block), "target=ts,slo=true", "shop/v1/orders_slo.rules.yml");
    const objectives = [...rules.matchAll(/expr: vector\(([\d.]+)\)\n\s+labels:\n\s+grpc_service: "([^"]+)"\n\s+grpc_method: "([^"]+)"\n\s+slo: "(\w+)"/g)].map((m) => m.slice(1).join(" "));
    expect(objectives).toEqual(["0.9995 shop.v1.OrderService GetOrder availability", "0.99 shop.v1.OrderService GetOrder latency"]);
    expect(rules).not.toContain("Ping");
  });
});
