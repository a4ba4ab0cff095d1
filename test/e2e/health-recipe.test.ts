// docs/reflection-and-health.md, run: the vendored health.proto it links is generated with
// the command it shows and the real plugins, must match the committed output beside this
// test, and is served with the implementation it shows next to TestService, with tracing
// and Prometheus in memory. The health calls must leave no span and no series.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client, ServerCredentials, credentials, status } from "@grpc/grpc-js";
import type { MethodDefinition, Server, ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "protoc-gen-ts-otel-runtime";
import type { TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { serveReflection } from "protoc-gen-ts-otel-runtime";
import {
  TestServiceClient,
  TestServiceDefinition,
  addTestService,
} from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { waitFor } from "../support/harness.js";
import { fencedBlocks } from "../support/markdown.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import { readTree } from "../support/tree.js";
import { HealthDefinition, addHealth } from "./health/gen/grpc/health/v1/health_otel.js";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "./health/gen/grpc/health/v1/health_pb.js";
import { HealthService } from "./health/health-service.js";
import { ReflectionStream } from "../runtime/reflection/reflection-client.js";
import { bindLocal } from "../support/listen.js";

const page = readFileSync(join(repoRoot, "docs/reflection-and-health.md"), "utf8");
const protoLink = "recipes/health/grpc/health/v1/health.proto";
const vendoredProto = join(repoRoot, "docs", protoLink);
const committedGen = join(repoRoot, "test/e2e/health/gen");
const pluginBundle = join(repoRoot, "packages/protoc-gen-ts-otel/dist/protoc-gen-ts-otel.js");

/** The fenced blocks of the page in a language. */
const blocks = (language: string): string[] => fencedBlocks(page, language);

describe("the page", () => {
  it("links the vendored proto and shows its service as it is", () => {
    expect(page).toContain(`(${protoLink})`);
    const proto = readFileSync(vendoredProto, "utf8");
    expect(proto).toContain("package grpc.health.v1;");
    const [service] = blocks("proto");
    expect(service).toContain("option (tsotel.v1.service) = { tracing: false, metrics: false };");
    expect(proto).toContain(service);
  });

  it("shows health-service.ts as it is", () => {
    const source = readFileSync(join(repoRoot, "test/e2e/health/health-service.ts"), "utf8");
    expect(blocks("ts")).toContain(source);
  });

  it("generates, with its command and the real plugins, exactly the committed code", () => {
    expect(existsSync(pluginBundle), "the plugin is not built: run `npm run build`").toBe(true);
    const command = blocks("sh").flatMap((b) => b.split("\n")).find((line) => line.startsWith("npx protoc "));
    expect(command).toBeDefined();
    // A user's project: the proto where the page says, node_modules beside it, `npx` = node_modules/.bin on PATH.
    const project = mkdtempSync(join(tmpdir(), "health-recipe-"));
    try {
      symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"), "dir");
      const copy = join(project, "grpc/health/v1/health.proto");
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, readFileSync(vendoredProto));
      mkdirSync(join(project, "gen"));
      const [, , ...args] = (command ?? "").split(" ");
      const bin = join(repoRoot, "node_modules/.bin");
      const result = run(join(bin, "protoc"), args, { cwd: project, env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` } });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(readTree(join(project, "gen"))).toEqual(readTree(committedGen));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/** Check through plain grpc-js and proto-loader on the vendored proto: nothing of ours on the client side. */
interface CheckResponse {
  status: string;
}

const healthDefinition = loadSync("grpc/health/v1/health.proto", {
  includeDirs: [join(repoRoot, "docs/recipes/health"), join(repoRoot, "packages/protoc-gen-ts-otel/proto")],
  enums: String,
  defaults: true,
});
const checkMethod = (healthDefinition["grpc.health.v1.Health"] as Record<string, MethodDefinition<{ service: string }, CheckResponse>>)["Check"];

function check(client: Client, service: string): Promise<CheckResponse> {
  if (checkMethod === undefined) throw new Error("proto-loader did not load grpc.health.v1.Health/Check");
  expect(checkMethod.path).toBe("/grpc.health.v1.Health/Check");
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(checkMethod.path, checkMethod.requestSerialize, checkMethod.responseDeserialize, { service }, (err, response) =>
      err !== null ? reject(err) : response === undefined ? reject(new Error("no response")) : resolve(response),
    );
  });
}

describe("the health service, served next to TestService with telemetry", () => {
  const exporter = new InMemorySpanExporter();
  const registry = new Registry();
  const health = new HealthService();
  let server: Server;
  let address: string;
  let client: Client;

  beforeAll(async () => {
    const telemetry: TelemetryOptions = {
      tracing: { tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) },
      prometheus: { registry },
    };
    server = createServer();
    // Only Unary is called; the other methods would answer UNIMPLEMENTED.
    const handlers: Partial<TestServiceHandlers> = { unary: (request) => ({ text: request.text }) };
    addTestService(server, handlers as TestServiceHandlers, { telemetry });
    health.set(TestServiceDefinition.typeName, ServingStatus.SERVING);
    addHealth(server, health, { telemetry });
    serveReflection(server, [TestServiceDefinition, HealthDefinition]);
    const port = await bindLocal(server, ServerCredentials.createInsecure());
    address = `127.0.0.1:${port}`;
    client = new Client(address, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it("answers Check with SERVING, NOT_FOUND for an unknown service", async () => {
    expect(await check(client, "")).toEqual({ status: "SERVING" });
    expect(await check(client, "tsotel.testing.v1.TestService")).toEqual({ status: "SERVING" });
    await expect(check(client, "nope.v1.Nope")).rejects.toMatchObject({ code: status.NOT_FOUND } satisfies Partial<ServiceError>);
  });

  it("streams status changes to Watch", async () => {
    const generated = new HealthService();
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const watching = (async () => {
      // The handler alone, as grpc-js would drive it; the cancel is the abort.
      for await (const response of generated.watch({ service: "a" } as Parameters<HealthService["watch"]>[0], {
        signal: abort.signal,
      } as Parameters<HealthService["watch"]>[1])) {
        seen.push(response.status);
        if (seen.length === 1) generated.set("a", ServingStatus.NOT_SERVING);
        if (seen.length === 2) abort.abort();
      }
    })();
    await watching;
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.NOT_SERVING]);
  });

  it("gives TestService calls spans and series, and health and reflection calls none", async () => {
    const testClient = new TestServiceClient(address, credentials.createInsecure(), { telemetry: false });
    try {
      expect((await testClient.unary({ text: "hi" })).text).toBe("hi");
    } finally {
      testClient.close();
    }
    await check(client, "");
    const reflection = new ReflectionStream(address, "v1");
    const listed = await reflection.ask({ list_services: "" });
    expect(listed.list_services_response?.service.map((s) => s.name)).toContain("grpc.health.v1.Health");
    expect(await reflection.close()).toBe(status.OK);

    await waitFor(() => exporter.getFinishedSpans().length > 0, "the TestService span");
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["tsotel.testing.v1.TestService/Unary"]);
    const exposition = await registry.metrics();
    expect(exposition).toContain('grpc_server_handled_total{grpc_type="unary",grpc_service="tsotel.testing.v1.TestService",grpc_method="Unary",grpc_code="OK"} 1');
    expect(exposition).not.toContain("grpc.health.v1.Health");
    expect(exposition).not.toContain("grpc.reflection");
  });
});
