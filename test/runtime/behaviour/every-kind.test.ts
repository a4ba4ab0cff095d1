// What every call kind does alike, one table row per kind (test/support/call-kinds.ts);
// the per-kind files hold what differs.
import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { MESSAGES_BEFORE_FAILURE, SECRET, behaviorHandlers } from "../../support/behavior-handlers.js";
import { KINDS } from "../../support/call-kinds.js";
import { SERVER_KINDS, SHORT_DEADLINE_MS, collect, deferred, expectRpcError, handlerAborted, useTestServer } from "../../support/harness.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";

const start = useTestServer();

/** Every kind on both servers: each learns a call's end its own way (docs/telemetry.md). */
const onBothServers = <K>(kinds: readonly K[]) => SERVER_KINDS.flatMap((serverKind) => kinds.map((kind) => ({ serverKind, kind })));

describe.each(onBothServers(KINDS))("$kind.method on $serverKind", ({ serverKind, kind }) => {
  const serve = (handlers: Partial<TestServiceHandlers>) => start(handlers, { serverKind });
  it("fails with DEADLINE_EXCEEDED and aborts the handler's signal with that code", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await serve(behaviorHandlers({ onCall: (context) => handlerSignal.resolve(context.signal) }));
    // A streaming response sends its first message before the handler waits.
    const request = { text: "first", count: 1, behavior: Behavior.WAIT_FOR_CANCEL };
    const { messages, error } = await collect(kind.call(client, [request], { deadline: Date.now() + SHORT_DEADLINE_MS }));
    expect(messages.map((m) => [m.text, m.index])).toEqual(kind.streamsResponses ? [["first", 0]] : []);
    expectRpcError(error, Code.DEADLINE_EXCEEDED);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.DEADLINE_EXCEEDED);
  });

  it("answers an RpcError with its code, message and metadata, plus the header and trailer the handler set", async () => {
    const { client } = await serve(
      behaviorHandlers({
        onCall: (context) => {
          context.header.set("x-header", "h");
          context.trailer.set("x-trailer", "t");
        },
      }),
    );
    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    const request = { text: "a", behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND };
    const { messages, error } = await collect(kind.call(client, [request, { text: "b" }], { onHeader: (m) => headers.push(m), onTrailer: (m) => trailers.push(m) }));
    expect(messages).toEqual([]);
    const rpcError = expectRpcError(error, Code.NOT_FOUND);
    expect(rpcError.rawMessage).toBe("failed as asked: a");
    expect(rpcError.message).toBe("[NOT_FOUND] failed as asked: a");
    expect(rpcError.metadata.get("x-detail")).toEqual([`status ${String(Code.NOT_FOUND)}`]);
    expect(rpcError.metadata.get("x-trailer")).toEqual(["t"]);
    expect(headers.map((m) => m.get("x-header"))).toEqual([["h"]]);
    expect(trailers.map((m) => m.get("x-detail"))).toEqual([[`status ${String(Code.NOT_FOUND)}`]]);
  });

  it("answers UNIMPLEMENTED for a missing handler", async () => {
    const { client } = await serve({});
    const { error } = await collect(kind.call(client, [{ text: "a" }]));
    // The words grpc-js answers a method missing from a hand-written implementation with.
    expect(expectRpcError(error, Code.UNIMPLEMENTED).rawMessage).toBe(`The server does not implement the method ${kind.method}`);
  });
});

describe.each(onBothServers(KINDS.filter((kind) => !kind.streamsResponses)))("$kind.method on $serverKind", ({ serverKind, kind }) => {
  const serve = (handlers: Partial<TestServiceHandlers>) => start(handlers, { serverKind });
  it("answers a plain exception with UNKNOWN and a generic message", async () => {
    const { client } = await serve(behaviorHandlers());
    const { messages, error } = await collect(kind.call(client, [{ text: "a", behavior: Behavior.THROW }, { text: "b" }]));
    expect(messages).toEqual([]);
    const rpcError = expectRpcError(error, Code.UNKNOWN);
    expect(rpcError.rawMessage).toBe("Unknown server error");
    expect(rpcError.rawMessage).not.toContain(SECRET);
    expect(rpcError.message).not.toContain(SECRET);
  });
});

describe.each(onBothServers(KINDS.filter((kind) => kind.streamsResponses)))("$kind.method on $serverKind", ({ serverKind, kind }) => {
  const serve = (handlers: Partial<TestServiceHandlers>) => start(handlers, { serverKind });

  it("delivers the messages sent before an RpcError, then the error with its metadata", async () => {
    const { client } = await serve(behaviorHandlers());
    const request = { text: "a", behavior: Behavior.FAIL_MID_STREAM, statusCode: Code.FAILED_PRECONDITION };
    const { messages, error } = await collect(kind.call(client, [request]));
    expect(messages.map((m) => [m.text, m.index])).toEqual(Array.from({ length: MESSAGES_BEFORE_FAILURE }, (_, i) => ["a", i]));
    const rpcError = expectRpcError(error, Code.FAILED_PRECONDITION);
    expect(rpcError.rawMessage).toBe("failed as asked: a");
    expect(rpcError.metadata.get("x-detail")).toEqual([`status ${String(Code.FAILED_PRECONDITION)}`]);
  });

  it("delivers the messages sent before a plain exception, then UNKNOWN without its detail", async () => {
    const { client } = await serve(behaviorHandlers());
    const { messages, error } = await collect(kind.call(client, [{ text: "a", behavior: Behavior.THROW_MID_STREAM }]));
    expect(messages).toHaveLength(MESSAGES_BEFORE_FAILURE);
    const rpcError = expectRpcError(error, Code.UNKNOWN);
    expect(rpcError.rawMessage).toBe("Unknown server error");
    expect(rpcError.message).not.toContain(SECRET);
  });
});
