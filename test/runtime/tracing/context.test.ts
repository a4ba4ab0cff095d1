// docs/tracing.md#propagation-and-context: handlers of every kind run with the server span current — across
// awaits, inside async generators between yields, while reading request streams — so
// the spans they start, and the calls they make, are its children; the client span is
// a child of the context the call was made in.
import { SpanKind, context, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { collect } from "../../support/harness.js";
import { CHECKPOINTS, checkpointHandlers, checkpointRequests } from "../../support/checkpoint-handlers.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import { callSpans, describeSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

/** Starts and ends a span named `label` in the current context, as handler code would. */
function mark(label: string): void {
  tracing.provider.getTracer("handler").startSpan(label).end();
}

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((s) => s.name === name);
  if (span === undefined) {
    throw new Error(`no span ${name} among ${describeSpans(spans)}`);
  }
  return span;
}

/** Marks where each handler runs: at entry, after awaits, between yields, while reading requests. */
const markingHandlers: TestServiceHandlers = checkpointHandlers(mark);

describe.each(kinds)("in a $method handler", (kind) => {
  it("the server span is current wherever the handler runs", async () => {
    const { client } = await start(markingHandlers);
    await collect(kind.call(client, checkpointRequests(kind.streamsRequests)));

    const marks = CHECKPOINTS[kind.method] ?? [];
    const spans = await tracing.ended(2 + marks.length);
    const { server } = callSpans(spans.filter((s) => s.kind !== SpanKind.INTERNAL));
    const internal = spans.filter((s) => s.kind === SpanKind.INTERNAL);
    expect(internal.map((s) => s.name)).toEqual(marks);
    for (const span of internal) {
      expect(span.parentSpanContext?.spanId, span.name).toBe(server.spanContext().spanId);
    }
  });
});

describe("a handler calling another generated service", () => {
  it("makes one trace: client → server A → client → server B", async () => {
    const b = await start({
      unary: () => ({ text: "from B" }),
      async *serverStream() {
        yield { text: "B1" };
        yield { text: "B2" };
      },
    });
    const a = await start({
      async *serverStream() {
        await tick();
        const first = await b.client.unary({});
        yield { text: first.text };
        for await (const message of b.client.serverStream({})) {
          yield { text: message.text };
        }
      },
    });
    await collect(a.client.serverStream({}));

    const spans = await tracing.ended(6);
    expect(spans).toHaveLength(6);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    // The trace as a tree of "KIND Method" labels; children in the order they ended.
    const label = (span: ReadableSpan): string => `${SpanKind[span.kind]} ${span.name.split("/")[1] ?? ""}`;
    const tree = (span: ReadableSpan): Record<string, unknown[]> => ({
      [label(span)]: spans.filter((c) => c.parentSpanContext?.spanId === span.spanContext().spanId).map(tree),
    });
    expect(spans.filter((span) => span.parentSpanContext === undefined).map(tree)).toEqual([
      {
        "CLIENT ServerStream": [
          {
            "SERVER ServerStream": [
              { "CLIENT Unary": [{ "SERVER Unary": [] }] },
              { "CLIENT ServerStream": [{ "SERVER ServerStream": [] }] },
            ],
          },
        ],
      },
    ]);
  });
});

describe("on the client", () => {
  it("the span is a child of the context the call is made in", async () => {
    const { client } = await start({ unary: () => ({}) });
    const tracer = tracing.provider.getTracer("caller");
    await tracer.startActiveSpan("caller", async (caller) => {
      await client.unary({});
      caller.end();
    });
    const spans = await tracing.ended(3);
    const caller = named(spans, "caller");
    const { client: clientSpan } = callSpans(spans.filter((s) => s.name !== "caller"));
    expect(clientSpan.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
  });

  it("header and trailer callbacks run in the caller's context, where tracing is not suppressed", async () => {
    const { client } = await start({ unary: () => ({}) });
    const tracer = tracing.provider.getTracer("caller");
    const current: Record<string, string | undefined> = {};
    await tracer.startActiveSpan("caller", async (caller) => {
      await client.unary(
        {},
        {
          onHeader: () => {
            current["header"] = trace.getActiveSpan()?.spanContext().spanId;
          },
          onTrailer: () => {
            current["trailer"] = trace.getActiveSpan()?.spanContext().spanId;
            mark("in onTrailer");
          },
        },
      );
      caller.end();
    });
    const spans = await tracing.ended(4);
    const callerId = named(spans, "caller").spanContext().spanId;
    expect(current).toEqual({ header: callerId, trailer: callerId });
    expect(named(spans, "in onTrailer").parentSpanContext?.spanId).toBe(callerId);
  });

  it("leaves the caller's context as it was", async () => {
    const { client } = await start({ unary: () => ({}) });
    const before = context.active();
    await client.unary({});
    expect(context.active()).toBe(before);
  });
});
