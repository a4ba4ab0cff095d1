// Exemplars (opt-in): the trace id of the call's sampled span on every counter and
// histogram bucket a call moves, rendered by an OpenMetrics registry.
import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import type { OpenMetricsContentType } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { PrometheusOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, useTestServer } from "../../support/harness.js";
import { captureDiag } from "../../support/diag-capture.js";
import { parseExposition, samplesOf } from "../../support/exposition.js";
import type { Exposition } from "../../support/exposition.js";
import { settledScrape, testMethod } from "../../support/grpc-counts.js";
import { prometheusTelemetry, serverCall } from "../../support/seam-call.js";
import { prometheusOnly } from "../../support/telemetry-options.js";

const start = useTestServer();
const diagnostics = captureDiag();

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const UNSAMPLED_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

function withSpan(traceId: string, flags: TraceFlags): Context {
  return trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId, spanId: "00f067aa0ba902b7", traceFlags: flags }));
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** The exemplar labels of every line of `name` for a method, in order. */
function exemplarsOf(exposition: Exposition, name: string, method: string): (Record<string, string> | undefined)[] {
  return samplesOf(exposition, name, testMethod(method)).map((s) => s.exemplar?.labels);
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe("Prometheus exemplars", () => {
  it("carry the sampled trace of a client call on its counters and its histogram bucket", async () => {
    const registry = openMetricsRegistry();
    const { client } = await start(behaviorHandlers(), {
      client: { telemetry: prometheusOnly(registry, { exemplars: true }) },
      server: { telemetry: false },
    });
    const before = Date.now() / 1000;
    await context.with(withSpan(TRACE_ID, TraceFlags.SAMPLED), () => collect(client.serverStream({ text: "e", count: 2 })));

    const text = await registry.metrics();
    const exposition = parseExposition(text);
    const traced = { trace_id: TRACE_ID };
    for (const name of ["grpc_client_started_total", "grpc_client_msg_sent_total", "grpc_client_msg_received_total"]) {
      const [sample] = samplesOf(exposition, name, testMethod("ServerStream"));
      expect(sample?.exemplar, name).toEqual({ labels: traced, value: 1, timestamp: expect.any(Number) as number });
      expect(sample?.exemplar?.timestamp).toBeGreaterThanOrEqual(before);
    }
    const handled = samplesOf(exposition, "grpc_client_handled_total", testMethod("ServerStream"));
    expect(handled.filter((s) => s.exemplar !== undefined).map((s) => [s.labels["grpc_code"], s.exemplar?.labels])).toEqual([["OK", traced]]);

    // One bucket holds the call: the first one whose bound is at least its duration.
    const buckets = samplesOf(exposition, "grpc_client_handling_seconds_bucket", testMethod("ServerStream"));
    const withExemplar = buckets.filter((s) => s.exemplar !== undefined);
    expect(withExemplar).toHaveLength(1);
    const [bucket] = withExemplar;
    const duration = bucket?.exemplar?.value ?? NaN;
    expect(bucket?.exemplar?.labels).toEqual(traced);
    expect(duration).toBeLessThanOrEqual(Number(bucket?.labels["le"]));
    expect(buckets.find((s) => s.value === 1)).toBe(bucket);
    expect(text).toContain(`grpc_client_started_total{grpc_type="server_stream",grpc_service="tsotel.testing.v1.TestService",grpc_method="ServerStream"} 1 # {trace_id="${TRACE_ID}"} 1 `);
  });

  it("carry the trace of the call's spans on both sides when tracing is on", async () => {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const registry = openMetricsRegistry();
      const telemetry = { metrics: false as const, tracing: { tracerProvider }, prometheus: { registry, exemplars: true } };
      const { client } = await start(behaviorHandlers(), { client: { telemetry }, server: { telemetry } });
      await client.unary({ text: "traced" });
      const exposition = await settledScrape(registry, "Unary");

      const traceIds = new Set(spans.getFinishedSpans().map((span) => span.spanContext().traceId));
      expect(traceIds.size).toBe(1);
      const [traceId] = traceIds;
      for (const side of ["server", "client"]) {
        expect(exemplarsOf(exposition, `grpc_${side}_started_total`, "Unary")).toEqual([{ trace_id: traceId }]);
        const handled = samplesOf(exposition, `grpc_${side}_handled_total`, { ...testMethod("Unary"), grpc_code: "OK" });
        expect(handled.map((s) => s.exemplar?.labels)).toEqual([{ trace_id: traceId }]);
      }
    } finally {
      propagation.disable();
    }
  });

  it("are left out for a call whose span is not sampled", async () => {
    const registry = openMetricsRegistry();
    const { client } = await start(behaviorHandlers(), {
      client: { telemetry: prometheusOnly(registry, { exemplars: true }) },
      server: { telemetry: false },
    });
    await context.with(withSpan(UNSAMPLED_TRACE_ID, TraceFlags.NONE), () => client.unary({ text: "u" }));
    await context.with(ROOT_CONTEXT, () => client.unary({ text: "no span" }));

    const exposition = parseExposition(await registry.metrics());
    expect(exposition.samples.filter((s) => s.exemplar !== undefined)).toEqual([]);
    expect(samplesOf(exposition, "grpc_client_started_total", testMethod("Unary"))[0]?.value).toBe(2);
  });

  it("use the configured label", async () => {
    const registry = openMetricsRegistry();
    const { client } = await start(behaviorHandlers(), {
      client: { telemetry: prometheusOnly(registry, { exemplars: { label: "traceID" } }) },
      server: { telemetry: false },
    });
    await context.with(withSpan(TRACE_ID, TraceFlags.SAMPLED), () => client.unary({ text: "l" }));

    const exposition = parseExposition(await registry.metrics());
    expect(exemplarsOf(exposition, "grpc_client_started_total", "Unary")).toEqual([{ traceID: TRACE_ID }]);
  });

  it("are off by default", async () => {
    const registry = openMetricsRegistry();
    const { client } = await start(behaviorHandlers(), { client: { telemetry: prometheusOnly(registry) }, server: { telemetry: false } });
    await context.with(withSpan(TRACE_ID, TraceFlags.SAMPLED), () => client.unary({ text: "d" }));

    expect(parseExposition(await registry.metrics()).samples.filter((s) => s.exemplar !== undefined)).toEqual([]);
  });

  it("carry the server call's trace, which tracing puts in the context the server observers start from", async () => {
    const registry = openMetricsRegistry();
    const telemetry = prometheusTelemetry({ registry, exemplars: true });
    serverCall(telemetry, TestServiceDefinition.methods.unary, {
      startTime: 1_000,
      endTime: 1_300,
      code: Code.NOT_FOUND,
      context: withSpan(TRACE_ID, TraceFlags.SAMPLED),
    });

    const exposition = parseExposition(await registry.metrics());
    const traced = { trace_id: TRACE_ID };
    expect(exemplarsOf(exposition, "grpc_server_started_total", "Unary")).toEqual([traced]);
    expect(exemplarsOf(exposition, "grpc_server_msg_received_total", "Unary")).toEqual([traced]);
    expect(exemplarsOf(exposition, "grpc_server_msg_sent_total", "Unary")).toEqual([undefined]);
    const handled = samplesOf(exposition, "grpc_server_handled_total", testMethod("Unary"));
    expect(handled.find((s) => s.exemplar !== undefined)?.labels["grpc_code"]).toBe("NotFound");
    // 300 ms: the 0.5 bucket, with the duration and the end time.
    const bucket = samplesOf(exposition, "grpc_server_handling_seconds_bucket", testMethod("Unary")).find((s) => s.exemplar !== undefined);
    expect(bucket?.labels["le"]).toBe("0.5");
    expect(bucket?.exemplar).toEqual({ labels: traced, value: 0.3, timestamp: 1.3 });
  });

  it("warn when the registry renders the Prometheus format, which has no exemplars", async () => {
    const registry = new Registry();
    const { client } = await start(behaviorHandlers(), {
      client: { telemetry: prometheusOnly(registry, { exemplars: true } satisfies PrometheusOptions) },
      server: { telemetry: false },
    });
    await context.with(withSpan(TRACE_ID, TraceFlags.SAMPLED), () => client.unary({ text: "p" }));

    expect(diagnostics.map((d) => d.level)).toEqual(["warn"]);
    expect(diagnostics[0]?.message).toContain("OpenMetrics");
    const exposition = parseExposition(await registry.metrics());
    expect(samplesOf(exposition, "grpc_client_started_total", testMethod("Unary"))[0]?.value).toBe(1);
  });
});
