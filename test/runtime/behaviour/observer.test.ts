// The observer seam: what the runtime reports to a TelemetryObserver, on both sides, for every
// call kind and terminal path. Sizes are checked against protobuf-es's own serialization.
import { create, toBinary } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { CallObserver, CallOptions, ServerContext, TelemetryObserver } from "protoc-gen-ts-otel-runtime";
import type { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import {
  Behavior,
  BidiStreamRequestSchema,
  BidiStreamResponseSchema,
  ClientStreamRequestSchema,
  ClientStreamResponseSchema,
  ServerStreamRequestSchema,
  ServerStreamResponseSchema,
  UnaryRequestSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { MESSAGES_BEFORE_FAILURE, SECRET, behaviorHandlers, echoResponses, summaryResponse } from "../../support/behavior-handlers.js";
import type { TestResponse } from "../../support/behavior-handlers.js";
import { SHORT_DEADLINE_MS, collect, deferred, expectRpcError, useTestServer, waitFor } from "../../support/harness.js";
import { RecordingTelemetry, observing, ends, sizes } from "../../support/recording-telemetry.js";
import type { ObservedClientCall, ObservedServerCall } from "../../support/recording-telemetry.js";

const start = useTestServer();

interface RequestInit {
  text?: string;
  count?: number;
  payload?: Uint8Array;
  behavior?: Behavior;
  statusCode?: number;
}

type Requests = readonly RequestInit[] | AsyncIterable<RequestInit>;

/** One call kind, driven uniformly: every call is an async iterable of responses. */
interface Kind {
  readonly method: string;
  readonly streamsRequests: boolean;
  readonly streamsResponses: boolean;
  requestSize(request: RequestInit): number;
  responseSize(response: TestResponse): number;
  /** What the echo behaviour answers. */
  expected(requests: readonly RequestInit[]): TestResponse[];
  call(client: TestServiceClient, requests: Requests, options: CallOptions): AsyncIterable<TestResponse>;
}

function single(requests: Requests): RequestInit {
  if (!Array.isArray(requests) || requests.length !== 1) {
    throw new Error("a single-request kind takes an array of one request");
  }
  return (requests as readonly RequestInit[])[0] ?? {};
}

async function* once<T>(response: Promise<T>): AsyncGenerator<T> {
  yield await response;
}

const kinds: readonly Kind[] = [
  {
    method: "Unary",
    streamsRequests: false,
    streamsResponses: false,
    requestSize: (r) => toBinary(UnaryRequestSchema, create(UnaryRequestSchema, r)).length,
    responseSize: (r) => toBinary(UnaryResponseSchema, create(UnaryResponseSchema, r)).length,
    expected: (requests) => echoResponses(create(UnaryRequestSchema, requests[0])).slice(0, 1),
    call: (client, requests, options) => once(client.unary(single(requests), options)),
  },
  {
    method: "ServerStream",
    streamsRequests: false,
    streamsResponses: true,
    requestSize: (r) => toBinary(ServerStreamRequestSchema, create(ServerStreamRequestSchema, r)).length,
    responseSize: (r) => toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, r)).length,
    expected: (requests) => echoResponses(create(ServerStreamRequestSchema, requests[0])),
    call: (client, requests, options) => client.serverStream(single(requests), options),
  },
  {
    method: "ClientStream",
    streamsRequests: true,
    streamsResponses: false,
    requestSize: (r) => toBinary(ClientStreamRequestSchema, create(ClientStreamRequestSchema, r)).length,
    responseSize: (r) => toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, r)).length,
    expected: (requests) => [summaryResponse(requests.map((r) => create(ClientStreamRequestSchema, r)))],
    call: (client, requests, options) => once(client.clientStream(requests, options)),
  },
  {
    method: "BidiStream",
    streamsRequests: true,
    streamsResponses: true,
    requestSize: (r) => toBinary(BidiStreamRequestSchema, create(BidiStreamRequestSchema, r)).length,
    responseSize: (r) => toBinary(BidiStreamResponseSchema, create(BidiStreamResponseSchema, r)).length,
    expected: (requests) => requests.flatMap((r) => echoResponses(create(BidiStreamRequestSchema, r))),
    call: (client, requests, options) => client.bidiStream(requests, options),
  },
];

