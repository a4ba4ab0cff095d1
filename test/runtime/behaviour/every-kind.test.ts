// What every call kind does alike, one table row per kind (test/support/call-kinds.ts);
// the per-kind files hold what differs.
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { KINDS } from "../../support/call-kinds.js";
import { SHORT_DEADLINE_MS, collect, deferred, expectRpcError, handlerAborted, useTestServer } from "../../support/harness.js";

const start = useTestServer();

describe.each(KINDS)("$method", (kind) => {
  it("fails with DEADLINE_EXCEEDED and aborts the handler's signal with that code", async () => {
    const handlerSignal = deferred<AbortSignal>();
    const { client } = await start(behaviorHandlers({ onCall: (context) => handlerSignal.resolve(context.signal) }));
    // A streaming response sends its first message before the handler waits.
    const request = { text: "first", count: 1, behavior: Behavior.WAIT_FOR_CANCEL };
    const { messages, error } = await collect(kind.call(client, [request], { deadline: Date.now() + SHORT_DEADLINE_MS }));
    expect(messages.map((m) => [m.text, m.index])).toEqual(kind.streamsResponses ? [["first", 0]] : []);
    expectRpcError(error, Code.DEADLINE_EXCEEDED);
    expectRpcError(await handlerAborted(handlerSignal.promise), Code.DEADLINE_EXCEEDED);
  });

  it("answers UNIMPLEMENTED for a missing handler", async () => {
    const { client } = await start({});
    const { error } = await collect(kind.call(client, [{ text: "a" }]));
    // The words grpc-js answers a method missing from a hand-written implementation with.
    expect(expectRpcError(error, Code.UNIMPLEMENTED).rawMessage).toBe(`The server does not implement the method ${kind.method}`);
  });
});

describe.each(KINDS.filter((kind) => !kind.streamsResponses))("$method", (kind) => {
  it("answers a plain exception with UNKNOWN and a generic message", async () => {
    const { client } = await start(behaviorHandlers());
    const { messages, error } = await collect(kind.call(client, [{ text: "a", behavior: Behavior.THROW }, { text: "b" }]));
    expect(messages).toEqual([]);
    const rpcError = expectRpcError(error, Code.UNKNOWN);
    expect(rpcError.rawMessage).toBe("Unknown server error");
    expect(rpcError.rawMessage).not.toContain("secret");
    expect(rpcError.message).not.toContain("secret");
  });
});
