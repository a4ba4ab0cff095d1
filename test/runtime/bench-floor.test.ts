// The hand-written floor of `npm run bench:cpu` (bench/runtime/stacks/floor/) is only a
// floor if it emits what ours emits: the same spans with the same attributes and
// parents, the same OpenTelemetry metric points, the same Prometheus series and counts.
// Both run here, one after the other, through the same SDK; what they emitted must
// read the same once ports and timings are left out.
import { SpanKind, metrics } from "@opentelemetry/api";
import type { AttributeValue, Attributes } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { register } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { createClient, startServer } from "../../bench/runtime/stacks/start-stack.js";
import type { Stack } from "../../bench/runtime/variants.js";

class Reader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracerProvider.register({ contextManager: new AsyncLocalStorageContextManager() });
const reader = new Reader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

afterAll(() => tracerProvider.shutdown());

/** A value as compared: ports change from run to run. */
function comparable(attributes: Attributes): Record<string, AttributeValue | undefined> {
  const entries = Object.entries(attributes).map(([key, value]): [string, AttributeValue | undefined] => [key, key.endsWith(".port") ? "<port>" : value]);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** One call of each kind through `stack`, and what the telemetry made of them. */
async function emitted(stack: Stack, scope: string): Promise<unknown> {
  spans.reset();
  register.clear();
  const server = await startServer(stack);
  const client = await createClient(stack, `127.0.0.1:${server.port}`);
  try {
    expect((await client.unary(new Uint8Array(10))).payload.length).toBe(10);
    expect(await client.serverStream(3)).toBe(3);
    expect(await client.clientStream(3)).toBe(3);
    expect(await client.bidiStream(3)).toBe(3);
  } finally {
    client.close();
    await server.stop();
  }
  const finished = spans.getFinishedSpans();
  const byId = new Map(finished.map((s) => [s.spanContext().spanId, s]));
  const spanSummary = finished
    .map((s) => ({
      kind: SpanKind[s.kind],
      name: s.name,
      status: s.status.code,
      attributes: comparable(s.attributes),
      parent: s.parentSpanContext === undefined ? "none" : (byId.get(s.parentSpanContext.spanId)?.name ?? "remote"),
      events: s.events.length,
    }))
    .sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`));
  const { resourceMetrics } = await reader.collect();
  const points = resourceMetrics.scopeMetrics
    .filter((s) => s.scope.name === scope)
    .flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => ({ name: m.descriptor.name, unit: m.descriptor.unit, attributes: comparable(p.attributes) }))))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  // Series that moved, with their counts; durations differ, their counts do not.
  const prometheus = (await register.metrics())
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#") && !/_(sum|bucket)\{/.test(line) && !/ 0$/.test(line))
    .sort();
  return { spans: spanSummary, points, prometheus };
}

describe("the hand-written floor of the CPU benchmark", () => {
  it("emits what ours emits by default: spans, OpenTelemetry metric points and Prometheus series", async () => {
    const floor = await emitted({ kind: "floor", parts: "full" }, "bench-floor");
    const ours = await emitted({ kind: "ours", telemetry: {} }, "protoc-gen-ts-otel-runtime");
    expect(floor).toEqual(ours);
    // And it is not empty: two spans, two points and the Prometheus families per call.
    expect(floor).toMatchObject({ spans: { length: 8 }, points: { length: 8 } });
    expect((floor as { prometheus: string[] }).prometheus.length).toBeGreaterThan(30);
  });
});
