// The opt-in extras: `rpc.message` events (docs/telemetry.md#message-events) and metadata captured as
// span attributes for allow-listed keys only.
import { create, toBinary } from "@bufbuild/protobuf";
import type { Attributes } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import {
  BidiStreamRequestSchema,
  BidiStreamResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { collect, rejection } from "../../support/harness.js";
import { metadataOf } from "./raw-client.js";
import { callSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

function messageEvents(span: ReadableSpan): Attributes[] {
  return span.events.filter((e) => e.name === "rpc.message").map((e) => e.attributes ?? {});
}

describe("message events", () => {
  it("count sent and received messages separately from 1, with their serialized sizes", async () => {
    const { client } = await start(
      {
        async *bidiStream(requests) {
          for await (const request of requests) {
            yield { text: request.text.repeat(2) };
            yield { text: "ack" };
          }
        },
      },
      { tracing: { messageEvents: true } },
    );
    const texts = ["a", "bbbbbbbbbb"];
    await collect(client.bidiStream(texts.map((text) => ({ text }))));
    const { client: clientSpan, server: serverSpan } = callSpans(await tracing.ended(2));

    const requestSizes = texts.map((text) => toBinary(BidiStreamRequestSchema, create(BidiStreamRequestSchema, { text })).length);
    const responseSizes = texts
      .flatMap((text) => [text.repeat(2), "ack"])
      .map((text) => toBinary(BidiStreamResponseSchema, create(BidiStreamResponseSchema, { text })).length);
    const events = (type: string, sizes: number[]): Attributes[] =>
      sizes.map((size, i) => ({ "rpc.message.type": type, "rpc.message.id": i + 1, "rpc.message.uncompressed_size": size }));
    const sorted = (list: Attributes[]): Attributes[] =>
      [...list].sort((x, y) => String(x["rpc.message.type"]).localeCompare(String(y["rpc.message.type"])));

    expect(sorted(messageEvents(clientSpan))).toEqual([...events("RECEIVED", responseSizes), ...events("SENT", requestSizes)]);
    expect(sorted(messageEvents(serverSpan))).toEqual([...events("RECEIVED", requestSizes), ...events("SENT", responseSizes)]);
  });

  it("are off by default", async () => {
    const { client } = await start({ unary: () => ({ text: "x" }) });
    await client.unary({ text: "y" });
    const spans = await tracing.ended(2);
    expect(spans.flatMap(messageEvents)).toEqual([]);
  });
});

describe("metadata capture", () => {
  const serveWithMetadata = (mode?: "dup") =>
    start(
      {
        unary(_request, context) {
          context.header.set("x-served-by", "b1");
          context.header.set("x-private", "not listed");
          context.trailer.set("x-detail", "trailer value");
          throw new RpcError(Code.NOT_FOUND, "nope", metadataOf(["x-detail", "from the error"]));
        },
      },
      {
        tracing: {
          requestMetadata: ["X-Tenant", "x-token-bin", "x-absent"],
          responseMetadata: ["x-served-by", "x-detail"],
        },
        ...(mode === undefined ? {} : { semconv: mode }),
      },
    );

  const request = () =>
    metadataOf(["x-tenant", "acme"], ["x-tenant", "beta"], ["x-token-bin", Buffer.from([0xde, 0xad])], ["x-secret", "hunter2"]);

  it("records allow-listed request and response keys, headers and trailers, and nothing else", async () => {
    const { client } = await serveWithMetadata();
    await rejection(client.unary({}, { metadata: request() }));
    const spans = callSpans(await tracing.ended(2));

    const captured = (span: ReadableSpan): Attributes =>
      Object.fromEntries(Object.entries(span.attributes).filter(([name]) => name.includes(".metadata.")));
    // Each side records the values as it sends or receives them: HTTP/2 delivers a
    // repeated key as one comma-joined value.
    expect(captured(spans.client)).toEqual({
      "rpc.request.metadata.x-tenant": ["acme", "beta"],
      "rpc.request.metadata.x-token-bin": ["3q0="],
      "rpc.response.metadata.x-served-by": ["b1"],
      "rpc.response.metadata.x-detail": ["trailer value, from the error"],
    });
    expect(captured(spans.server)).toEqual({
      "rpc.request.metadata.x-tenant": ["acme, beta"],
      "rpc.request.metadata.x-token-bin": ["3q0="],
      "rpc.response.metadata.x-served-by": ["b1"],
      "rpc.response.metadata.x-detail": ["trailer value", "from the error"],
    });
    expect(JSON.stringify([spans.client.attributes, spans.server.attributes])).not.toContain("hunter2");
  });

  it("uses both the new and the legacy names in dup mode", async () => {
    const { client } = await serveWithMetadata("dup");
    await rejection(client.unary({}, { metadata: request() }));
    const { server } = callSpans(await tracing.ended(2));
    expect(server.attributes).toMatchObject({
      "rpc.request.metadata.x-tenant": ["acme, beta"],
      "rpc.grpc.request.metadata.x-tenant": ["acme, beta"],
      "rpc.response.metadata.x-served-by": ["b1"],
      "rpc.grpc.response.metadata.x-served-by": ["b1"],
    });
  });

  it("is off by default", async () => {
    const { client } = await start({ unary: () => ({}) });
    await client.unary({}, { metadata: request() });
    const spans = await tracing.ended(2);
    expect(spans.flatMap((s) => Object.keys(s.attributes)).filter((name) => name.includes(".metadata."))).toEqual([]);
  });
});
