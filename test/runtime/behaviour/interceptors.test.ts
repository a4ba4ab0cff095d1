// Client interceptors (per client and per call) and server interceptors (per registration)
// around the four kinds of the canonical TestService: their order, what they see and
// change, and that their work and their errors are inside the call's span and metrics.
import { SpanKind, trace } from "@opentelemetry/api";
import type { SpanContext } from "@opentelemetry/api";
import { Metadata } from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import type { Message } from "@bufbuild/protobuf";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { ClientInterceptor, ClientOptions, MethodKind, ServerInterceptor, ServerOptions, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { Behavior, BidiStreamRequestSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import type { BehaviorHooks } from "../../support/behavior-handlers.js";
import { KINDS } from "../../support/call-kinds.js";
import { countsOf, settledScrape, scrape } from "../../support/grpc-counts.js";
import { SHORT_DEADLINE_MS, collect, expectRpcError, useTestServer, waitFor } from "../../support/harness.js";
import type { TestHarness } from "../../support/harness.js";
import { onlySpan, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const startServer = useTestServer();

interface Setup {
  client?: ClientOptions["interceptors"];
  server?: ServerOptions["interceptors"];
  handlers?: Partial<TestServiceHandlers>;
  hooks?: BehaviorHooks;
}

/** The TestService traced and counted (Prometheus) on both sides, with the interceptors given. */
async function start(setup: Setup = {}): Promise<TestHarness & { registry: Registry }> {
  const registry = new Registry();
  const telemetry: TelemetryOptions = { tracing: { tracerProvider: tracing.provider }, metrics: false, prometheus: { registry } };
  const harness = await startServer(setup.handlers ?? behaviorHandlers(setup.hooks), {
    client: { telemetry, interceptors: setup.client },
    server: { telemetry, interceptors: setup.server },
  });
  return { ...harness, registry };
}

/** A client interceptor that logs `name>` before the call and `<name` once its response (or each streamed one) is through. */
function tracer(name: string, log: string[]): ClientInterceptor {
  return (next) => async (request) => {
    log.push(`${name}>`);
    const response = await next(request);
    if ("responses" in response) {
      return { ...response, responses: tap(response.responses, () => log.push(`<${name}`)) };
    }
    log.push(`<${name}`);
    return response;
  };
}

/** `stream`, calling `each` for every message as it passes. */
async function* tap<M>(stream: AsyncIterable<M> | Iterable<M>, each: (message: M) => void): AsyncGenerator<M> {
  for await (const message of stream) {
    each(message);
    yield message;
  }
}

/** The `kind` an interceptor sees for each method of the TestService. */
const KIND_OF: Record<string, MethodKind> = {
  Unary: "unary",
  ServerStream: "server_streaming",
  ClientStream: "client_streaming",
  BidiStream: "bidi_streaming",
};

describe.each(KINDS)("client interceptors, $method", (kind) => {
  it("run in order, the client's outermost and the call's inside them, around the call", async () => {
    const log: string[] = [];
    const { client } = await start({ client: [tracer("a", log), tracer("b", log)], hooks: { onCall: () => log.push("handler") } });
    const { messages, error } = await collect(kind.call(client, [{ text: "x" }], { interceptors: [tracer("call", log)] }));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["x"]);
    expect(log).toEqual(["a>", "b>", "call>", "handler", "<call", "<b", "<a"]);
  });

  it("send the metadata they set, without touching the caller's, and see the method", async () => {
    const seen: (string | undefined)[] = [];
    const stamp: ClientInterceptor = (next) => async (request) => {
      request.metadata.set("x-intercepted", `${request.method.name}/${request.kind}`);
      return await next(request);
    };
    const { client } = await start({ client: [stamp], hooks: { onCall: (context) => seen.push(context.metadata.get("x-intercepted")[0]?.toString()) } });
    const metadata = new Metadata();
    metadata.set("x-caller", "1");
    const { error } = await collect(kind.call(client, [{ text: "x" }], { metadata }));
    expect(error).toBeUndefined();
    expect(seen).toEqual([`${kind.method}/${KIND_OF[kind.method]}`]);
    expect(metadata.getMap()).toEqual({ "x-caller": "1" });
  });

  it("run inside the call's client span", async () => {
    let active: SpanContext | undefined;
    const { client } = await start({
      client: [
        (next) => async (request) => {
          active = trace.getActiveSpan()?.spanContext();
          return await next(request);
        },
      ],
    });
    await collect(kind.call(client, [{ text: "x" }]));
    const spans = await tracing.ended(2);
    expect(active).toEqual(onlySpan(spans, SpanKind.CLIENT).spanContext());
  });

  it("end the call with the status of what they reject with, before anything is sent, and telemetry records it", async () => {
    const handled: string[] = [];
    const deny: ClientInterceptor = () => () => Promise.reject(new RpcError(Code.PERMISSION_DENIED, "not from here"));
    const { client, registry } = await start({ client: [deny], hooks: { onCall: () => handled.push("handler") } });
    const { messages, error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(messages).toEqual([]);
    expect(expectRpcError(error, Code.PERMISSION_DENIED).rawMessage).toBe("not from here");
    const [span] = await tracing.ended(1);
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes["rpc.response.status_code"]).toBe("PERMISSION_DENIED");
    expect(span?.status.message).toBe("not from here");
    await waitFor(() => tracing.spans().length === 1, "the one span");
    const exposition = await scrape(registry);
    expect(countsOf(exposition, "client", kind.method)).toMatchObject({ started: 1, sent: 0, handled: { PermissionDenied: 1 }, timed: 1 });
    expect(countsOf(exposition, "server", kind.method).started).toBe(0);
    expect(handled).toEqual([]);
  });

  it("turn a successful call into the error they throw after it, which the client span and metrics record", async () => {
    const strict: ClientInterceptor = (next) => async (request) => {
      const response = await next(request);
      if ("responses" in response) {
        return {
          ...response,
          responses: tap(response.responses, () => {
            throw new RpcError(Code.DATA_LOSS, "a response failed a check");
          }),
        };
      }
      throw new RpcError(Code.DATA_LOSS, "a response failed a check");
    };
    const { client, registry } = await start({ client: [strict] });
    const { error } = await collect(kind.call(client, [{ text: "x" }]));
    expectRpcError(error, Code.DATA_LOSS);
    const spans = await tracing.ended(2);
    expect(onlySpan(spans, SpanKind.CLIENT).attributes["rpc.response.status_code"]).toBe("DATA_LOSS");
    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "client", kind.method).handled).toEqual({ DataLoss: 1 });
  });

  it("hand an inner interceptor's exception to the outer ones as an RpcError, UNKNOWN, with the exception on the client span", async () => {
    const seen: unknown[] = [];
    const outer: ClientInterceptor = (next) => (request) =>
      next(request).catch((err: unknown) => {
        seen.push(err);
        throw err;
      });
    const broken: ClientInterceptor = () => () => Promise.reject(new Error("token cache broken"));
    const { client } = await start({ client: [outer, broken] });
    const { error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(expectRpcError(error, Code.UNKNOWN).rawMessage).toBe("token cache broken");
    expect(seen).toEqual([error]);
    const span = onlySpan(await tracing.ended(1), SpanKind.CLIENT);
    expect(span.attributes["rpc.response.status_code"]).toBe("UNKNOWN");
    expect(span.events.filter((e) => e.name === "exception").map((e) => e.attributes?.["exception.message"])).toEqual(["token cache broken"]);
  });

  it("set the call's deadline", async () => {
    const deadlines: number[] = [];
    const withDeadline: ClientInterceptor = (next) => async (request) => {
      request.options.deadline ??= Date.now() + SHORT_DEADLINE_MS;
      return await next(request);
    };
    const { client, registry } = await start({ client: [withDeadline], hooks: { onCall: (context) => deadlines.push(Number(context.deadline)) } });
    const { error } = await collect(kind.call(client, [{ text: "x", behavior: Behavior.WAIT_FOR_CANCEL }]));
    expectRpcError(error, Code.DEADLINE_EXCEEDED);
    expect(deadlines).toHaveLength(1);
    expect(Number.isFinite(deadlines[0])).toBe(true);
    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "client", kind.method).handled).toEqual({ DeadlineExceeded: 1 });
  });

  it("may answer by themselves; nothing is sent and the call is OK", async () => {
    const answer: ClientInterceptor = () => async (request) => {
      const cached = create(request.method.output, { text: "cached" });
      return request.kind === "unary" || request.kind === "client_streaming"
        ? { kind: request.kind, response: cached }
        : { kind: request.kind, responses: tap([cached], () => undefined) };
    };
    const { client, registry } = await start({ client: [answer] });
    const { messages, error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["cached"]);
    expect(onlySpan(await tracing.ended(1), SpanKind.CLIENT).attributes["rpc.response.status_code"]).toBe("OK");
    expect(countsOf(await scrape(registry), "server", kind.method).started).toBe(0);
  });

  it("fail the call INTERNAL when they answer with a message of another type", async () => {
    const wrong: ClientInterceptor = () => async (request) =>
      request.kind === "unary" || request.kind === "client_streaming"
        ? { kind: request.kind, response: create(BidiStreamRequestSchema) }
        : { kind: request.kind, responses: tap([create(BidiStreamRequestSchema)], () => undefined) };
    const { client } = await start({ client: [wrong] });
    const { error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(expectRpcError(error, Code.INTERNAL).rawMessage).toContain("passed a tsotel.testing.v1.BidiStreamRequest where");
  });
});

