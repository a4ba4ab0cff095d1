import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import { ClientStreamRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { ClientStreamRequest } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { aborted, deferred, expectRpcError, handlerAborted, rejection, useTestServer, within } from "../../support/harness.js";

const start = useTestServer();

type Request = MessageInitShape<typeof ClientStreamRequestSchema>;

/** Joins the texts and sums the counts of every request. */
async function summarize(requests: AsyncIterable<ClientStreamRequest>) {
  const texts: string[] = [];
  let count = 0;
  for await (const request of requests) {
    texts.push(request.text);
    count += request.count;
  }
  return { text: texts.join(","), count };
}

async function* generate(requests: readonly Request[]): AsyncGenerator<Request> {
  for (const request of requests) {
    await Promise.resolve();
    yield request;
  }
}

describe("client streaming", () => {
  it("sends a sync iterable (an array) of init objects", async () => {
    const { client } = await start({ clientStream: summarize });
    const response = await client.clientStream([
      { text: "a", count: 1 },
      { text: "b", count: 2 },
      { text: "c", count: 3 },
    ]);
    expect(response.$typeName).toBe("tsotel.testing.v1.ClientStreamResponse");
    expect(response.text).toBe("a,b,c");
    expect(response.count).toBe(6);
  });

  it("sends an async iterable of created messages", async () => {
    const { client } = await start({ clientStream: summarize });
    const response = await client.clientStream(
      generate([
        create(ClientStreamRequestSchema, { text: "x", count: 10 }),
        create(ClientStreamRequestSchema, { text: "y" }),
      ]),
    );
    expect(response.text).toBe("x,y");
    expect(response.count).toBe(10);
  });

  it("sends an empty stream", async () => {
    const { client } = await start({ clientStream: summarize });
    const response = await client.clientStream([]);
    expect(response.text).toBe("");
    expect(response.count).toBe(0);
  });

  it("answers an RpcError with its code, message and metadata, plus header and trailer", async () => {
    const { client } = await start({
      async clientStream(requests, context) {
        context.header.set("x-header", "h");
        context.trailer.set("x-trailer", "t");
        for await (const request of requests) {
          if (request.text === "bad") {
            const metadata = new Metadata();
            metadata.set("x-detail", "why");
            throw new RpcError(Code.INVALID_ARGUMENT, "bad request", metadata);
          }
        }
        return {};
      },
    });
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const err = await rejection(
      client.clientStream([{ text: "good" }, { text: "bad" }], {
        onHeader: (m) => headers.push(m),
        onTrailer: (m) => trailers.push(m),
      }),
    );
    const error = expectRpcError(err, Code.INVALID_ARGUMENT);
    expect(error.rawMessage).toBe("bad request");
    expect(error.metadata.get("x-detail")).toEqual(["why"]);
    expect(error.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-detail"))).toEqual([["why"]]);
  });

  it("cancels when the caller's AbortSignal fires; the handler's request stream throws CANCELLED", async () => {
    const handlerError = deferred<unknown>();
    const received = deferred();
    const { client } = await start({
      async clientStream(requests) {
        try {
          for await (const _request of requests) {
            received.resolve();
          }
        } catch (err) {
          handlerError.resolve(err);
          throw err;
        }
        return {};
      },
    });
    const controller = new AbortController();
    // A request stream that sends one message, then stays open.
    async function* oneThenHang(): AsyncGenerator<Request> {
      yield { text: "first" };
      await aborted(controller.signal);
    }
    const call = client.clientStream(oneThenHang(), { signal: controller.signal });
    await received.promise;
    controller.abort();
    expectRpcError(await rejection(call), Code.CANCELLED);
    expectRpcError(await within(handlerError.promise, "the handler's request stream to fail"), Code.CANCELLED);
  });

  it("fails with CANCELLED and the cause when the async request stream throws; the server sees the cancel", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const firstReceived = deferred();
    const { client } = await start({
      async clientStream(requests, context) {
        handlerSignal.resolve(context.signal);
        for await (const _request of requests) {
          firstReceived.resolve();
        }
        return {};
      },
    });
    const boom = new Error("request source broke");
    async function* failing(): AsyncGenerator<Request> {
      yield { text: "first" };
      await firstReceived.promise;
      throw boom;
    }
    const error = expectRpcError(await rejection(client.clientStream(failing())), Code.CANCELLED);
    expect(error.cause).toBe(boom);
    expect(error.rawMessage).toContain("request source broke");
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.CANCELLED);
  });

  it("fails with CANCELLED carrying the cause when a sync request iterable throws", async () => {
    const { client } = await start({ clientStream: summarize });
    const boom = new Error("sync source broke");
    function* failing(): Generator<Request> {
      yield { text: "first" };
      throw boom;
    }
    const error = expectRpcError(await rejection(client.clientStream(failing())), Code.CANCELLED);
    expect(error.cause).toBe(boom);
  });

  it("answers before the client has finished sending, when the handler stops reading early", async () => {
    const { client } = await start({
      async clientStream(requests) {
        for await (const request of requests) {
          return { text: `first was ${request.text}` };
        }
        return {};
      },
    });
    const response = await client.clientStream([{ text: "a" }, { text: "b" }, { text: "c" }]);
    expect(response.text).toBe("first was a");
  });
});
