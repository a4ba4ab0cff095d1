// The rich error model: RpcError's google.rpc.Status details, sent by generated servers
// in the grpc-status-details-bin trailer and decoded by generated clients.
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AnySchema, DurationSchema, anyPack } from "@bufbuild/protobuf/wkt";
import { beforeEach, describe, expect, it } from "vitest";
import {
  BadRequestSchema,
  Code,
  DebugInfoSchema,
  ErrorInfoSchema,
  LocalizedMessageSchema,
  RetryInfoSchema,
  RpcError,
  StatusSchema,
} from "protoc-gen-ts-otel-runtime";
import type { ErrorDetail } from "protoc-gen-ts-otel-runtime";
import { UnaryRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { captureDiag } from "../../support/diag-capture.js";
import { resetProcessState } from "../../support/process-state.js";
import { collect, expectRpcError, rejection, useTestServer } from "../../support/harness.js";

const start = useTestServer();
const reported = captureDiag();
beforeEach(resetProcessState);

const KEY = "grpc-status-details-bin";

const errorInfo = create(ErrorInfoSchema, { reason: "STOCK_EMPTY", domain: "shop.example.com", metadata: { sku: "A-1" } });
const badRequest = create(BadRequestSchema, { fieldViolations: [{ field: "quantity", description: "must be positive" }] });

/** The error a handler throws in these tests: two standard details and one given with its schema. */
function richError(): RpcError {
  return new RpcError(Code.FAILED_PRECONDITION, "out of stock", undefined, {
    details: [errorInfo, badRequest, { desc: RetryInfoSchema, value: { retryDelay: { seconds: 3n } } }],
  });
}

/** A grpc-js status error whose trailers carry `value` as the details trailer. */
function statusError(code: Code, value: Buffer | string): ServiceError {
  const metadata = new Metadata();
  metadata.set(KEY, value);
  return Object.assign(new Error("status"), { code, details: "failed", metadata });
}

function statusBytes(code: Code, message: string, details: ErrorDetail[]): Buffer {
  const error = new RpcError(code, message, undefined, { details });
  return Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code, message, details: [...error.details] })));
}

describe("RpcError details", () => {
  it("packs standard details, details with their schema and packed Anys, in order", () => {
    const custom = anyPack(UnaryRequestSchema, create(UnaryRequestSchema, { text: "mine" }));
    const error = new RpcError(Code.INVALID_ARGUMENT, "bad", undefined, {
      details: [errorInfo, { desc: DebugInfoSchema, value: { detail: "trace" } }, custom],
    });
    expect(error.details.map((d) => d.typeUrl)).toEqual([
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.DebugInfo",
      "type.googleapis.com/tsotel.testing.v1.UnaryRequest",
    ]);
    expect(error.details[2]).toBe(custom);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([errorInfo]);
    expect(error.findDetails(DebugInfoSchema).map((d) => d.detail)).toEqual(["trace"]);
    expect(error.findDetails(UnaryRequestSchema).map((d) => d.text)).toEqual(["mine"]);
    expect(error.findDetails(LocalizedMessageSchema)).toEqual([]);
  });

  it("has none unless given, and finds every detail of a type", () => {
    expect(new RpcError(Code.NOT_FOUND, "x").details).toEqual([]);
    expect(new RpcError(Code.NOT_FOUND, "x").findDetails(ErrorInfoSchema)).toEqual([]);
    const second = create(ErrorInfoSchema, { reason: "SECOND" });
    const error = new RpcError(Code.ABORTED, "x", undefined, { details: [errorInfo, badRequest, second] });
    expect(error.findDetails(ErrorInfoSchema).map((d) => d.reason)).toEqual(["STOCK_EMPTY", "SECOND"]);
  });

  it("leaves out a detail whose bytes do not parse as its type, or whose type URL names no type", () => {
    const broken = create(AnySchema, { typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value: new Uint8Array([0x0a, 0x05]) });
    const nameless = create(AnySchema, { typeUrl: "type.googleapis.com/", value: new Uint8Array() });
    const error = new RpcError(Code.INTERNAL, "x", undefined, { details: [broken, nameless, errorInfo] });
    expect(error.findDetails(ErrorInfoSchema)).toEqual([errorInfo]);
  });

  it("refuses a message it has no schema for", () => {
    const unknown = create(UnaryRequestSchema) as unknown as ErrorDetail;
    expect(() => new RpcError(Code.INTERNAL, "x", undefined, { details: [unknown] })).toThrow(
      /tsotel\.testing\.v1\.UnaryRequest is not a google\.rpc error detail/,
    );
  });

  it("from() decodes the details trailer of a grpc-js status error", () => {
    const error = RpcError.from(statusError(Code.FAILED_PRECONDITION, statusBytes(Code.FAILED_PRECONDITION, "failed", [errorInfo])));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([errorInfo]);
    expect(reported).toEqual([]);
  });

  it.each([
    ["bytes that are no Status", Buffer.from([0x0a, 0xff, 0xff])],
    ["a Status with another code", statusBytes(Code.NOT_FOUND, "failed", [errorInfo])],
  ])("from() keeps the status and reports once when the trailer holds %s", (_what, value) => {
    for (let i = 0; i < 2; i++) {
      const error = RpcError.from(statusError(Code.FAILED_PRECONDITION, value));
      expect(error.code).toBe(Code.FAILED_PRECONDITION);
      expect(error.rawMessage).toBe("failed");
      expect(error.details).toEqual([]);
    }
    expect(reported).toEqual([{ level: "warn", message: expect.stringContaining(`a ${KEY} trailer could not be read`) as string }]);
  });
});

