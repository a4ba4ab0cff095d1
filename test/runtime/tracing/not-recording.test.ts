// With no SDK, or a span that is not sampled, tracing costs close to nothing: nothing
// is computed or set on a span that does not record, and what can be computed once
// per method is not computed per call.
import { INVALID_SPAN_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span, SpanOptions, Tracer, TracerProvider } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, useTestServer } from "../../support/harness.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import { metadataOf } from "./raw-client.js";

const start = useTestServer();

/** A provider whose spans never record, and which remembers what was asked of them. */
class SpyProvider implements TracerProvider {
  readonly started: { name: string; options: SpanOptions }[] = [];
  readonly calls: string[] = [];

  getTracer(): Tracer {
    const record = (call: string): void => {
      this.calls.push(call);
    };
    const started = this.started;
    return {
      startSpan(name: string, options: SpanOptions = {}, _context?: Context): Span {
        started.push({ name, options });
        const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
        return new Proxy(span, {
          get(target, property, receiver) {
            const value: unknown = Reflect.get(target, property, receiver);
            if (typeof value !== "function" || property === "isRecording" || property === "spanContext") {
              return value;
            }
            return (...args: unknown[]) => {
              record(String(property));
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
      },
      startActiveSpan(): never {
        throw new Error("not used by the runtime");
      },
    };
  }
}

describe("spans that do not record", () => {
  it("get nothing set on them but their end, whatever the call and the options", async () => {
    const provider = new SpyProvider();
    const telemetry = {
      tracing: { tracerProvider: provider, messageEvents: true, requestMetadata: ["x-a"], responseMetadata: ["x-a"] },
      metrics: false,
      prometheus: false,
    } as const;
    const { client } = await start(behaviorHandlers(), { client: { telemetry }, server: { telemetry } });
    for (const kind of kinds) {
      await collect(kind.call(client, [{ text: "a", count: 2 }, { text: "b" }], { metadata: metadataOf(["x-a", "1"]) }));
      await collect(kind.call(client, [{ behavior: Behavior.THROW }]));
      await collect(kind.call(client, [{ behavior: Behavior.FAIL_STATUS, statusCode: Code.INTERNAL }]));
    }
    const calls = kinds.length * 3;
    expect(provider.started).toHaveLength(calls * 2);
    expect(provider.calls).toEqual(Array.from({ length: calls * 2 }, () => "end"));
  });

  it("start with attributes built once per method, not per call", async () => {
    const provider = new SpyProvider();
    const telemetry = { tracing: { tracerProvider: provider }, metrics: false, prometheus: false } as const;
    const { client } = await start(behaviorHandlers(), { client: { telemetry }, server: { telemetry } });
    await client.unary({});
    await client.unary({});
    await collect(client.serverStream({}));

    const attributesOf = (name: string, kind: SpanKind): (Attributes | undefined)[] =>
      provider.started.filter((s) => s.name.endsWith(name) && s.options.kind === kind).map((s) => s.options.attributes);
    expect(provider.started.filter((s) => s.name.endsWith("/Unary"))).toHaveLength(4);
    const clientUnary = attributesOf("/Unary", SpanKind.CLIENT);
    const serverUnary = attributesOf("/Unary", SpanKind.SERVER);
    expect(clientUnary).toHaveLength(2);
    expect(serverUnary).toHaveLength(2);
    const [clientFirst, clientSecond] = clientUnary;
    const [serverFirst, serverSecond] = serverUnary;
    for (const attributes of [clientFirst, clientSecond, serverFirst, serverSecond]) {
      expect(attributes).toBeDefined();
    }
    expect(clientSecond).toBe(clientFirst);
    expect(serverSecond).toBe(serverFirst);
    expect(serverFirst).not.toBe(clientFirst);
    const clientServerStream = attributesOf("/ServerStream", SpanKind.CLIENT);
    expect(clientServerStream).toHaveLength(1);
    expect(clientServerStream[0]).toBeDefined();
    expect(clientServerStream[0]).not.toBe(clientFirst);
  });
});
