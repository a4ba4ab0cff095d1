import { create } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { UnaryRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { UnaryRequest } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { aborted, deferred, expectRpcError, handlerAborted, rejection, useTestServer } from "../../support/harness.js";

const start = useTestServer();

function echo(request: UnaryRequest) {
  return { text: request.text.toUpperCase(), count: request.count + 1, payload: request.payload.toReversed() };
}

describe("unary", () => {
  it("round-trips a request given as an init object", async () => {
    const { client } = await start({ unary: echo });
    const response = await client.unary({ text: "hello", count: 41, payload: new Uint8Array([1, 2, 3]) });
    expect(response.$typeName).toBe("tsotel.testing.v1.UnaryResponse");
    expect(response.text).toBe("HELLO");
    expect(response.count).toBe(42);
    expect(response.payload).toEqual(new Uint8Array([3, 2, 1]));
  });

  it("round-trips a request given as a created message", async () => {
    const { client } = await start({ unary: echo });
    const response = await client.unary(create(UnaryRequestSchema, { text: "made", count: 1 }));
    expect(response.text).toBe("MADE");
    expect(response.count).toBe(2);
  });

  it("hands request metadata to the handler and header and trailer to the client", async () => {
    const { client } = await start({
      unary(request, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        return { text: String(context.metadata.get("x-request")[0]) };
      },
    });
    const metadata = new Metadata();
    metadata.set("x-request", "from-client");
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const response = await client.unary(
      {},
      { metadata, onHeader: (m) => headers.push(m), onTrailer: (m) => trailers.push(m) },
    );
    expect(response.text).toBe("from-client");
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-trailer"))).toEqual([["t"]]);
  });

  it("answers an RpcError with its code, message and metadata, plus header and trailer", async () => {
    const { client } = await start({
      unary(_request, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        const metadata = new Metadata();
        metadata.set("x-detail", "why");
        metadata.set("x-detail-bin", Buffer.from([0, 255]));
        throw new RpcError(Code.NOT_FOUND, "no such thing", metadata);
      },
    });
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const err = await rejection(client.unary({}, { onHeader: (m) => headers.push(m), onTrailer: (m) => trailers.push(m) }));
    const error = expectRpcError(err, Code.NOT_FOUND);
    expect(error.rawMessage).toBe("no such thing");
    expect(error.message).toBe("[NOT_FOUND] no such thing");
    expect(error.metadata.get("x-detail")).toEqual(["why"]);
    expect(error.metadata.get("x-detail-bin")).toEqual([Buffer.from([0, 255])]);
    expect(error.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-detail"))).toEqual([["why"]]);
  });

  it("accepts a Date as deadline and shows the handler the deadline", async () => {
    const deadline = new Date(Date.now() + 60_000);
    const seen = deferred<ServerContext["deadline"]>();
    const { client } = await start({
      unary(_request, context) {
        seen.resolve(context.deadline);
        return {};
      },
    });
    await client.unary({}, { deadline });
    const serverDeadline = Number(await seen.promise);
    // The wire carries a relative timeout, so the server's deadline is near, not equal.
    expect(Math.abs(serverDeadline - deadline.getTime())).toBeLessThan(5_000);
  });

  it("cancels when the caller's AbortSignal fires, and the handler's signal fires", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await start({
      async unary(_request, context) {
        handlerSignal.resolve(context.signal);
        await aborted(context.signal);
        return {};
      },
    });
    const controller = new AbortController();
    const call = client.unary({}, { signal: controller.signal });
    await handlerSignal.promise;
    controller.abort();
    expectRpcError(await rejection(call), Code.CANCELLED);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
  });

  it("fails with CANCELLED without calling the handler when the signal has already fired", async () => {
    let calls = 0;
    const { client } = await start({
      unary() {
        calls++;
        return {};
      },
    });
    const err = await rejection(client.unary({}, { signal: AbortSignal.abort() }));
    expectRpcError(err, Code.CANCELLED);
    // A second call on the same client proves the server is reachable and counts handler runs.
    await client.unary({});
    expect(calls).toBe(1);
  });

  it("answers a rejected promise with UNKNOWN too", async () => {
    const { client } = await start({
      unary: () => Promise.reject(new Error("secret detail")),
    });
    const error = expectRpcError(await rejection(client.unary({})), Code.UNKNOWN);
    expect(error.rawMessage).not.toContain("secret");
  });
});
