import { create } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import { ServerStreamRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { ServerStreamRequest } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { aborted, collect, deferred, expectRpcError, handlerAborted, useTestServer, within } from "../../support/harness.js";

const start = useTestServer();

async function* countTo(request: ServerStreamRequest) {
  for (let index = 0; index < request.count; index++) {
    yield { text: request.text, index, payload: request.payload };
  }
}

describe("server streaming", () => {
  it("streams every response of a request given as an init object", async () => {
    const { client } = await start({ serverStream: countTo });
    const { messages, error } = await collect(client.serverStream({ text: "t", count: 5, payload: new Uint8Array([7]) }));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(messages.map((m) => m.$typeName))).toEqual(new Set(["tsotel.testing.v1.ServerStreamResponse"]));
    expect(messages.map((m) => m.text)).toEqual(["t", "t", "t", "t", "t"]);
    expect(messages[4]?.payload).toEqual(new Uint8Array([7]));
  });

  it("streams the responses of a request given as a created message", async () => {
    const { client } = await start({ serverStream: countTo });
    const { messages } = await collect(client.serverStream(create(ServerStreamRequestSchema, { text: "made", count: 2 })));
    expect(messages.map((m) => `${m.text}${m.index}`)).toEqual(["made0", "made1"]);
  });

  it("serves a handler that returns a plain array", async () => {
    const { client } = await start({ serverStream: (request) => [{ text: request.text }, { text: "second" }] });
    const { messages, error } = await collect(client.serverStream({ text: "first" }));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["first", "second"]);
  });

  it("ends an empty stream with OK", async () => {
    const { client } = await start({ serverStream: countTo });
    const { messages, error } = await collect(client.serverStream({ count: 0 }));
    expect(messages).toEqual([]);
    expect(error).toBeUndefined();
  });

  it("delivers the messages sent before an RpcError, then the error with its metadata", async () => {
    const { client } = await start({
      async *serverStream(_request, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        yield { index: 0 };
        yield { index: 1 };
        const metadata = new Metadata();
        metadata.set("x-detail", "why");
        throw new RpcError(Code.NOT_FOUND, "gone mid-stream", metadata);
      },
    });
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const { messages, error } = await collect(
      client.serverStream({}, { onHeader: (m) => headers.push(m), onTrailer: (m) => trailers.push(m) }),
    );
    expect(messages.map((m) => m.index)).toEqual([0, 1]);
    const rpcError = expectRpcError(error, Code.NOT_FOUND);
    expect(rpcError.rawMessage).toBe("gone mid-stream");
    expect(rpcError.metadata.get("x-detail")).toEqual(["why"]);
    expect(rpcError.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-detail"))).toEqual([["why"]]);
  });

  it("answers an RpcError thrown before the first message, header and trailer included", async () => {
    const { client } = await start({
      serverStream(_request, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        throw new RpcError(Code.PERMISSION_DENIED, "not yours");
      },
    });
    const headers: Metadata[] = [];
    const { messages, error } = await collect(client.serverStream({}, { onHeader: (m) => headers.push(m) }));
    expect(messages).toEqual([]);
    const rpcError = expectRpcError(error, Code.PERMISSION_DENIED);
    expect(rpcError.rawMessage).toBe("not yours");
    expect(rpcError.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
  });

  it("delivers the messages sent before a plain exception, then UNKNOWN without its detail", async () => {
    const { client } = await start({
      async *serverStream() {
        yield { index: 0 };
        yield { index: 1 };
        yield { index: 2 };
        throw new Error("secret detail");
      },
    });
    const { messages, error } = await collect(client.serverStream({}));
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2]);
    const rpcError = expectRpcError(error, Code.UNKNOWN);
    expect(rpcError.rawMessage).toBe("Unknown server error");
    expect(rpcError.message).not.toContain("secret");
  });

  it("cancels mid-stream when the caller's AbortSignal fires; the handler's signal fires", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const finallyRan = deferred();
    const { client } = await start({
      async *serverStream(_request, context) {
        handlerSignal.resolve(context.signal);
        try {
          for (let index = 0; ; index++) {
            yield { index };
            if (index >= 2) {
              await aborted(context.signal);
            }
          }
        } finally {
          finallyRan.resolve();
        }
      },
    });
    const controller = new AbortController();
    const received: number[] = [];
    let error: unknown;
    try {
      for await (const message of client.serverStream({}, { signal: controller.signal })) {
        received.push(message.index);
        if (message.index === 1) {
          controller.abort();
        }
      }
    } catch (err) {
      error = err;
    }
    expect(received.slice(0, 2)).toEqual([0, 1]);
    expectRpcError(error, Code.CANCELLED);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
    await within(finallyRan.promise, "the handler's finally block");
  });

  it("cancels the call when the consumer leaves the loop early", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await start({
      async *serverStream(_request, context) {
        handlerSignal.resolve(context.signal);
        for (let index = 0; !context.signal.aborted; index++) {
          yield { index };
        }
      },
    });
    const received: number[] = [];
    for await (const message of client.serverStream({})) {
      received.push(message.index);
      if (received.length === 3) {
        break;
      }
    }
    expect(received).toEqual([0, 1, 2]);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
  });
});