describe("details over the wire", () => {
  it("reach a generated client from every kind of handler, with the status unchanged", async () => {
    const { client } = await start({
      unary() {
        throw richError();
      },
      async *serverStream() {
        yield { index: 1 };
        throw richError();
      },
      async clientStream(requests) {
        for await (const _request of requests) {
          // Reads the whole stream before failing.
        }
        throw richError();
      },
      async *bidiStream(requests) {
        for await (const _request of requests) {
          throw richError();
        }
        yield {};
      },
    });
    const stream = await collect(client.serverStream({}));
    expect(stream.messages).toHaveLength(1);
    const errors = [
      await rejection(client.unary({})),
      stream.error,
      await rejection(client.clientStream([{}, {}])),
      (await collect(client.bidiStream([{}]))).error,
    ];
    for (const reason of errors) {
      const error = expectRpcError(reason, Code.FAILED_PRECONDITION);
      expect(error.rawMessage).toBe("out of stock");
      expect(error.findDetails(ErrorInfoSchema)).toEqual([errorInfo]);
      expect(error.findDetails(BadRequestSchema)).toEqual([badRequest]);
      expect(error.findDetails(RetryInfoSchema).map((r) => r.retryDelay)).toEqual([create(DurationSchema, { seconds: 3n })]);
    }
  });

  it("go out as the standard google.rpc.Status trailer, which a plain grpc-js client reads", async () => {
    const { client, address } = await start({
      unary() {
        throw richError();
      },
    });
    // The generated client keeps the trailers on the error, as grpc-js does.
    const generated = expectRpcError(await rejection(client.unary({})), Code.FAILED_PRECONDITION);
    expect(generated.metadata.get(KEY)).toHaveLength(1);

    const plain = new Client(address, credentials.createInsecure());
    try {
      const error = await new Promise<ServiceError>((resolve, reject) => {
        plain.makeUnaryRequest(
          "/tsotel.testing.v1.TestService/Unary",
          (value: Uint8Array) => Buffer.from(value),
          (value: Buffer) => value,
          new Uint8Array(),
          (err) => (err === null ? reject(new Error("the call succeeded")) : resolve(err)),
        );
      });
      const [value] = error.metadata.get(KEY);
      if (!(value instanceof Buffer)) throw new Error(`no binary ${KEY} trailer: ${String(value)}`);
      const status = fromBinary(StatusSchema, value);
      expect(status.code).toBe(Code.FAILED_PRECONDITION);
      expect(status.message).toBe(error.details);
      expect(status.details.map((d) => d.typeUrl)).toEqual([
        "type.googleapis.com/google.rpc.ErrorInfo",
        "type.googleapis.com/google.rpc.BadRequest",
        "type.googleapis.com/google.rpc.RetryInfo",
      ]);
      expect(fromBinary(ErrorInfoSchema, status.details[0]?.value ?? new Uint8Array())).toEqual(errorInfo);
    } finally {
      plain.close();
    }
  });

  it("are left out of an error without them, and of errors that are not RpcErrors", async () => {
    const { client } = await start({
      unary(request) {
        if (request.text === "plain") throw new RpcError(Code.NOT_FOUND, "none");
        throw new Error("handler bug");
      },
    });
    for (const [text, code] of [["plain", Code.NOT_FOUND], ["bug", Code.UNKNOWN]] as const) {
      const error = expectRpcError(await rejection(client.unary({ text })), code);
      expect(error.details).toEqual([]);
      expect(error.metadata.get(KEY)).toEqual([]);
    }
  });

  it("pass through a handler that rethrows a downstream call's error", async () => {
    const downstream = await start({
      unary() {
        throw richError();
      },
    });
    const { client } = await start({
      async unary(request) {
        return downstream.client.unary(request);
      },
    });
    const error = expectRpcError(await rejection(client.unary({})), Code.FAILED_PRECONDITION);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([errorInfo]);
    expect(error.metadata.get(KEY)).toHaveLength(1);
  });

  it("a malformed details trailer leaves the call's status as it is, reported once", async () => {
    const { client } = await start({
      unary() {
        const metadata = new Metadata();
        metadata.set(KEY, Buffer.from("not a status"));
        throw new RpcError(Code.RESOURCE_EXHAUSTED, "slow down", metadata);
      },
    });
    for (let i = 0; i < 2; i++) {
      const error = expectRpcError(await rejection(client.unary({})), Code.RESOURCE_EXHAUSTED);
      expect(error.rawMessage).toBe("slow down");
      expect(error.details).toEqual([]);
    }
    expect(reported.filter((m) => m.message.includes(KEY))).toHaveLength(1);
  });
});
