// A Python gRPC peer (Debian's python3-grpcio, installed by scripts/system-deps.mjs)
// on the other end of generated clients and servers: trace context crosses in both
// directions.
import { SpanKind } from "@opentelemetry/api";
import { credentials } from "@grpc/grpc-js";
import type { Metadata } from "@grpc/grpc-js";
import { spawnSync } from "node:child_process";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestServiceClient } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { run, startServerProcess } from "./child-process.js";
import type { ServerProcess } from "./child-process.js";
import { onlySpan, useTracedServer, useTracing } from "./tracing-harness.js";

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

describe("interop with a Python gRPC peer", () => {
  it("a Python client's traceparent is continued by the generated server's span", async () => {
    const { address } = await start({ unary: () => ({ text: "from node" }) });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const { stdout } = await run(PYTHON, [
      "test/tracing/fixtures/python_client.py",
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
    const python = await startServerProcess(PYTHON, ["test/tracing/fixtures/python_echo_server.py"]);
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
