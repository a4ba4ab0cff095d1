// Log correlation (docs/logging.md): lines that real pino and winston write from handler
// code of every kind — at entry, after awaits, between yields, while reading the request
// stream — carry the ids of the call's server span and the call's method; without a
// span, the method alone; outside any call, nothing.
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { AlwaysOffSampler } from "@opentelemetry/sdk-trace-base";
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { setImmediate as tick } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceClient, addService, defineService } from "protoc-gen-ts-otel-runtime";
import type { ServerContext, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { UnaryRequestSchema, UnaryResponseSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { logFields } from "protoc-gen-ts-otel-runtime";
import type { LogFields } from "protoc-gen-ts-otel-runtime";
import { collect, useTestServer, waitFor } from "../../support/harness.js";
import { CHECKPOINTS, checkpointHandlers, checkpointRequests } from "../../support/checkpoint-handlers.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import type { Kind } from "../../support/call-kinds.js";
import { onlySpan, useTracing } from "../../support/tracing-harness.js";
import { memoryLoggers } from "./memory-loggers.js";
import type { LoggedLine, MemoryLoggers } from "./memory-loggers.js";
import { bindLocal } from "../../support/listen.js";

const tracing = useTracing();
const start = useTestServer();

/** Handlers that log through `loggers` wherever handler code runs. */
function loggingHandlers(loggers: MemoryLoggers): TestServiceHandlers {
  return checkpointHandlers((label) => loggers.info(label));
}

/** Makes one call of `kind` with two requests where it streams them. */
async function callOnce(kind: Kind, client: Parameters<Kind["call"]>[0]): Promise<void> {
  const { error } = await collect(kind.call(client, checkpointRequests(kind.streamsRequests)));
  expect(error).toBeUndefined();
}

/** Waits until both loggers wrote `count` lines each, and returns them by logger. */
async function linesOf(loggers: MemoryLoggers, count: number): Promise<Record<LoggedLine["logger"], LoggedLine[]>> {
  const of = (logger: LoggedLine["logger"]): LoggedLine[] => loggers.lines().filter((line) => line.logger === logger);
  await waitFor(() => of("pino").length >= count && of("winston").length >= count, `${count} lines from each logger`);
  return { pino: of("pino"), winston: of("winston") };
}

function tracedOptions(): { server: { telemetry: TelemetryOptions }; client: { telemetry: TelemetryOptions } } {
  const telemetry = tracing.telemetry();
  return { server: { telemetry }, client: { telemetry } };
}

describe.each(kinds)("in a $method handler", (kind) => {
  it("every line carries the server span's ids, its sampled flag and the method", async () => {
    const loggers = memoryLoggers();
    const { client } = await start(loggingHandlers(loggers), tracedOptions());
    await callOnce(kind, client);

    const spans = await tracing.ended(2);
    const server = onlySpan(spans, SpanKind.SERVER).spanContext();
    const expected = {
      trace_id: server.traceId,
      span_id: server.spanId,
      trace_flags: "01",
      "rpc.method": kind.fullName,
    };
    const messages = CHECKPOINTS[kind.method] ?? [];
    const lines = await linesOf(loggers, messages.length);
    for (const logger of ["pino", "winston"] as const) {
      expect(lines[logger].map((line) => line.message), logger).toEqual(messages);
      for (const line of lines[logger]) {
        expect(line.fields, `${logger}: ${line.message}`).toEqual(expected);
      }
    }
  });

  it("without tracing for the server, lines carry the method alone", async () => {
    const loggers = memoryLoggers();
    // The client still traces and sends traceparent: the server must not pick it up.
    const { client } = await start(loggingHandlers(loggers), {
      server: { telemetry: { tracing: false, prometheus: false } },
      client: { telemetry: tracing.telemetry() },
    });
    await callOnce(kind, client);

    const messages = CHECKPOINTS[kind.method] ?? [];
    const lines = await linesOf(loggers, messages.length);
    for (const line of [...lines.pino, ...lines.winston]) {
      expect(line.fields, `${line.logger}: ${line.message}`).toEqual({ "rpc.method": kind.fullName });
    }
  });
});

describe("log fields", () => {
  it("are empty outside any call and span, and a logger line has none", () => {
    expect(logFields()).toEqual({});
    const loggers = memoryLoggers();
    loggers.info("outside");
    expect(loggers.lines().find((line) => line.logger === "pino")?.fields).toEqual({});
  });

  it("are those of a span the handler starts, with the call's method", async () => {
    const recorded: LogFields[] = [];
    const { client } = await start(
      {
        unary: () =>
          tracing.provider.getTracer("handler").startActiveSpan("child", (child) => {
            recorded.push(logFields());
            child.end();
            return {};
          }),
      },
      tracedOptions(),
    );
    await client.unary({});
    const spans = await tracing.ended(3);
    const child = spans.find((span) => span.name === "child")?.spanContext();
    expect(child?.spanId).toBeDefined();
    expect(recorded).toEqual([
      { trace_id: child?.traceId, span_id: child?.spanId, trace_flags: "01", "rpc.method": "tsotel.testing.v1.TestService/Unary" },
    ]);
  });

  it("of a call not sampled carry its ids with trace_flags 00", async () => {
    tracing.useProvider({ sampler: new AlwaysOffSampler() });
    const seen: { fields: LogFields; span: ServerContext["span"] }[] = [];
    const { client } = await start(
      {
        async unary(_request, context) {
          await tick();
          seen.push({ fields: logFields(), span: context.span });
          return {};
        },
      },
      tracedOptions(),
    );
    await client.unary({});
    const [call] = seen;
    const ids = call?.span.spanContext();
    expect(ids?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(call?.fields).toEqual({ trace_id: ids?.traceId, span_id: ids?.spanId, trace_flags: "00", "rpc.method": "tsotel.testing.v1.TestService/Unary" });
  });

  it("carry the method alone when all telemetry is off", async () => {
    const seen: LogFields[] = [];
    const { client } = await start(
      {
        async unary() {
          await tick();
          seen.push(logFields());
          return {};
        },
      },
      { server: { telemetry: false }, client: { telemetry: false } },
    );
    await client.unary({});
    expect(seen).toEqual([{ "rpc.method": "tsotel.testing.v1.TestService/Unary" }]);
  });

  it("are the caller's own on the client: the method is the server's", async () => {
    const { client } = await start({ unary: () => ({}) }, tracedOptions());
    const tracer = tracing.provider.getTracer("caller");
    const after = await tracer.startActiveSpan("caller", async (caller) => {
      await client.unary({});
      const fields = logFields();
      caller.end();
      return fields;
    });
    const spans = await tracing.ended(3);
    const callerIds = spans.find((span) => span.name === "caller")?.spanContext();
    expect(after).toEqual({ trace_id: callerIds?.traceId, span_id: callerIds?.spanId, trace_flags: "01" });
  });

  it("read the context they are given", () => {
    const span = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 3 });
    expect(logFields(trace.setSpan(ROOT_CONTEXT, span))).toEqual({
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
      trace_flags: "03",
    });
  });
});

// A method that the proto options switch tracing off for (tsotel.v1 `tracing: false`).
const Untraced = defineService("tsotel.testing.v1.Untraced", {
  health: { name: "Health", kind: "unary", input: UnaryRequestSchema, output: UnaryResponseSchema, telemetry: { tracing: false } },
});

describe("a method whose proto options turn tracing off", () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const close of cleanup.splice(0)) close();
  });

  it("logs with the method alone", async () => {
    const loggers = memoryLoggers();
    const server = new Server();
    addService(
      server,
      Untraced,
      {
        async health() {
          loggers.info("entry");
          await tick();
          loggers.info("after await");
          return {};
        },
      },
      { telemetry: tracing.telemetry() },
    );
    const port = await bindLocal(server, ServerCredentials.createInsecure());
    const client = new ServiceClient(Untraced, `127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: tracing.telemetry() });
    cleanup.push(() => {
      client.close();
      server.forceShutdown();
    });
    await client.unary(Untraced.methods.health, {});

    const lines = await linesOf(loggers, 2);
    expect(tracing.spans()).toEqual([]);
    for (const line of [...lines.pino, ...lines.winston]) {
      expect(line.fields, `${line.logger}: ${line.message}`).toEqual({ "rpc.method": "tsotel.testing.v1.Untraced/Health" });
    }
  });
});
