// docs/telemetry.md#spans: span names, kinds and attributes of each call kind on each side,
// in each convention mode, with the sampling-relevant ones present when the span starts.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, Context, Link } from "@opentelemetry/api";
import { SamplingDecision } from "@opentelemetry/sdk-trace-base";
import type { Sampler, SamplingResult } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import type { SemconvMode } from "protoc-gen-ts-otel-runtime";
import { VERSION } from "../../../packages/runtime/src/version.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect } from "../../support/harness.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import type { Kind } from "../../support/call-kinds.js";
import { callSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

const SERVICE = "tsotel.testing.v1.TestService";

/** What an OK call's spans carry in each mode; `port` is the server's. */
function expected(kind: Kind, mode: SemconvMode, port: number): { client: Attributes; server: Attributes } {
  const anyPort = expect.any(Number) as unknown as number;
  const current = {
    client: {
      "rpc.system.name": "grpc",
      "rpc.method": kind.fullName,
      "server.address": "127.0.0.1",
      "server.port": port,
      "network.peer.address": "127.0.0.1",
      "network.peer.port": port,
      "rpc.response.status_code": "OK",
    },
    server: {
      "rpc.system.name": "grpc",
      "rpc.method": kind.fullName,
      "server.address": "127.0.0.1",
      "server.port": port,
      "network.peer.address": "127.0.0.1",
      "network.peer.port": anyPort,
      "rpc.response.status_code": "OK",
    },
  };
  const legacy = {
    client: {
      "rpc.system": "grpc",
      "rpc.service": SERVICE,
      "rpc.method": kind.method,
      "server.address": "127.0.0.1",
      "server.port": port,
      "rpc.grpc.status_code": 0,
    },
    server: {
      "rpc.system": "grpc",
      "rpc.service": SERVICE,
      "rpc.method": kind.method,
      "net.peer.ip": "127.0.0.1",
      "net.peer.port": anyPort,
      "rpc.grpc.status_code": 0,
    },
  };
  switch (mode) {
    case "new":
      return current;
    case "legacy":
      return legacy;
    case "dup":
      // Both sets; `rpc.method` is the one name they share, and the new value wins.
      return {
        client: { ...legacy.client, ...current.client },
        server: { ...legacy.server, ...current.server },
      };
  }
}

describe.each(["new", "legacy", "dup"] as const)("span attributes, %s conventions", (mode) => {
  describe.each(kinds)("$method", (kind) => {
    it("names the spans after the method, with the right kinds, scope, parent and attributes", async () => {
      const { client, port } = await start(behaviorHandlers(), { semconv: mode });
      await collect(kind.call(client, [{ text: "a", count: 2 }]));

      const spans = await tracing.ended(2);
      expect(spans).toHaveLength(2);
      const { client: clientSpan, server: serverSpan } = callSpans(spans);
      const attributes = expected(kind, mode, port);
      for (const [span, side] of [
        [clientSpan, "client"],
        [serverSpan, "server"],
      ] as const) {
        expect(span.name).toBe(kind.fullName);
        expect(span.instrumentationScope).toMatchObject({ name: "protoc-gen-ts-otel-runtime", version: VERSION });
        expect(span.attributes).toEqual(attributes[side]);
        expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
        expect(span.events).toEqual([]);
      }
      expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    });
  });
});

describe("sampling", () => {
  it("gives samplers the method, system and server address when the span starts", async () => {
    const seen: { name: string; kind: SpanKind; attributes: Attributes }[] = [];
    const recordingSampler: Sampler = {
      shouldSample(_context: Context, _traceId: string, name: string, kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
        seen.push({ name, kind, attributes: { ...attributes } });
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      },
      toString: () => "recording sampler",
    };
    tracing.useProvider({ sampler: recordingSampler });
    const { client, port } = await start(behaviorHandlers());
    await client.unary({ text: "sampled" });
    await tracing.ended(2);

    const atStart = {
      "rpc.system.name": "grpc",
      "rpc.method": `${SERVICE}/Unary`,
      "server.address": "127.0.0.1",
      "server.port": port,
    };
    expect(seen).toEqual([
      { name: `${SERVICE}/Unary`, kind: SpanKind.CLIENT, attributes: atStart },
      { name: `${SERVICE}/Unary`, kind: SpanKind.SERVER, attributes: atStart },
    ]);
  });

  it("adds nothing to spans that are not sampled, and still propagates the decision", async () => {
    const neverSample: Sampler = {
      shouldSample: () => ({ decision: SamplingDecision.NOT_RECORD }),
      toString: () => "never",
    };
    tracing.useProvider({ sampler: neverSample });
    let traceparent: unknown;
    const { client } = await start({
      unary(_request, context) {
        traceparent = context.metadata.get("traceparent")[0];
        return {};
      },
    });
    await client.unary({});
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(tracing.spans()).toEqual([]);
  });
});

describe("OTEL_SEMCONV_STABILITY_OPT_IN", () => {
  const saved = process.env["OTEL_SEMCONV_STABILITY_OPT_IN"];
  afterEach(() => {
    if (saved === undefined) {
      delete process.env["OTEL_SEMCONV_STABILITY_OPT_IN"];
    } else {
      process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] = saved;
    }
  });

  it.each([
    ["rpc/dup", ["rpc.grpc.status_code", "rpc.response.status_code"]],
    ["http, rpc/dup", ["rpc.grpc.status_code", "rpc.response.status_code"]],
    ["rpc", ["rpc.response.status_code"]],
    ["", ["rpc.response.status_code"]],
  ])("%j selects the conventions when no option does", async (value, statusAttributes) => {
    process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] = value;
    const { client } = await start(behaviorHandlers());
    await client.unary({});
    const { client: span } = callSpans(await tracing.ended(2));
    expect(Object.keys(span.attributes).filter((name) => name.endsWith("status_code")).sort()).toEqual(statusAttributes);
  });

  it("is overridden by the semconv option", async () => {
    process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "rpc/dup";
    const { client } = await start(behaviorHandlers(), { semconv: "legacy" });
    await client.unary({});
    const { server } = callSpans(await tracing.ended(2));
    expect(server.attributes).toMatchObject({ "rpc.grpc.status_code": 0 });
    expect(server.attributes).not.toHaveProperty("rpc.response.status_code");
  });
});