/** Requests of distinct sizes; single-request kinds send the first. */
const echoRequests: readonly RequestInit[] = [
  { text: "alpha", count: 3, payload: new Uint8Array(17).fill(1) },
  { text: "beta", count: 1, payload: new Uint8Array(300).fill(2) },
  { text: "", count: 0 },
];

function requestsFor(kind: Kind, requests: readonly RequestInit[]): readonly RequestInit[] {
  return kind.streamsRequests ? requests : requests.slice(0, 1);
}

function pick(message: TestResponse): TestResponse {
  return { text: message.text, index: message.index, payload: message.payload, count: message.count };
}

/**
 * Waits until both sides reported their end, then a few more event-loop turns, so a
 * second `end` (grpc-js emits "cancelled" after every call, even a finished one) would
 * have been recorded by the time the test counts them.
 */
async function settled(telemetry: RecordingTelemetry): Promise<{ client: ObservedClientCall; server: ObservedServerCall }> {
  await waitFor(
    () => telemetry.calls.length === 2 && telemetry.calls.every((c) => ends(c).length > 0),
    "both sides to report the end of the call",
  );
  for (let i = 0; i < 5; i++) {
    await tick();
  }
  return { client: telemetry.only("client"), server: telemetry.only("server") };
}

async function startObserved(hooks: Parameters<typeof behaviorHandlers>[0] = {}) {
  const telemetry = new RecordingTelemetry();
  const harness = await start(behaviorHandlers(hooks), { client: { telemetry: observing(telemetry) }, server: { telemetry: observing(telemetry) } });
  return { telemetry, client: harness.client, server: harness.server, address: harness.address };
}

