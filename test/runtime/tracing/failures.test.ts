// Telemetry never breaks a call: a span processor, an exporter or a propagator that
// throws leaves every call's result as it would have been, and is reported once
// through diag: once per process and kind of fault.
import { DiagLogLevel, diag, propagation } from "@opentelemetry/api";
import type { Context, TextMapPropagator, TextMapSetter } from "@opentelemetry/api";
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, expectRpcError } from "../../support/harness.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import type { TestResponse as Response } from "../../support/behavior-handlers.js";
import { resetProcessState } from "../../support/process-state.js";
import { callSpans, useTracedServer, useTracing, w3cPropagator } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

const errors: string[] = [];
beforeEach(() => {
  resetProcessState();
  errors.length = 0;
  const ignore = (): void => undefined;
  diag.setLogger(
    { error: (message) => errors.push(message), warn: ignore, info: ignore, debug: ignore, verbose: ignore },
    DiagLogLevel.ERROR,
  );
});
afterEach(() => {
  diag.disable();
  propagation.disable();
  propagation.setGlobalPropagator(w3cPropagator());
});

/** The diag errors this package reported. */
const ours = (): string[] => errors.filter((message) => message.startsWith("protoc-gen-ts-otel"));

const broken = new Error("telemetry backend broke");

/**
 * Makes two calls of each kind, one answering OK and one failing with NOT_FOUND, and
 * checks each got exactly what it would have got with no telemetry at all.
 */
async function callsGoOn(): Promise<void> {
  const { client } = await start(behaviorHandlers());
  for (const kind of kinds) {
    for (let round = 0; round < 2; round++) {
      const ok = await collect(kind.call(client, [{ text: "a", count: 2 }]));
      expect(ok.error, kind.method).toBeUndefined();
      expect(ok.messages.map((m: Response) => m.text)).toEqual(kind.streamsResponses ? ["a", "a"] : ["a"]);
      const failed = await collect(kind.call(client, [{ behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }]));
      expectRpcError(failed.error, Code.NOT_FOUND);
    }
  }
}

describe("a span processor that throws", () => {
  it("in onStart: calls go on untraced, reported once", async () => {
    const throwing: SpanProcessor = {
      onStart: () => {
        throw broken;
      },
      onEnd: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    tracing.useProvider({ processors: [throwing] });
    await callsGoOn();
    // Once in the process, though both the client and the server meet the fault.
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toContain("tracing failed");
  });

  it("in onEnd: calls go on, reported once", async () => {
    let ended = 0;
    const throwing: SpanProcessor = {
      onStart: () => undefined,
      onEnd: () => {
        ended++;
        throw broken;
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    tracing.useProvider({ processors: [throwing] });
    await callsGoOn();
    expect(ended).toBe(kinds.length * 4 * 2);
    expect(ours()).toHaveLength(1);
  });
});

describe("an exporter that throws", () => {
  it("costs the calls nothing: the SDK's processor reports its failures", async () => {
    const exported: ReadableSpan[] = [];
    const exporter: SpanExporter = {
      export(spans) {
        exported.push(...spans);
        throw broken;
      },
      shutdown: () => Promise.resolve(),
    };
    tracing.useProvider({ processors: [new SimpleSpanProcessor(exporter)] });
    await callsGoOn();
    expect(exported).toHaveLength(kinds.length * 4 * 2);
    expect(ours()).toEqual([]);
  });
});

describe("a propagator that throws", () => {
  class ThrowingPropagator implements TextMapPropagator {
    constructor(private readonly before: (context: Context, carrier: unknown, setter: TextMapSetter) => void = () => undefined) {}
    inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
      // Halfway through: what it wrote stays, the rest never comes.
      this.before(context, carrier, setter);
      throw broken;
    }
    extract(): Context {
      throw broken;
    }
    fields(): string[] {
      return ["traceparent"];
    }
  }

  it("leaves the calls and their spans as they were, without propagation, reported once per side", async () => {
    propagation.disable();
    propagation.setGlobalPropagator(new ThrowingPropagator());
    await callsGoOn();
    const spans = tracing.spans();
    expect(spans).toHaveLength(kinds.length * 4 * 2);
    // Every server span starts a trace of its own: nothing was propagated.
    expect(spans.filter((s) => s.parentSpanContext !== undefined)).toEqual([]);
    expect(ours()).toEqual([
      expect.stringContaining("trace propagation failed on the client side"),
      expect.stringContaining("trace propagation failed on the server side"),
    ]);
  });

  it("keeps what it injected before it threw", async () => {
    const w3c = w3cPropagator();
    propagation.disable();
    propagation.setGlobalPropagator(
      new ThrowingPropagator((context, carrier, setter) => w3c.inject(context, carrier, setter)),
    );
    let received: unknown[] = [];
    const { client } = await start({
      unary(_request, context) {
        received = context.metadata.get("traceparent");
        return { text: "ok" };
      },
    });
    expect(await client.unary({})).toMatchObject({ text: "ok" });
    const { client: clientSpan, server } = callSpans(await tracing.ended(2));
    const { traceId, spanId } = clientSpan.spanContext();
    expect(received).toEqual([`00-${traceId}-${spanId}-01`]);
    // The server extracts with the same throwing propagator: its span starts a new trace.
    expect(server.parentSpanContext).toBeUndefined();
    expect(ours()).toHaveLength(2);
  });
});