describe.each(KINDS.filter((kind) => kind.streamsResponses))("client interceptors, $method", (kind) => {
  it("see the response stream message by message as the caller reads it", async () => {
    const log: string[] = [];
    const watch: ClientInterceptor = (next) => async (request) => {
      const response = await next(request);
      return "responses" in response ? { ...response, responses: tap(response.responses, () => log.push("interceptor")) } : response;
    };
    const { client } = await start({ client: [watch] });
    for await (const message of kind.call(client, [{ text: "x", count: 3 }])) {
      log.push(`caller ${message.index}`);
    }
    expect(log).toEqual(["interceptor", "caller 0", "interceptor", "caller 1", "interceptor", "caller 2"]);
  });

  it("cancel the call when the caller leaves early, and the client span records CANCELLED", async () => {
    const { client } = await start({ client: [(next) => (request) => next(request)] });
    for await (const message of kind.call(client, [{ text: "x", count: 1, behavior: Behavior.WAIT_FOR_CANCEL }])) {
      expect(message.index).toBe(0);
      break;
    }
    const spans = await tracing.ended(2);
    expect(onlySpan(spans, SpanKind.CLIENT).attributes["rpc.response.status_code"]).toBe("CANCELLED");
    expect(onlySpan(spans, SpanKind.SERVER).attributes["rpc.response.status_code"]).toBe("CANCELLED");
  });
});