describe.each(kinds)("observer seam, $method", (kind) => {
  const fullName = `tsotel.testing.v1.TestService/${kind.method}`;

  it("reports start, every message with its exact size, headers, then one OK end, on both sides", async () => {
    const { telemetry, client, address } = await startObserved();
    const requests = requestsFor(kind, echoRequests);
    const metadata = new Metadata();
    metadata.set("x-request", "r");
    const { messages, error } = await collect(kind.call(client, requests, { metadata }));
    expect(error).toBeUndefined();
    const expected = kind.expected(requests);
    expect(messages.map(pick)).toEqual(expected);

    const { client: clientCall, server: serverCall } = await settled(telemetry);
    const requestSizes = requests.map((r) => kind.requestSize(r));
    const responseSizes = expected.map((r) => kind.responseSize(r));
    expect(new Set(requestSizes).size).toBe(requestSizes.length);

    expect(clientCall.method).toBe(fullName);
    expect(clientCall.start.metadata.get("x-request")).toEqual(["r"]);
    expect(sizes(clientCall, "sent")).toEqual(requestSizes);
    expect(sizes(clientCall, "received")).toEqual(responseSizes);
    expect(clientCall.events.filter((e) => e.type === "headers")).toHaveLength(1);
    expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.OK })]);
    expect(clientCall.events.at(-1)?.type).toBe("end");

    expect(serverCall.method).toBe(fullName);
    expect(serverCall.start.metadata.get("x-request")).toEqual(["r"]);
    expect(serverCall.start.host).toBe(address);
    expect(serverCall.start.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(serverCall.start.deadline).toBe(Infinity);
    expect(sizes(serverCall, "received")).toEqual(requestSizes);
    expect(sizes(serverCall, "sent")).toEqual(responseSizes);
    expect(serverCall.events.filter((e) => e.type === "headers")).toHaveLength(1);
    expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.OK, error: undefined })]);
    expect(serverCall.events.at(-1)?.type).toBe("end");

    const clientEnd = ends(clientCall)[0];
    expect(clientEnd?.endTime).toBeGreaterThanOrEqual(clientCall.start.startTime);
  });

  it("runs an observer that takes no headers, and still hands the response headers to onHeader", async () => {
    // Without a `headers` method, the client call does not listen for headers itself.
    const seen: Record<"client" | "server", string[]> = { client: [], server: [] };
    const eventsOf = (side: "client" | "server", context: CallObserver["context"]): CallObserver => ({
      context,
      messageSent: (size) => seen[side].push(`sent ${String(size)}`),
      messageReceived: (size) => seen[side].push(`received ${String(size)}`),
      end: (result) => seen[side].push(`end ${String(result.code)}`),
    });
    const headless: TelemetryObserver = {
      observeClientMethod: () => ({ start: (call) => eventsOf("client", call.context) }),
      observeServerMethod: () => ({ start: (call) => eventsOf("server", call.context) }),
    };
    const telemetry = { tracing: false, metrics: false, prometheus: false, observers: [headless] } as const;
    const { client } = await start(behaviorHandlers(), { client: { telemetry }, server: { telemetry } });
    const requests = requestsFor(kind, echoRequests);
    const headers: Metadata[] = [];
    const { messages, error } = await collect(kind.call(client, requests, { onHeader: (h) => headers.push(h) }));
    expect(error).toBeUndefined();
    expect(messages.map(pick)).toEqual(kind.expected(requests));
    expect(headers).toHaveLength(1);
    await waitFor(() => seen.client.includes("end 0") && seen.server.includes("end 0"), "both ends");
    const requestSizes = requests.map((r) => `sent ${String(kind.requestSize(r))}`);
    const responseSizes = kind.expected(requests).map((r) => `received ${String(kind.responseSize(r))}`);
    expect(seen.client.filter((e) => e.startsWith("sent"))).toEqual(requestSizes);
    expect(seen.client.filter((e) => e.startsWith("received"))).toEqual(responseSizes);
    expect(seen.client.at(-1)).toBe("end 0");
    expect(seen.server.filter((e) => e.startsWith("received"))).toEqual(requestSizes.map((e) => e.replace("sent", "received")));
    expect(seen.server.at(-1)).toBe("end 0");
  });

  it("reports an RpcError status with its message and trailers on both sides", async () => {
    const { telemetry, client } = await startObserved();
    const requests = requestsFor(kind, [
      { text: "x", behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND },
      { text: "y" },
    ]);
    const { error } = await collect(kind.call(client, requests, {}));
    expectRpcError(error, Code.NOT_FOUND);

    const { client: clientCall, server: serverCall } = await settled(telemetry);
    const [clientEnd] = ends(clientCall);
    expect(ends(clientCall)).toHaveLength(1);
    expect(clientEnd?.code).toBe(Code.NOT_FOUND);
    expect(clientEnd?.message).toBe("failed as asked: x");
    expect(clientEnd?.metadata?.get("x-detail")).toEqual([`status ${Code.NOT_FOUND}`]);
    expect(clientEnd?.error).toBeUndefined();

    const [serverEnd] = ends(serverCall);
    expect(ends(serverCall)).toHaveLength(1);
    expect(serverEnd?.code).toBe(Code.NOT_FOUND);
    expect(serverEnd?.message).toBe("failed as asked: x");
    expect(serverEnd?.metadata?.get("x-detail")).toEqual([`status ${Code.NOT_FOUND}`]);
    expect(serverEnd?.error).toBeUndefined();
  });

  it("reports a handler's exception to the server observer, and only UNKNOWN to the client", async () => {
    const thrown: Error[] = [];
    const { telemetry, client } = await startObserved({ onThrow: (err) => thrown.push(err) });
    const behavior = kind.streamsResponses ? Behavior.THROW_MID_STREAM : Behavior.THROW;
    const { messages, error } = await collect(kind.call(client, requestsFor(kind, [{ text: "t", behavior }]), {}));
    expectRpcError(error, Code.UNKNOWN);
    expect(messages).toHaveLength(kind.streamsResponses ? MESSAGES_BEFORE_FAILURE : 0);

    const { client: clientCall, server: serverCall } = await settled(telemetry);
    expect(thrown).toHaveLength(1);
    expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.UNKNOWN, error: thrown[0] })]);
    expect(ends(serverCall)[0]?.message).not.toContain(SECRET);
    expect(sizes(serverCall, "sent")).toHaveLength(messages.length);
    expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.UNKNOWN, error: undefined })]);
    expect(ends(clientCall)[0]?.message).not.toContain(SECRET);
    expect(sizes(clientCall, "received")).toHaveLength(messages.length);
  });

  it("reports CANCELLED once on both sides when the caller aborts", async () => {
    const started = deferred<ServerContext>();
    const { telemetry, client } = await startObserved({ onCall: (context) => started.resolve(context) });
    const controller = new AbortController();
    const requests = requestsFor(kind, [{ behavior: Behavior.WAIT_FOR_CANCEL }]);
    const call = collect(kind.call(client, requests, { signal: controller.signal }));
    await started.promise;
    controller.abort();
    expectRpcError((await call).error, Code.CANCELLED);

    const { client: clientCall, server: serverCall } = await settled(telemetry);
    expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
    expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
  });

  it("ends a call whose signal fired before it began on the client alone: nothing reaches the server", async () => {
    const { telemetry, client } = await startObserved();
    const requests = requestsFor(kind, [{ text: "never" }]);
    const { error } = await collect(kind.call(client, requests, { signal: AbortSignal.abort() }));
    expectRpcError(error, Code.CANCELLED);
    // A call made afterwards on the same connection does reach the server, and is its only one.
    await collect(kind.call(client, requestsFor(kind, [{ text: "later" }]), {}));
    await waitFor(() => telemetry.calls.some((c) => c.side === "server" && ends(c).length > 0), "the server's call");

    const clientCalls = telemetry.calls.filter((c) => c.side === "client");
    expect(clientCalls.map((c) => ends(c).map((e) => e.code))).toEqual([[Code.CANCELLED], [Code.OK]]);
    expect(clientCalls[0]?.events.filter((e) => e.type === "sent")).toEqual([]);
    expect(telemetry.only("server").events.filter((e) => e.type === "end")).toHaveLength(1);
  });

  it("reports the end once on both sides when the server shuts down mid-call", async () => {
    const started = deferred<ServerContext>();
    const { telemetry, client, server } = await startObserved({ onCall: (context) => started.resolve(context) });
    const call = collect(kind.call(client, requestsFor(kind, [{ behavior: Behavior.WAIT_FOR_CANCEL }]), {}));
    const context = await started.promise;
    server.forceShutdown();
    const { error } = await call;
    expect(context.signal.aborted).toBe(true);

    // grpc-js reports the reset streams of a shut-down server as CANCELLED.
    const rpcError = expectRpcError(error, Code.CANCELLED);
    const { client: clientCall, server: serverCall } = await settled(telemetry);
    expect(ends(clientCall)).toEqual([expect.objectContaining({ code: rpcError.code })]);
    expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
  });

  it("reports DEADLINE_EXCEEDED once on both sides", async () => {
    const { telemetry, client } = await startObserved();
    const requests = requestsFor(kind, [{ behavior: Behavior.WAIT_FOR_CANCEL }]);
    const { error } = await collect(kind.call(client, requests, { deadline: Date.now() + SHORT_DEADLINE_MS }));
    expectRpcError(error, Code.DEADLINE_EXCEEDED);

    const { client: clientCall, server: serverCall } = await settled(telemetry);
    expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.DEADLINE_EXCEEDED })]);
    expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.DEADLINE_EXCEEDED })]);
    expect(serverCall.start.deadline).not.toBe(Infinity);
  });

  if (kind.streamsResponses) {
    it("reports CANCELLED once when the consumer leaves the loop early", async () => {
      const { telemetry, client } = await startObserved();
      const requests = requestsFor(kind, [{ text: "w", count: 2, behavior: Behavior.WAIT_FOR_CANCEL }]);
      for await (const message of kind.call(client, requests, {})) {
        expect(message.index).toBe(0);
        break;
      }

      const { client: clientCall, server: serverCall } = await settled(telemetry);
      expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
      expect(sizes(clientCall, "received")).toHaveLength(1);
      expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
    });
  }

  if (kind.streamsRequests) {
    it("reports CANCELLED with the cause when the request stream throws", async () => {
      const received = deferred();
      const { telemetry, client } = await startObserved({ onCall: () => received.resolve() });
      const boom = new Error("request source broke");
      async function* failing(): AsyncGenerator<RequestInit> {
        yield { text: "first" };
        await received.promise;
        throw boom;
      }
      const { error } = await collect(kind.call(client, failing(), {}));
      expect(expectRpcError(error, Code.CANCELLED).cause).toBe(boom);

      const { client: clientCall, server: serverCall } = await settled(telemetry);
      expect(ends(clientCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED, error: boom })]);
      expect(sizes(clientCall, "sent")).toEqual([kind.requestSize({ text: "first" })]);
      expect(ends(serverCall)).toEqual([expect.objectContaining({ code: Code.CANCELLED })]);
    });
  }
});
