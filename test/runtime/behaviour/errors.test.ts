import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError, codeName } from "protoc-gen-ts-otel-runtime";
import { collect, expectRpcError, rejection, useTestServer } from "../../support/harness.js";

const start = useTestServer();

const LIMIT = 1024;
const BIG = new Uint8Array(4 * LIMIT);

describe("message size limits", () => {
  it("fails with RESOURCE_EXHAUSTED when a response exceeds the client's receive limit", async () => {
    const { client } = await start(
      { unary: () => ({ payload: BIG }) },
      { client: { channelOptions: { "grpc.max_receive_message_length": LIMIT } } },
    );
    const error = expectRpcError(await rejection(client.unary({})), Code.RESOURCE_EXHAUSTED);
    expect(error.rawMessage).toMatch(/larger than|exceeds|too large/i);
  });

  it("delivers a server stream's messages up to the one over the client's limit", async () => {
    const { client } = await start(
      {
        *serverStream() {
          yield { index: 0 };
          yield { index: 1 };
          yield { index: 2, payload: BIG };
          yield { index: 3 };
        },
      },
      { client: { channelOptions: { "grpc.max_receive_message_length": LIMIT } } },
    );
    const { messages, error } = await collect(client.serverStream({}));
    expect(messages.map((m) => m.index)).toEqual([0, 1]);
    expectRpcError(error, Code.RESOURCE_EXHAUSTED);
  });

  it("fails with RESOURCE_EXHAUSTED when a request exceeds the server's receive limit; the handler never runs", async () => {
    let calls = 0;
    const { client } = await start(
      {
        unary() {
          calls++;
          return {};
        },
        async clientStream(requests) {
          for await (const _request of requests) {
            calls++;
          }
          return {};
        },
      },
      { grpcServer: { "grpc.max_receive_message_length": LIMIT } },
    );
    const error = expectRpcError(await rejection(client.unary({ payload: BIG })), Code.RESOURCE_EXHAUSTED);
    expect(error.rawMessage).toMatch(/larger than|exceeds|too large/i);
    expectRpcError(await rejection(client.clientStream([{ payload: BIG }])), Code.RESOURCE_EXHAUSTED);
    expect(calls).toBe(0);
  });
});

describe("RpcError", () => {
  it("carries the code in its message and the status message as rawMessage", () => {
    const error = new RpcError(Code.NOT_FOUND, "no such user");
    expect(error.message).toBe("[NOT_FOUND] no such user");
    expect(error.rawMessage).toBe("no such user");
    expect(error.name).toBe("RpcError");
    expect(error.metadata).toBeInstanceOf(Metadata);
    expect(error).toBeInstanceOf(Error);
    expect(codeName(Code.DEADLINE_EXCEEDED)).toBe("DEADLINE_EXCEEDED");
    expect(codeName(99)).toBe("CODE_99");
  });

  it("from() returns an RpcError as it is", () => {
    const error = new RpcError(Code.ABORTED, "x");
    expect(RpcError.from(error)).toBe(error);
  });

  it("from() keeps the code, details and trailers of a real grpc-js ServiceError", async () => {
    const { address } = await start({
      unary() {
        const metadata = new Metadata();
        metadata.set("x-detail", "why");
        throw new RpcError(Code.NOT_FOUND, "no such thing", metadata);
      },
    });
    // A bare grpc-js client, as code that mixes stubs would have.
    const raw = new Client(address, credentials.createInsecure());
    try {
      const serviceError = await new Promise<ServiceError>((resolve, reject) => {
        raw.makeUnaryRequest(
          "/tsotel.testing.v1.TestService/Unary",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (err) => (err === null ? reject(new Error("expected the call to fail")) : resolve(err)),
        );
      });
      const error = RpcError.from(serviceError);
      expect(error.code).toBe(Code.NOT_FOUND);
      expect(error.rawMessage).toBe("no such thing");
      expect(error.metadata.get("x-detail")).toEqual(["why"]);
      expect(error.cause).toBe(serviceError);
    } finally {
      raw.close();
    }
  });

  it("from() turns a plain Error into the fallback code, keeping it as the cause", () => {
    const boom = new Error("boom");
    const unknown = RpcError.from(boom);
    expect(unknown.code).toBe(Code.UNKNOWN);
    expect(unknown.rawMessage).toBe("boom");
    expect(unknown.cause).toBe(boom);
    expect(RpcError.from(boom, Code.INTERNAL).code).toBe(Code.INTERNAL);
  });

  it("from() turns a string or any other value into a message", () => {
    const fromString = RpcError.from("just text");
    expect(fromString.code).toBe(Code.UNKNOWN);
    expect(fromString.rawMessage).toBe("just text");
    expect(RpcError.from(undefined).rawMessage).toBe("undefined");
  });

  it("from() does not mistake an error with a non-gRPC code (a Node system error) for a status", () => {
    const system = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104 });
    const error = RpcError.from(system);
    expect(error.code).toBe(Code.UNKNOWN);
    expect(error.rawMessage).toBe("read ECONNRESET");
    expect(RpcError.from({ code: 42, details: "not a status" }).code).toBe(Code.UNKNOWN);
  });

  it("recognises an RpcError of another copy of the package by its registered brand", () => {
    // What a second copy of the runtime (ESM next to CJS, or another version) constructs.
    class ForeignRpcError extends Error {
      readonly code = Code.ABORTED;
      readonly rawMessage = "from the other copy";
      readonly metadata = new Metadata();
      constructor() {
        super("[ABORTED] from the other copy");
        Object.defineProperty(this, Symbol.for("protoc-gen-ts-otel.RpcError"), { value: true });
      }
    }
    const foreign = new ForeignRpcError();
    expect(foreign).toBeInstanceOf(RpcError);
    expect(RpcError.from(foreign)).toBe(foreign);

    expect(new Error("plain")).not.toBeInstanceOf(RpcError);
    expect({ code: Code.ABORTED, rawMessage: "look-alike" }).not.toBeInstanceOf(RpcError);
    expect(null).not.toBeInstanceOf(RpcError);
    expect("text").not.toBeInstanceOf(RpcError);
  });
});
