import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import { BidiStreamRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { BidiStreamRequest } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { aborted, collect, deferred, expectRpcError, handlerAborted, useTestServer, within } from "../../support/harness.js";

const start = useTestServer();

type Request = MessageInitShape<typeof BidiStreamRequestSchema>;

/** Answers every request with its text upper-cased and its position. */
async function* echo(requests: AsyncIterable<BidiStreamRequest>) {
  let index = 0;
  for await (const request of requests) {
    yield { text: request.text.toUpperCase(), index: index++, count: request.count };
  }
}

describe("bidi streaming", () => {
  it("echoes a sync iterable (an array) of init objects", async () => {
    const { client } = await start({ bidiStream: echo });
    const { messages, error } = await collect(client.bidiStream([{ text: "a" }, { text: "b", count: 2 }, { text: "c" }]));
    expect(error).toBeUndefined();
    expect(new Set(messages.map((m) => m.$typeName))).toEqual(new Set(["tsotel.testing.v1.BidiStreamResponse"]));
    expect(messages.map((m) => [m.text, m.index, m.count])).toEqual([
      ["A", 0, 0],
      ["B", 1, 2],
      ["C", 2, 0],
    ]);
  });

  it("echoes an async iterable of created messages", async () => {
    const { client } = await start({ bidiStream: echo });
    async function* requests(): AsyncGenerator<Request> {
      yield create(BidiStreamRequestSchema, { text: "x" });
      await Promise.resolve();
      yield create(BidiStreamRequestSchema, { text: "y" });
    }
    const { messages } = await collect(client.bidiStream(requests()));
    expect(messages.map((m) => m.text)).toEqual(["X", "Y"]);
  });

  it("interleaves: each request is sent only after the previous response arrived", async () => {
    const { client } = await start({ bidiStream: echo });
    const replies: string[] = [];
    let replied = deferred();
    async function* pingPong(): AsyncGenerator<Request> {
      for (const text of ["one", "two", "three"]) {
        yield { text };
        await replied.promise;
        replied = deferred();
      }
    }
    for await (const message of client.bidiStream(pingPong())) {
      replies.push(message.text);
      replied.resolve();
    }
    expect(replies).toEqual(["ONE", "TWO", "THREE"]);
  });

  it("delivers the messages sent before an RpcError, then the error with its metadata", async () => {
    const { client } = await start({
      async *bidiStream(requests, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        for await (const request of requests) {
          if (request.text === "stop") {
            const metadata = new Metadata();
            metadata.set("x-detail", "why");
            throw new RpcError(Code.FAILED_PRECONDITION, "told to stop", metadata);
          }
          yield { text: request.text };
        }
      },
    });
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const { messages, error } = await collect(
      client.bidiStream([{ text: "a" }, { text: "b" }, { text: "stop" }, { text: "never" }], {
        onHeader: (m) => headers.push(m),
        onTrailer: (m) => trailers.push(m),
      }),
    );
    expect(messages.map((m) => m.text)).toEqual(["a", "b"]);
    const rpcError = expectRpcError(error, Code.FAILED_PRECONDITION);
    expect(rpcError.rawMessage).toBe("told to stop");
    expect(rpcError.metadata.get("x-detail")).toEqual(["why"]);
    expect(rpcError.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-detail"))).toEqual([["why"]]);
  });

  it("delivers the messages sent before a plain exception, then UNKNOWN without its detail", async () => {
    const { client } = await start({
      async *bidiStream(requests) {
        for await (const request of requests) {
          if (request.text === "boom") {
            throw new Error("secret detail");
          }
          yield { text: request.text };
        }
      },
    });
    const { messages, error } = await collect(client.bidiStream([{ text: "a" }, { text: "b" }, { text: "boom" }]));
    expect(messages.map((m) => m.text)).toEqual(["a", "b"]);
    const rpcError = expectRpcError(error, Code.UNKNOWN);
    expect(rpcError.rawMessage).toBe("Unknown server error");
    expect(rpcError.message).not.toContain("secret");
  });

  it("cancels mid-stream on the caller's AbortSignal; the handler's request stream throws CANCELLED", async () => {
    const handlerError = deferred<unknown>();
    const { client } = await start({
      async *bidiStream(requests) {
        try {
          for await (const request of requests) {
            yield { text: request.text };
          }
        } catch (err) {
          handlerError.resolve(err);
          throw err;
        }
      },
    });
    const controller = new AbortController();
    const replied = deferred();
    async function* oneThenHang(): AsyncGenerator<Request> {
      yield { text: "first" };
      await replied.promise;
      await aborted(controller.signal);
    }
    const received: string[] = [];
    let error: unknown;
    try {
      for await (const message of client.bidiStream(oneThenHang(), { signal: controller.signal })) {
        received.push(message.text);
        replied.resolve();
        controller.abort();
      }
    } catch (err) {
      error = err;
    }
    expect(received).toEqual(["first"]);
    expectRpcError(error, Code.CANCELLED);
    expectRpcError(await within(handlerError.promise, "the handler's request stream to fail"), Code.CANCELLED);
  });

  it("cancels the call when the consumer leaves the loop early", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await start({
      async *bidiStream(_requests, context) {
        handlerSignal.resolve(context.signal);
        for (let index = 0; !context.signal.aborted; index++) {
          yield { index };
        }
      },
    });
    const received: number[] = [];
    // Sends nothing and stays open until the call is over.
    async function* silent(): AsyncGenerator<Request> {
      await handlerAborted(handlerSignal.promise);
      yield* [];
    }
    for await (const message of client.bidiStream(silent())) {
      received.push(message.index);
      if (received.length === 3) {
        break;
      }
    }
    expect(received).toEqual([0, 1, 2]);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
  });

  it("fails with CANCELLED carrying the cause when the request stream throws; the server sees the cancel", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await start({
      async *bidiStream(requests, context) {
        handlerSignal.resolve(context.signal);
        for await (const request of requests) {
          yield { text: request.text };
        }
      },
    });
    const boom = new Error("request source broke");
    const replied = deferred();
    async function* failing(): AsyncGenerator<Request> {
      yield { text: "first" };
      await replied.promise;
      throw boom;
    }
    const received: string[] = [];
    let error: unknown;
    try {
      for await (const message of client.bidiStream(failing())) {
        received.push(message.text);
        replied.resolve();
      }
    } catch (err) {
      error = err;
    }
    expect(received).toEqual(["first"]);
    const rpcError = expectRpcError(error, Code.CANCELLED);
    expect(rpcError.cause).toBe(boom);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
  });

  it("fails with CANCELLED when a sync request iterable throws", async () => {
    const { client } = await start({ bidiStream: echo });
    const boom = new Error("sync source broke");
    function* failing(): Generator<Request> {
      yield { text: "first" };
      throw boom;
    }
    const { error } = await collect(client.bidiStream(failing()));
    expect(expectRpcError(error, Code.CANCELLED).cause).toBe(boom);
  });
});
