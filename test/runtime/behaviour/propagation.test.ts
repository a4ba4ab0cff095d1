// Deadline and cancellation propagation in one process: a test client calls a "middle"
// server whose handler calls a "downstream" server with a generated client, for each
// call kind (the downstream call of the handler's own kind), on both kinds of server.
// How a call ends across processes is test/cross-process/propagation.test.ts's.
import { createConnection, createServer as createNetServer } from "node:net";
import type { Socket } from "node:net";
import { credentials } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions, ClientOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { KINDS } from "../../support/call-kinds.js";
import type { Kind } from "../../support/call-kinds.js";
import { SERVER_KINDS, aborted, collect, deferred, useTestServer, waitFor, within } from "../../support/harness.js";
import type { Deferred, ServerKind, TestHarness } from "../../support/harness.js";
import { listenLocal } from "../../support/listen.js";
import { callOutcome, downstreamHandlers, middleHandlers } from "../../support/propagation-handlers.js";
import { RecordingTelemetry, ends, observing } from "../../support/recording-telemetry.js";

const start = useTestServer();

/** How far after the upstream deadline the downstream one may fall: the headers' way through two servers. */
const NETWORK_SHARE_MS = 5_000;
const UPSTREAM_TIMEOUT_MS = 60_000;

/** Expects the deadline a downstream handler saw to be `upstream`'s, a server's way later at most. */
function expectDeadlineOf(seen: DownstreamCall, upstream: number): void {
  // A server counts the timeout from when the headers came: later, never earlier.
  expect(seen.deadline).toBeGreaterThanOrEqual(upstream);
  expect(seen.deadline).toBeLessThanOrEqual(upstream + NETWORK_SHARE_MS);
}

/** What a downstream handler saw of its call. */
interface DownstreamCall {
  /** The text of the call's first request. */
  readonly text: string;
  readonly deadline: number;
  readonly signal: AbortSignal;
}

/** A downstream server whose handlers report their call and wait for the test's release or their call's end. */
interface Downstream {
  readonly harness: TestHarness;
  /** The next call's handler started. */
  readonly called: () => Promise<DownstreamCall>;
  /** How many handlers started. */
  count(): number;
  /** Every call the handlers saw, in order. */
  seen(): readonly DownstreamCall[];
  /** Lets every waiting handler answer OK, now and from now on. */
  release(): void;
}

async function startDownstream(serverKind: ServerKind): Promise<Downstream> {
  let next: Deferred<DownstreamCall> = deferred<DownstreamCall>();
  const seen: DownstreamCall[] = [];
  const release: Deferred<void> = deferred();
  const handlers = downstreamHandlers((context, text) => {
    const call = { text, deadline: Number(context.deadline), signal: context.signal };
    seen.push(call);
    next.resolve(call);
    return release.promise;
  });
  const harness = await start(handlers, { serverKind });
  return {
    harness,
    called: async () => {
      const call = await within(next.promise, "the downstream handler to start");
      next = deferred();
      return call;
    },
    count: () => seen.length,
    seen: () => seen,
    release: () => release.resolve(),
  };
}

const clients: TestServiceClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function clientOf(downstream: Downstream, options?: ClientOptions): TestServiceClient {
  const client = new TestServiceClient(downstream.harness.address, credentials.createInsecure(), options);
  clients.push(client);
  return client;
}

/** The middle server: each handler calls the downstream server with `client`, giving the call `options`. */
async function startMiddle(serverKind: ServerKind, client: TestServiceClient, options: CallOptions = {}) {
  const outcome = deferred<string>();
  const recording = new RecordingTelemetry();
  const handlers = middleHandlers(async (kind, text) => {
    const result = await callOutcome(kind, client, text, options);
    outcome.resolve(result);
    return result;
  });
  const middle = await start(handlers, { serverKind, server: { telemetry: observing(recording) } });
  const over = (): Promise<void> => waitFor(() => recording.calls.some((call) => call.side === "server" && ends(call).length > 0), "the middle call's end");
  return { middle, outcome: () => within(outcome.promise, "the downstream call's outcome"), over };
}

