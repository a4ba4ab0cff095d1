// A Python gRPC peer (Debian's python3-grpcio, installed by scripts/system-deps.mjs)
// on the other end of generated clients and servers: trace context crosses in both
// directions, and so do the rich error model's details, encoded and decoded by Python's
// own protobuf runtime.
import { SpanKind } from "@opentelemetry/api";
import { credentials } from "@grpc/grpc-js";
import type { Metadata } from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BadRequestSchema, Code, ErrorInfoSchema, RetryInfoSchema, RpcError } from "protoc-gen-ts-otel-runtime";
import { expectRpcError, rejection } from "../support/harness.js";
import { repoRoot } from "../support/paths.js";
import { TestServiceClient } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { run, startServerProcess } from "./support/child-process.js";
import type { ServerProcess } from "./support/child-process.js";
import { onlySpan, useTracedServer, useTracing } from "../support/tracing-harness.js";

/** Debian's interpreter: the one python3-grpcio is installed for. */
const PYTHON = "/usr/bin/python3";

const tracing = useTracing();
const start = useTracedServer(tracing);

beforeAll(async () => {
  if (spawnSync(PYTHON, ["-c", "import grpc"]).status !== 0) {
    // Installs python3-grpcio with apt-get when it is missing (needs root, as on CI).
    await run(process.execPath, ["scripts/system-deps.mjs"], 600_000);
  }
}, 600_000);

const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

// The google.rpc messages for the Python peers, which have no googleapis-common-protos:
// a descriptor set of the same .proto files the runtime's messages are generated from.
let scratch = "";
let rpcDescriptors = "";
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "ts-otel-python-"));
  rpcDescriptors = join(scratch, "google-rpc.binpb");
  execFileSync(
    join(repoRoot, "node_modules/.bin/protoc"),
    [
      "--include_imports",
      `--descriptor_set_out=${rpcDescriptors}`,
      `-I${join(repoRoot, "node_modules/google-proto-files")}`,
      "google/rpc/status.proto",
      "google/rpc/error_details.proto",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("interop with a Python gRPC peer", () => {
  it("a Python client's traceparent is continued by the generated server's span", async () => {
    const { address } = await start({ unary: () => ({ text: "from node" }) });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const { stdout } = await run(PYTHON, [
      "test/cross-process/peers/python/python_client.py",
      address,
      `00-${traceId}-${parentId}-01`,
    ]);
    console.log(`python client printed: ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({ code: "OK", response_bytes: expect.any(Number) as number });

    const server = onlySpan(await tracing.ended(1), SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext).toMatchObject({ traceId, spanId: parentId, isRemote: true });
  });

  it("the generated client's span reaches a Python server in the traceparent it echoes", async () => {
    const python = await startServerProcess(PYTHON, ["test/cross-process/peers/python/python_echo_server.py"]);
    servers.push(python);
    const client = new TestServiceClient(`127.0.0.1:${python.firstLine}`, credentials.createInsecure(), {
      telemetry: tracing.telemetry(),
    });
    let trailers: Metadata | undefined;
    try {
      const response = await client.unary({ text: "hi" }, { onTrailer: (metadata) => (trailers = metadata) });
      expect(response.text).toBe("python");
    } finally {
      client.close();
    }
    const echoed = trailers?.get("echo-traceparent");
    console.log(`python server echoed: traceparent=${String(echoed)}`);

    const span = onlySpan(await tracing.ended(1), SpanKind.CLIENT);
    const { traceId, spanId } = span.spanContext();
    expect(echoed).toEqual([`00-${traceId}-${spanId}-01`]);
  });
});

describe("rich error details with a Python gRPC peer", () => {
  const message = "stock épuisé";

  it("a Python server's google.rpc.Status reaches the generated client as RpcError details, and its span", async () => {
    const python = await startServerProcess(PYTHON, ["test/cross-process/peers/python/python_rich_error_server.py", rpcDescriptors]);
    servers.push(python);
    const client = new TestServiceClient(`127.0.0.1:${python.firstLine}`, credentials.createInsecure(), {
      telemetry: tracing.telemetry(),
    });
    let error: RpcError;
    try {
      error = expectRpcError(await rejection(client.unary({})), Code.FAILED_PRECONDITION);
    } finally {
      client.close();
    }
    console.log(`generated client decoded: ${error.message}; details ${error.details.map((d) => d.typeUrl).join(", ")}`);
    expect(error.rawMessage).toBe(message);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([
      create(ErrorInfoSchema, { reason: "OUT_OF_STOCK", domain: "python.example.com", metadata: { sku: "B-7" } }),
    ]);
    expect(error.findDetails(BadRequestSchema)).toEqual([
      create(BadRequestSchema, { fieldViolations: [{ field: "quantity", description: "must be at most 3" }] }),
    ]);
    expect(error.findDetails(RetryInfoSchema).map((r) => r.retryDelay)).toEqual([
      create(DurationSchema, { seconds: 2n, nanos: 500_000_000 }),
    ]);

    const span = onlySpan(await tracing.ended(1), SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      "google.rpc.status.detail_types": ["google.rpc.ErrorInfo", "google.rpc.BadRequest", "google.rpc.RetryInfo"],
      "google.rpc.error_info.reason": "OUT_OF_STOCK",
      "google.rpc.error_info.domain": "python.example.com",
    });
  });

  it("the generated server's details reach a Python client that reads them as grpcio-status does", async () => {
    const { address } = await start({
      unary() {
        throw new RpcError(Code.FAILED_PRECONDITION, message, undefined, {
          details: [
            create(ErrorInfoSchema, { reason: "OUT_OF_STOCK", domain: "node.example.com", metadata: { sku: "A-1" } }),
            create(BadRequestSchema, { fieldViolations: [{ field: "quantity", description: "must be positive" }] }),
            { desc: RetryInfoSchema, value: { retryDelay: { seconds: 1n, nanos: 250_000_000 } } },
          ],
        });
      },
    });
    const { stdout } = await run(PYTHON, ["test/cross-process/peers/python/python_rich_error_client.py", address, rpcDescriptors]);
    console.log(`python client decoded: ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({
      code: "FAILED_PRECONDITION",
      message,
      details: [
        {
          type: "google.rpc.ErrorInfo",
          value: { reason: "OUT_OF_STOCK", domain: "node.example.com", metadata: { sku: "A-1" } },
        },
        { type: "google.rpc.BadRequest", value: { fieldViolations: [{ field: "quantity", description: "must be positive" }] } },
        { type: "google.rpc.RetryInfo", value: { retryDelay: "1.250s" } },
      ],
    });

    const span = onlySpan(await tracing.ended(1), SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      "google.rpc.status.detail_types": ["google.rpc.ErrorInfo", "google.rpc.BadRequest", "google.rpc.RetryInfo"],
      "google.rpc.error_info.reason": "OUT_OF_STOCK",
      "google.rpc.error_info.domain": "node.example.com",
    });
  });
});