describe.each(KINDS.filter((kind) => kind.streamsRequests))("client interceptors, $method", (kind) => {
  it("see the request stream message by message", async () => {
    const sent: string[] = [];
    const watch: ClientInterceptor = (next) => (request) =>
      next("requests" in request ? { ...request, requests: tap(request.requests, (m) => sent.push((m as Message & { text: string }).text)) } : request);
    const { client } = await start({ client: [watch] });
    const { error } = await collect(kind.call(client, [{ text: "a" }, { text: "b" }]));
    expect(error).toBeUndefined();
    expect(sent).toEqual(["a", "b"]);
  });
});

describe.each(KINDS)("server interceptors, $method", (kind) => {
  it("run in order around the handler, inside the server span", async () => {
    const log: string[] = [];
    let active: SpanContext | undefined;
    const wrap = (name: string): ServerInterceptor => (next) => async (request) => {
      log.push(`${name}>`);
      active ??= trace.getActiveSpan()?.spanContext();
      const response = await next(request);
      if ("responses" in response) {
        return { ...response, responses: tap(response.responses, () => log.push(`<${name}`)) };
      }
      log.push(`<${name}`);
      return response;
    };
    const { client } = await start({ server: [wrap("a"), wrap("b")], hooks: { onCall: () => log.push("handler") } });
    const { messages, error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["x"]);
    expect(log).toEqual(["a>", "b>", "handler", "<b", "<a"]);
    expect(active).toEqual(onlySpan(await tracing.ended(2), SpanKind.SERVER).spanContext());
  });

  it("see the client's metadata and answer UNAUTHENTICATED without it; the handler never runs and the server span and metrics record it", async () => {
    const handled: string[] = [];
    const requireToken: ServerInterceptor = (next) => async (request) => {
      if (request.metadata.get("authorization")[0] !== "Bearer good") {
        throw new RpcError(Code.UNAUTHENTICATED, "a bearer token is required");
      }
      return await next(request);
    };
    const authorize: ClientInterceptor = (next) => async (request) => {
      request.metadata.set("authorization", "Bearer good");
      return await next(request);
    };
    const { client, registry } = await start({ server: [requireToken], hooks: { onCall: () => handled.push("handler") } });
    const { error } = await collect(kind.call(client, [{ text: "x" }]));
    expect(expectRpcError(error, Code.UNAUTHENTICATED).rawMessage).toBe("a bearer token is required");
    const spans = await tracing.ended(2);
    expect(onlySpan(spans, SpanKind.SERVER).attributes["rpc.response.status_code"]).toBe("UNAUTHENTICATED");
    expect(onlySpan(spans, SpanKind.CLIENT).attributes["rpc.response.status_code"]).toBe("UNAUTHENTICATED");
    const exposition = await settledScrape(registry, kind.method);
    expect(countsOf(exposition, "server", kind.method).handled).toEqual({ Unauthenticated: 1 });
    expect(handled).toEqual([]);

    const { messages, error: authorized } = await collect(kind.call(client, [{ text: "y" }], { interceptors: [authorize] }));
    expect(authorized).toBeUndefined();
    expect(messages.map((m) => m.text)).toEqual(["y"]);
    expect(handled).toEqual(["handler"]);
  });

  it("see what the handler threw, and answer with what they throw instead", async () => {
    const seen: unknown[] = [];
    const translate: ServerInterceptor = (next) => async (request) => {
      const fail = (err: unknown): never => {
        seen.push(err);
        throw new RpcError(Code.FAILED_PRECONDITION, "translated");
      };
      try {
        const response = await next(request);
        if ("responses" in response) {
          return { ...response, responses: rethrown(response.responses, fail) };
        }
        return response;
      } catch (err) {
        return fail(err);
      }
    };
    const { client } = await start({ server: [translate] });
    const { error } = await collect(kind.call(client, [{ text: "x", behavior: Behavior.THROW }]));
    expect(expectRpcError(error, Code.FAILED_PRECONDITION).rawMessage).toBe("translated");
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe("secret detail");
  });

  it("see UNIMPLEMENTED for a handler that is missing", async () => {
    const seen: number[] = [];
    const watch: ServerInterceptor = (next) => (request) =>
      next(request).catch((err: unknown) => {
        seen.push(RpcError.from(err).code);
        throw err;
      });
    const { client } = await start({ server: [watch], handlers: {} });
    const { error } = await collect(kind.call(client, [{ text: "x" }]));
    expectRpcError(error, Code.UNIMPLEMENTED);
    expect(seen).toEqual([Code.UNIMPLEMENTED]);
  });
});

describe.each(KINDS.filter((kind) => kind.streamsResponses))("server interceptors, $method", (kind) => {
  it("see the handler's response stream message by message", async () => {
    const seen: number[] = [];
    const watch: ServerInterceptor = (next) => async (request) => {
      const response = await next(request);
      return "responses" in response ? { ...response, responses: tap(response.responses, (m) => seen.push((m as Message & { index: number }).index)) } : response;
    };
    const { client } = await start({ server: [watch] });
    const { messages } = await collect(kind.call(client, [{ text: "x", count: 3 }]));
    expect(messages.map((m) => m.index)).toEqual([0, 1, 2]);
    expect(seen).toEqual([0, 1, 2]);
  });
});

/** `stream`, with what it throws handed to `fail`. */
async function* rethrown<M>(stream: AsyncIterable<M>, fail: (err: unknown) => never): AsyncGenerator<M> {
  try {
    yield* stream;
  } catch (err) {
    fail(err);
  }
}
