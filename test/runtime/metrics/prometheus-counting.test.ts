// The counting rules of go-grpc-prometheus (docs/telemetry.md#counting-rules) for every call kind, on
// both sides, after known traffic: exact counter values, every started call handled
// exactly once, on every terminal path.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { MESSAGES_BEFORE_FAILURE, behaviorHandlers } from "../../support/behavior-handlers.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { aborted, collect, deferred, useTestServer, within } from "../../support/harness.js";
import { countsOf, settledScrape } from "../../support/grpc-counts.js";
import type { MethodCounts } from "../../support/grpc-counts.js";
import { prometheusOnly } from "../../support/telemetry-options.js";
import { KINDS } from "../../support/call-kinds.js";
import type { Kind, RequestInit } from "../../support/call-kinds.js";

const start = useTestServer();

/** Long enough for the handler to read the request first, even on a loaded machine. */
const DEADLINE_MS = 500;

async function serve() {
  const registry = new Registry();
  const telemetry = prometheusOnly(registry);
  const harness = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
  return { registry, ...harness };
}

/**
 * Handlers that read the one request, tell the test, and then wait for the call to
 * end, so that a test cancels or times out a call whose request was surely read.
 */
async function serveWaiting() {
  const received = deferred();
  const waitForEnd = async (context: ServerContext): Promise<never> => {
    received.resolve();
    throw await aborted(context.signal);
  };
  async function readFirst(requests: AsyncIterable<unknown>): Promise<void> {
    for await (const _request of requests) {
      return;
    }
  }
  const handlers: Partial<TestServiceHandlers> = {
    unary: (_request, context) => waitForEnd(context),
    async *serverStream(_request, context) {
      yield* [];
      await waitForEnd(context);
    },
    async clientStream(requests, context) {
      await readFirst(requests);
      return waitForEnd(context);
    },
    async *bidiStream(requests, context) {
      yield* [];
      await readFirst(requests);
      await waitForEnd(context);
    },
  };
  const registry = new Registry();
  const telemetry = prometheusOnly(registry);
  const harness = await start(handlers, { server: { telemetry }, client: { telemetry } });
  return { registry, received, ...harness };
}

function requestsFor(kind: Kind, requests: readonly RequestInit[]): readonly RequestInit[] {
  return kind.streamsRequests ? requests : requests.slice(0, 1);
}

/** One finished call as each side counts it. */
function call(code: string, messages: { sent: number; received: number }): MethodCounts {
  return { started: 1, sent: messages.sent, received: messages.received, handled: { [code]: 1 }, timed: 1 };
}

