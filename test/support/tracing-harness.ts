// Shared fixtures of the tracing tests: an AsyncLocalStorage context manager and the
// W3C propagators (trace context and baggage) for the test file, a fresh tracer
// provider with an in-memory exporter for each test, and the canonical TestService
// served with tracing on both sides.
import { context, propagation } from "@opentelemetry/api";
import type { TextMapPropagator } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, Sampler, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { setImmediate as tick } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { SemconvMode, TelemetryOptions, TracingOptions } from "protoc-gen-ts-otel-runtime";
import type { TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { useTestServer, waitFor } from "./harness.js";
import type { HarnessOptions, TestHarness } from "./harness.js";

export interface ProviderOptions {
  sampler?: Sampler;
  /** Processors before the one that exports to the in-memory exporter. */
  processors?: SpanProcessor[];
}

export interface TracingFixture {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  /** Replaces this test's provider, e.g. to add a sampler or a processor. */
  useProvider(options: ProviderOptions): BasicTracerProvider;
  /** Telemetry options with tracing on this test's provider and the other parts off. */
  telemetry(tracing?: TracingOptions, semconv?: SemconvMode): TelemetryOptions;
  /** The spans that have ended so far. */
  spans(): ReadableSpan[];
  /**
   * Waits until `count` spans have ended, then a few event-loop turns more, so that a
   * span ended twice or a late extra span would be there when the test counts them.
   */
  ended(count: number): Promise<ReadableSpan[]>;
}

/** Sets up tracing for a test file; see TracingFixture. */
export function useTracing(): TracingFixture {
  let provider: BasicTracerProvider | undefined;
  let exporter: InMemorySpanExporter | undefined;
  const useProvider = (options: ProviderOptions): BasicTracerProvider => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({
      ...(options.sampler === undefined ? {} : { sampler: options.sampler }),
      spanProcessors: [...(options.processors ?? []), new SimpleSpanProcessor(exporter)],
    });
    return provider;
  };
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(w3cPropagator());
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });
  beforeEach(() => {
    useProvider({});
  });
  afterEach(async () => {
    await provider?.shutdown();
  });
  const fixture: TracingFixture = {
    get provider() {
      if (provider === undefined) throw new Error("no provider outside a test");
      return provider;
    },
    get exporter() {
      if (exporter === undefined) throw new Error("no exporter outside a test");
      return exporter;
    },
    useProvider,
    telemetry(tracing = {}, semconv) {
      return {
        ...(semconv === undefined ? {} : { semconv }),
        tracing: { tracerProvider: fixture.provider, ...tracing },
        metrics: false,
        prometheus: false,
      };
    },
    spans: () => fixture.exporter.getFinishedSpans(),
    async ended(count) {
      await waitFor(() => fixture.spans().length >= count, `${count} ended spans`);
      for (let i = 0; i < 5; i++) {
        await tick();
      }
      return fixture.spans();
    },
  };
  return fixture;
}

/** Starts the TestService with `handlers`, traced on both sides with the fixture's provider. */
export function useTracedServer(
  tracing: TracingFixture,
): (handlers: Partial<TestServiceHandlers>, options?: { tracing?: TracingOptions; semconv?: SemconvMode; harness?: HarnessOptions }) => Promise<TestHarness> {
  const start = useTestServer();
  return (handlers, options = {}) => {
    const telemetry = tracing.telemetry(options.tracing, options.semconv);
    return start(handlers, {
      ...options.harness,
      client: { ...options.harness?.client, telemetry },
      server: { ...options.harness?.server, telemetry },
    });
  };
}

/** The one span of `kind` among `spans`; fails naming what there was instead. */
export function onlySpan(spans: readonly ReadableSpan[], kind: SpanKind): ReadableSpan {
  const matching = spans.filter((s) => s.kind === kind);
  const span = matching[0];
  if (matching.length !== 1 || span === undefined) {
    throw new Error(`expected one ${SpanKind[kind]} span, got ${describeSpans(spans)}`);
  }
  return span;
}

/** The client and the server span of a call that made exactly one of each. */
export function callSpans(spans: readonly ReadableSpan[]): { client: ReadableSpan; server: ReadableSpan } {
  return { client: onlySpan(spans, SpanKind.CLIENT), server: onlySpan(spans, SpanKind.SERVER) };
}

export function describeSpans(spans: readonly ReadableSpan[]): string {
  return spans.length === 0 ? "none" : spans.map((s) => `${SpanKind[s.kind]} ${s.name}`).join(", ");
}

/** What an SDK registers by default: W3C trace context and baggage. */
export function w3cPropagator(): TextMapPropagator {
  return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
}
