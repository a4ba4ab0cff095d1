// docs/tracing.md#propagation-and-context: trace context and baggage cross the wire in the metadata with the
// globally configured propagator; what the server cannot read starts a new trace.
import { Metadata } from "@grpc/grpc-js";
import { ROOT_CONTEXT, SpanKind, TraceFlags, context, propagation, trace } from "@opentelemetry/api";
import type { Context, TextMapPropagator } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { B3InjectEncoding, B3Propagator } from "@opentelemetry/propagator-b3";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { metadataGetter, metadataSetter } from "../../../packages/runtime/src/telemetry/tracing/metadata-carrier.js";
import { metadataOf, rawUnary } from "./raw-client.js";
import { callSpans, onlySpan, useTracedServer, useTracing, w3cPropagator } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";

/** A context whose current span is a remote one with these ids, as if continued from elsewhere. */
function remoteParent(traceState?: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    ...(traceState === undefined ? {} : { traceState: new TraceState(traceState) }),
  });
}

/** Serves a Unary handler that hands over its context; resolves it after a call from `parent`. */
async function callFrom(parent: Context): Promise<ServerContext> {
  let seen: ServerContext | undefined;
  const { client } = await start({
    unary(_request, serverContext) {
      seen = serverContext;
      return {};
    },
  });
  await context.with(parent, () => client.unary({}));
  if (seen === undefined) {
    throw new Error("the handler did not run");
  }
  return seen;
}

function usePropagator(propagator: TextMapPropagator): void {
  propagation.disable();
  propagation.setGlobalPropagator(propagator);
}

afterEach(() => usePropagator(w3cPropagator()));

describe("W3C trace context and baggage", () => {
  it("carry the client span, its trace state and the caller's baggage to the server", async () => {
    const baggage = propagation.createBaggage({ tenant: { value: "acme" } });
    const parent = propagation.setBaggage(remoteParent("vendor=opaque"), baggage);
    const serverContext = await callFrom(parent);
    const { client, server } = callSpans(await tracing.ended(2));

    const sent = serverContext.metadata;
    expect(sent.get("traceparent")).toEqual([`00-${TRACE_ID}-${client.spanContext().spanId}-01`]);
    expect(sent.get("tracestate")).toEqual(["vendor=opaque"]);
    expect(sent.get("baggage")).toEqual(["tenant=acme"]);
    expect(client.parentSpanContext?.spanId).toBe(SPAN_ID);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext).toMatchObject({ spanId: client.spanContext().spanId, isRemote: true });
    expect(server.spanContext().traceState?.serialize()).toBe("vendor=opaque");
  });

  it("give the handler the caller's baggage", async () => {
    let tenant: string | undefined;
    const { client } = await start({
      unary() {
        tenant = propagation.getBaggage(context.active())?.getEntry("tenant")?.value;
        return {};
      },
    });
    const parent = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ tenant: { value: "acme" } }));
    await context.with(parent, () => client.unary({}));
    expect(tenant).toBe("acme");
  });

  it("continue the trace of a plain client's traceparent, joining repeated tracestate values", async () => {
    const { address } = await start({ unary: () => ({}) });
    await rawUnary(
      address,
      metadataOf(
        ["traceparent", `00-${TRACE_ID}-${SPAN_ID}-01`],
        ["tracestate", "a=1"],
        ["tracestate", "b=2"],
        ["trace-bin", Buffer.from([1, 2, 3])],
      ),
    );
    const server = onlySpan(await tracing.ended(1), SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(server.spanContext().traceState?.serialize()).toBe("a=1,b=2");
  });

  it.each([
    ["garbage", "not-a-traceparent"],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN_ID}-01`],
    ["a bad version", `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ["a truncated span id", `00-${TRACE_ID}-b7ad6b-01`],
  ])("start a new root trace when the traceparent is %s, and the call succeeds", async (_what, traceparent) => {
    const { address } = await start({ unary: () => ({}) });
    await rawUnary(address, metadataOf(["traceparent", traceparent]));
    const server = onlySpan(await tracing.ended(1), SpanKind.SERVER);
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.spanContext().traceId).not.toBe(TRACE_ID);
    expect(trace.isSpanContextValid(server.spanContext())).toBe(true);
  });
});

describe.each([
  ["single header", B3InjectEncoding.SINGLE_HEADER, ["b3"]],
  ["multiple headers", B3InjectEncoding.MULTI_HEADER, ["x-b3-traceid", "x-b3-spanid", "x-b3-sampled"]],
])("B3, %s", (_name, injectEncoding, headers) => {
  it("links the server span to the client span through the configured propagator", async () => {
    usePropagator(new B3Propagator({ injectEncoding }));
    const serverContext = await callFrom(remoteParent());
    const { client, server } = callSpans(await tracing.ended(2));

    for (const header of headers) {
      expect(serverContext.metadata.get(header), header).toHaveLength(1);
    }
    expect(serverContext.metadata.get("traceparent")).toEqual([]);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
  });
});

describe("the metadata carrier", () => {
  it("writes with Metadata.set, replacing what the key held", () => {
    const metadata = metadataOf(["traceparent", "stale"], ["traceparent", "staler"]);
    metadataSetter.set(metadata, "traceparent", "fresh");
    expect(metadata.get("traceparent")).toEqual(["fresh"]);
  });

  it("joins repeated values, lists no binary keys and reads none", () => {
    const metadata = metadataOf(["baggage", "a=1"], ["baggage", "b=2"], ["x-id", "7"], ["trace-bin", Buffer.from("xyz")]);
    expect(metadataGetter.get(metadata, "baggage")).toBe("a=1,b=2");
    expect(metadataGetter.get(metadata, "x-id")).toBe("7");
    expect(metadataGetter.get(metadata, "missing")).toBeUndefined();
    expect(metadataGetter.get(metadata, "trace-bin")).toBeUndefined();
    expect(metadataGetter.keys(metadata).sort()).toEqual(["baggage", "x-id"]);
    expect(metadataGetter.keys(new Metadata())).toEqual([]);
  });
});