describe.each(KINDS)("Prometheus counting, $method", (kind) => {
  it("counts every message and one OK on both sides", async () => {
    const { registry, client } = await serve();
    // Three requests (one for single-request kinds) of counts 2, 1, 1: the echo answers
    // 1 message for unary and client streams, `count` for each streamed request otherwise.
    const requests = requestsFor(kind, [{ text: "a", count: 2 }, { text: "b", count: 1 }, { text: "c", count: 1 }]);
    const { messages, error } = await collect(kind.call(client, requests));
    expect(error).toBeUndefined();
    const responses = kind.streamsResponses ? (kind.streamsRequests ? 4 : 2) : 1;
    expect(messages).toHaveLength(responses);

    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method)).toEqual(call("OK", { received: requests.length, sent: responses }));
    expect(countsOf(exposition, "client", kind.method)).toEqual(call("OK", { sent: requests.length, received: responses }));
  });

  it("counts an error status once, with no response message", async () => {
    const { registry, client } = await serve();
    const { error } = await collect(kind.call(client, [{ text: "x", behavior: Behavior.FAIL_STATUS, statusCode: 5 }]));
    expect(error).toBeDefined();

    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method)).toEqual(call("NotFound", { received: 1, sent: 0 }));
    expect(countsOf(exposition, "client", kind.method)).toEqual(call("NotFound", { sent: 1, received: 0 }));
  });

  it("counts a handler that throws as Unknown, with the messages it sent before", async () => {
    const { registry, client } = await serve();
    const behavior = kind.streamsResponses ? Behavior.THROW_MID_STREAM : Behavior.THROW;
    const { messages } = await collect(kind.call(client, [{ text: "t", behavior }]));
    const before = kind.streamsResponses ? MESSAGES_BEFORE_FAILURE : 0;
    expect(messages).toHaveLength(before);

    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method)).toEqual(call("Unknown", { received: 1, sent: before }));
    expect(countsOf(exposition, "client", kind.method)).toEqual(call("Unknown", { sent: 1, received: before }));
  });

  it("counts a call the caller aborts as Canceled on both sides", async () => {
    const { registry, client, received } = await serveWaiting();
    const controller = new AbortController();
    const pending = collect(kind.call(client, [{ text: "wait" }], { signal: controller.signal }));
    await within(received.promise, "the handler to read the request");
    controller.abort();
    await pending;

    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method)).toEqual(call("Canceled", { received: 1, sent: 0 }));
    expect(countsOf(exposition, "client", kind.method)).toEqual(call("Canceled", { sent: 1, received: 0 }));
  });

  it("counts a call past its deadline as DeadlineExceeded on both sides", async () => {
    const { registry, client, received } = await serveWaiting();
    const pending = collect(kind.call(client, [{ text: "wait" }], { deadline: Date.now() + DEADLINE_MS }));
    await within(received.promise, "the handler to read the request before the deadline");
    await pending;

    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method)).toEqual(call("DeadlineExceeded", { received: 1, sent: 0 }));
    expect(countsOf(exposition, "client", kind.method)).toEqual(call("DeadlineExceeded", { sent: 1, received: 0 }));
  });

  it("counts ten concurrent calls as ten started and ten handled", async () => {
    const { registry, client } = await serve();
    const results = await Promise.all(Array.from({ length: 10 }, () => collect(kind.call(client, [{ text: "n" }]))));
    expect(results.map((r) => r.error)).toEqual(Array.from({ length: 10 }, () => undefined));

    const exposition = await settledScrape(registry, kind.method, 10);
    const ten = { started: 10, received: 10, sent: 10, handled: { OK: 10 }, timed: 10 };
    expect(countsOf(exposition, "server", kind.method)).toEqual(ten);
    expect(countsOf(exposition, "client", kind.method)).toEqual(ten);
  });

  if (kind.streamsResponses) {
    it("counts a consumer that leaves the loop early as Canceled, with the messages read", async () => {
      const { registry, client } = await serve();
      for await (const message of kind.call(client, [{ text: "w", count: 2, behavior: Behavior.WAIT_FOR_CANCEL }])) {
        expect(message.index).toBe(0);
        break;
      }

      const exposition = await settledScrape(registry, kind.method);
      // The server wrote both messages before it waited; the client read one of them.
      expect(countsOf(exposition, "server", kind.method)).toEqual(call("Canceled", { received: 1, sent: 2 }));
      expect(countsOf(exposition, "client", kind.method)).toEqual(call("Canceled", { sent: 1, received: 1 }));
    });
  }

  if (kind.streamsRequests) {
    it("counts a request stream that throws as Canceled, with the message sent before", async () => {
      const { registry, client, received } = await serveWaiting();
      async function* failing(): AsyncGenerator<RequestInit> {
        yield { text: "first" };
        await received.promise;
        throw new Error("request source broke");
      }
      await collect(kind.call(client, failing()));

      const exposition = await settledScrape(registry, kind.method);
      expect(countsOf(exposition, "server", kind.method)).toEqual(call("Canceled", { received: 1, sent: 0 }));
      expect(countsOf(exposition, "client", kind.method)).toEqual(call("Canceled", { sent: 1, received: 0 }));
    });
  }
});

describe("Prometheus counting, a generated method without a handler", () => {
  it("counts the call as Unimplemented on both sides: the method is generated, so it has series", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const { client } = await start({}, { server: { telemetry }, client: { telemetry } });
    await collect(client.serverStream({ text: "nobody" }));

    const exposition = await settledScrape(registry, "ServerStream");
    // The runtime answers for the missing handler, after reading the request.
    expect(countsOf(exposition, "server", "ServerStream")).toEqual(call("Unimplemented", { received: 1, sent: 0 }));
    expect(countsOf(exposition, "client", "ServerStream")).toEqual(call("Unimplemented", { sent: 1, received: 0 }));
  });
});
