// docs/telemetry.md#spans: every call of every kind ends exactly one span per side, with the
// status of the path it took: OK, an error status, a handler throwing before or during
// a stream, the caller aborting, the deadline, the consumer leaving its loop, the
// server shutting down, the connection dropping.
import { DiagLogLevel, diag } from "@opentelemetry/api";
import { credentials } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { SHORT_DEADLINE_MS, collect, deferred, expectRpcError } from "../../support/harness.js";
import type { TestHarness } from "../../support/harness.js";
import { KINDS as kinds } from "../../support/call-kinds.js";
import type { Kind, RequestInit } from "../../support/call-kinds.js";
import type { TestResponse as Response } from "../../support/behavior-handlers.js";
import { startTcpProxy } from "./tcp-proxy.js";
import type { TcpProxy } from "./tcp-proxy.js";
import { callSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

// Every diag message: a span ended twice says so through diag.
const diagnostics: string[] = [];
beforeEach(() => {
  diagnostics.length = 0;
  const record = (message: string): void => {
    diagnostics.push(message);
  };
  diag.setLogger({ error: record, warn: record, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
});
afterEach(() => {
  diag.disable();
});

const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** What a path needs from its test: the kind, and a way to start the service. */
interface PathContext {
  readonly kind: Kind;
  readonly serve: (handlers: Partial<TestServiceHandlers>) => Promise<TestHarness>;
}

interface TerminalPath {
  readonly name: string;
  readonly applies: (kind: Kind) => boolean;
  /** Makes the call; resolves with the code the caller saw. */
  run(context: PathContext): Promise<Code>;
  /** The status codes each side's span must end with. */
  readonly client: Code;
  readonly server: Code;
}

/** Drives a call to its end; resolves with its code. */
async function codeOf(stream: AsyncIterable<Response>): Promise<Code> {
  const { error } = await collect(stream);
  return error === undefined ? Code.OK : expectRpcError(error, (error as { code: Code }).code).code;
}

/** Handlers whose every method throws a plain Error before sending or reading anything. */
const throwingAtOnce: TestServiceHandlers = {
  unary() {
    throw new Error("at once");
  },
  serverStream() {
    throw new Error("at once");
  },
  clientStream() {
    throw new Error("at once");
  },
  bidiStream() {
    throw new Error("at once");
  },
};

/** Handlers that throw a plain Error in the middle of their stream. */
const throwingMidStream: Partial<TestServiceHandlers> = {
  async *serverStream() {
    yield { text: "one" };
    throw new Error("mid-stream");
  },
  async clientStream(requests) {
    for await (const _ of requests) {
      throw new Error("mid-stream");
    }
    return {};
  },
  async *bidiStream(requests) {
    for await (const request of requests) {
      yield { text: request.text };
      throw new Error("mid-stream");
    }
  },
};

/** Serves handlers that wait for the end of the call, and tells when one has started. */
async function serveWaiting(context: PathContext): Promise<{ harness: TestHarness; started: Promise<void> }> {
  const started = deferred();
  const harness = await context.serve(behaviorHandlers({ onCall: () => started.resolve() }));
  return { harness, started: started.promise };
}

const waitForCancel: RequestInit[] = [{ behavior: Behavior.WAIT_FOR_CANCEL }];

const paths: readonly TerminalPath[] = [
  {
    name: "OK",
    applies: () => true,
    async run({ kind, serve }) {
      const { client } = await serve(behaviorHandlers());
      return codeOf(kind.call(client, [{ text: "a", count: 2 }, { text: "b" }]));
    },
    client: Code.OK,
    server: Code.OK,
  },
  {
    name: "an error status",
    applies: () => true,
    async run({ kind, serve }) {
      const { client } = await serve(behaviorHandlers());
      return codeOf(kind.call(client, [{ behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }]));
    },
    client: Code.NOT_FOUND,
    server: Code.NOT_FOUND,
  },
  {
    name: "the handler throwing before its stream",
    applies: () => true,
    async run({ kind, serve }) {
      const { client } = await serve(throwingAtOnce);
      return codeOf(kind.call(client, [{ text: "a" }]));
    },
    client: Code.UNKNOWN,
    server: Code.UNKNOWN,
  },
  {
    name: "the handler throwing during its stream",
    applies: (kind) => kind.streamsRequests || kind.streamsResponses,
    async run({ kind, serve }) {
      const { client } = await serve(throwingMidStream);
      return codeOf(kind.call(client, [{ text: "a" }, { text: "b" }]));
    },
    client: Code.UNKNOWN,
    server: Code.UNKNOWN,
  },
  {
    name: "the caller aborting",
    applies: () => true,
    async run(context) {
      const { harness, started } = await serveWaiting(context);
      const controller = new AbortController();
      const call = codeOf(context.kind.call(harness.client, waitForCancel, { signal: controller.signal }));
      await started;
      controller.abort();
      return call;
    },
    client: Code.CANCELLED,
    server: Code.CANCELLED,
  },
  {
    name: "the deadline passing",
    applies: () => true,
    async run({ kind, serve }) {
      const { client } = await serve(behaviorHandlers());
      const options: CallOptions = { deadline: Date.now() + SHORT_DEADLINE_MS };
      return codeOf(kind.call(client, waitForCancel, options));
    },
    client: Code.DEADLINE_EXCEEDED,
    server: Code.DEADLINE_EXCEEDED,
  },
  {
    name: "the consumer leaving its loop early",
    applies: (kind) => kind.streamsResponses,
    async run({ kind, serve }) {
      const { client } = await serve(behaviorHandlers());
      let received = 0;
      for await (const _ of kind.call(client, [{ count: 2, behavior: Behavior.WAIT_FOR_CANCEL }])) {
        received += 1;
        break;
      }
      // The consumer got the first message and left the loop because of it, not because the stream ended.
      expect(received).toBe(1);
      // Leaving the loop surfaces no error to the caller: for this path the client code is the
      // one on the client span, checked below.
      return Code.CANCELLED;
    },
    client: Code.CANCELLED,
    server: Code.CANCELLED,
  },
  {
    name: "the server shutting down",
    applies: () => true,
    async run(context) {
      const { harness, started } = await serveWaiting(context);
      const call = codeOf(context.kind.call(harness.client, waitForCancel));
      await started;
      harness.server.forceShutdown();
      return call;
    },
    // grpc-js reports the streams a shut-down server resets as CANCELLED.
    client: Code.CANCELLED,
    server: Code.CANCELLED,
  },
  {
    name: "the connection dropping",
    applies: () => true,
    async run(context) {
      const { harness, started } = await serveWaiting(context);
      const proxy = await startTcpProxy({ host: "127.0.0.1", port: harness.port });
      proxies.push(proxy);
      const client = new TestServiceClient(proxy.address, credentials.createInsecure(), {
        telemetry: tracing.telemetry(),
      });
      try {
        const call = codeOf(context.kind.call(client, waitForCancel));
        await started;
        proxy.cut();
        return await call;
      } finally {
        client.close();
      }
    },
    client: Code.UNAVAILABLE,
    server: Code.CANCELLED,
  },
];

describe.each(kinds)("$method", (kind) => {
  const serve = (handlers: Partial<TestServiceHandlers>): Promise<TestHarness> => start(handlers);

  it.each(paths.filter((path) => path.applies(kind)))("ends one span per side on $name", async (path) => {
    const seen = await path.run({ kind, serve });
    expect(seen).toBe(path.client);

    const spans = await tracing.ended(2);
    expect(spans).toHaveLength(2);
    const { client, server } = callSpans(spans);
    expect(client.attributes["rpc.response.status_code"]).toBe(Code[path.client]);
    expect(server.attributes["rpc.response.status_code"]).toBe(Code[path.server]);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    for (const span of [client, server]) {
      expect(span.name).toBe(kind.fullName);
      expect(span.ended).toBe(true);
    }
    expect(diagnostics).toEqual([]);
  });
});