describe.each(SERVER_KINDS)("a handler on %s", (serverKind) => {
  describe.each(KINDS)("$method", (kind) => {
    it("gives the calls it makes its deadline", async () => {
      const downstream = await startDownstream(serverKind);
      const { middle } = await startMiddle(serverKind, clientOf(downstream));
      const deadline = Date.now() + UPSTREAM_TIMEOUT_MS;
      const upstream = collect(kind.call(middle.client, [{ text: "up" }], { deadline }));
      expectDeadlineOf(await downstream.called(), deadline);
      downstream.release();
      expect((await upstream).error).toBeUndefined();
    });

    it("cancels the calls it makes when its call is cancelled", async () => {
      const downstream = await startDownstream(serverKind);
      const { middle, outcome } = await startMiddle(serverKind, clientOf(downstream));
      const cancel = new AbortController();
      const upstream = collect(kind.call(middle.client, [{ text: "up" }], { signal: cancel.signal }));
      const seen = await downstream.called();
      cancel.abort();
      const reason = await within(aborted(seen.signal), "the downstream handler's signal");
      expect(reason).toBeInstanceOf(RpcError);
      expect((reason as RpcError).code).toBe(Code.CANCELLED);
      expect(await outcome()).toBe("CANCELLED");
      expect(((await upstream).error as RpcError).code).toBe(Code.CANCELLED);
    });

    it("cancels the calls a telemetry: false client makes when its call is cancelled", async () => {
      // Such a client settles calls made outside a handler from grpc-js's callback alone;
      // one made inside a handler must still follow the handler's call.
      const downstream = await startDownstream(serverKind);
      const { middle, outcome } = await startMiddle(serverKind, clientOf(downstream, { telemetry: false }));
      const cancel = new AbortController();
      const upstream = collect(kind.call(middle.client, [{ text: "up" }], { signal: cancel.signal }));
      const seen = await downstream.called();
      cancel.abort();
      expect(((await within(aborted(seen.signal), "the downstream handler's signal")) as RpcError).code).toBe(Code.CANCELLED);
      expect(await outcome()).toBe("CANCELLED");
      expect(((await upstream).error as RpcError).code).toBe(Code.CANCELLED);
    });

    it("cancels the calls it makes when its deadline passes", async () => {
      const downstream = await startDownstream(serverKind);
      const { middle, outcome } = await startMiddle(serverKind, clientOf(downstream));
      // Long enough for the downstream call to start on busy cores.
      const upstream = collect(kind.call(middle.client, [{ text: "up" }], { deadline: Date.now() + 3_000 }));
      const seen = await downstream.called();
      // The downstream call's own timer and the end of the handler's call race: either ends it.
      const reason = await within(aborted(seen.signal), "the downstream handler's signal", 15_000);
      expect([Code.CANCELLED, Code.DEADLINE_EXCEEDED]).toContain((reason as RpcError).code);
      expect(["CANCELLED", "DEADLINE_EXCEEDED"]).toContain(await outcome());
      expect(((await upstream).error as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    });

    it.each([
      ["the call option", {}, { propagate: false }],
      ["the client option", { propagate: false }, {}],
    ] as const)("leaves a call on its own with %s propagate: false", async (_option, clientOptions, callOptions) => {
      const downstream = await startDownstream(serverKind);
      const { middle, outcome, over } = await startMiddle(serverKind, clientOf(downstream, clientOptions), callOptions);
      const cancel = new AbortController();
      const upstream = collect(kind.call(middle.client, [{ text: "up" }], { deadline: Date.now() + UPSTREAM_TIMEOUT_MS, signal: cancel.signal }));
      const seen = await downstream.called();
      expect(seen.deadline).toBe(Infinity);
      cancel.abort();
      await over();
      // Propagated, the cancel would have ended the downstream call by now; on its own it answers.
      downstream.release();
      expect(await outcome()).toBe("OK");
      expect(seen.signal.aborted).toBe(false);
      expect(((await upstream).error as RpcError).code).toBe(Code.CANCELLED);
    });
  });
});

describe("propagation", () => {
  it("lets a call's own propagate: true win over its client's propagate: false", async () => {
    const kind = KINDS[0] as Kind;
    const downstream = await startDownstream("new Server()");
    const { middle } = await startMiddle("new Server()", clientOf(downstream, { propagate: false }), { propagate: true });
    const deadline = Date.now() + UPSTREAM_TIMEOUT_MS;
    const upstream = collect(kind.call(middle.client, [{ text: "up" }], { deadline }));
    expectDeadlineOf(await downstream.called(), deadline);
    downstream.release();
    expect((await upstream).error).toBeUndefined();
  });

  it.each([
    ["its own", 20_000, 60_000],
    ["the handler's", 60_000, 20_000],
  ])("gives a call the earlier deadline: %s", async (_which, ownMs, upstreamMs) => {
    const kind = KINDS[0] as Kind;
    const downstream = await startDownstream("new Server()");
    const own = Date.now() + ownMs;
    const { middle } = await startMiddle("new Server()", clientOf(downstream), { deadline: own });
    const upstream = Date.now() + upstreamMs;
    const call = collect(kind.call(middle.client, [{ text: "up" }], { deadline: upstream }));
    expectDeadlineOf(await downstream.called(), Math.min(own, upstream));
    downstream.release();
    expect((await call).error).toBeUndefined();
  });

  it("leaves calls made outside any handler as they are", async () => {
    const downstream = await startDownstream("new Server()");
    const call = clientOf(downstream).unary({ text: "outside" });
    expect((await downstream.called()).deadline).toBe(Infinity);
    downstream.release();
    expect((await call).text).toBe("downstream");
  });

  it("fails a call made after the handler's call is over with CANCELLED, sending nothing", async () => {
    const downstream = await startDownstream("new Server()");
    const client = clientOf(downstream);
    const later = deferred();
    const recording = new RecordingTelemetry();
    let lateCall: Promise<string> | undefined;
    const middle = await start(
      {
        unary() {
          // Continuations the handler leaves behind run in its scope after it answered.
          lateCall = later.promise.then(async () => (await client.unary({ text: "late" })).text);
          return { text: "answered" };
        },
      },
      { server: { telemetry: observing(recording) } },
    );
    expect((await middle.client.unary({ text: "up" })).text).toBe("answered");
    await waitFor(() => ends(recording.only("server")).length > 0, "the middle call's end");
    later.resolve();
    const error = await lateCall?.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.CANCELLED);
    expect((error as RpcError).rawMessage).toBe("Cancelled by parent call");
    expect(downstream.count()).toBe(0);
  });

  it("keeps no listener per finished call on the handler's call", async () => {
    const downstream = await startDownstream("new Server()");
    downstream.release();
    const client = clientOf(downstream);
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on("warning", onWarning);
    try {
      const middle = await start({
        async unary() {
          // grpc-js's own CANCELLATION flag would leave 20 'cancelled' listeners here.
          for (let i = 0; i < 20; i++) await client.unary({ text: String(i) });
          return { text: "done" };
        },
      });
      expect((await middle.client.unary({ text: "up" })).text).toBe("done");
      // Node emits the process warning on the next tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("runs a call's callbacks where the call was made, not in the handler that set up its connection", async () => {
    const downstream = await startDownstream("new Server()");
    downstream.release();
    // Holds the client's connection until the test lets it through.
    const accepted = deferred();
    const through = deferred();
    const sockets: Socket[] = [];
    const gate = createNetServer((incoming) => {
      accepted.resolve();
      void through.promise.then(() => {
        const outgoing = createConnection({ host: "127.0.0.1", port: downstream.harness.port });
        sockets.push(incoming, outgoing);
        incoming.pipe(outgoing).pipe(incoming);
        outgoing.on("error", () => incoming.destroy());
        incoming.on("error", () => outgoing.destroy());
      });
    });
    const gatePort = await listenLocal(gate);
    try {
      const client = new TestServiceClient(`127.0.0.1:${gatePort}`, credentials.createInsecure());
      clients.push(client);
      // The client's connection is set up inside a handler, by its first call.
      const middle = await start({ unary: async () => client.unary({ text: "from the handler" }) });
      const upstream = middle.client.unary({ text: "up" }, { deadline: Date.now() + UPSTREAM_TIMEOUT_MS });
      await within(accepted.promise, "the client's connection");
      // Queued behind that connection: grpc-js starts it, and emits its events, from there.
      let inner: Promise<unknown> | undefined;
      const outside = client.unary({ text: "outside" }, {
          onHeader: () => {
            inner = client.unary({ text: "from the callback" });
          },
        });
      through.resolve();
      await Promise.all([upstream, outside]);
      // Set by the callback, which ran before `outside` settled.
      await inner;
      expect(downstream.seen().map((call) => [call.text, Number.isFinite(call.deadline)]).sort()).toEqual([
        ["from the callback", false],
        ["from the handler", true],
        ["outside", false],
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => gate.close(resolve));
    }
  });
});
