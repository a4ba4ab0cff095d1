// The handlers of the conformance suite, twice: as a careful plain grpc-js user writes
// them (callback(err), call.emit("error"), call.sendMetadata, call.end(trailers)), and
// as generated handlers (return, yield, throw RpcError, context.header/trailer). Both
// do what support/conformance-scenarios.ts says for the call's `x-scenario`, with the
// same messages, statuses and metadata, so the wire must be the same.
import type { EventEmitter } from "node:events";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Metadata, status } from "@grpc/grpc-js";
import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
  sendUnaryData,
} from "@grpc/grpc-js";
import { ErrorInfoSchema, RpcError, StatusSchema } from "protoc-gen-ts-otel-runtime";
import type { ErrorInfo, ServerContext } from "protoc-gen-ts-otel-runtime";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import {
  BidiStreamResponseSchema,
  ClientStreamResponseSchema,
  ServerStreamResponseSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type {
  BidiStreamRequest,
  BidiStreamResponse,
  ClientStreamRequest,
  ClientStreamResponse,
  ServerStreamRequest,
  ServerStreamResponse,
  UnaryRequest,
  UnaryResponse,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { HANDLER_WAIT_LIMIT_MS, OVER_CLIENT_LIMIT, OVER_SERVER_LIMIT, WAITS_FOR_END, WAITS_FOR_RELEASE } from "./conformance-scenarios.js";
import type { Kind } from "./conformance-scenarios.js";

/** What the server holding the handlers does for them. */
export interface HandlerHooks {
  /** A handler started; returns which attempt of its call id this is, from 1. */
  invoked(callId: string, scenario: string): number;
  /** Resolves once the server is released: its shutdown has begun, or the test said so (WAITS_FOR_RELEASE answer then). */
  readonly released: Promise<void>;
}

/** A response message's fields (all four response types have them). */
interface Reply {
  text?: string;
  index?: number;
  count?: number;
  payload?: Uint8Array;
}

interface Failure {
  readonly code: status;
  readonly details: string;
  readonly metadata?: Metadata;
  /** Response headers go out first (sendHeader / sendMetadata). */
  readonly afterHeader?: boolean;
  /** After the messages of `replies`. */
  readonly afterMessages?: boolean;
  /** The rich error model's one detail: in grpc-status-details-bin, as google.rpc.Status. */
  readonly errorInfo?: ErrorInfo;
}

/** The message a handler's non-RpcError exception becomes, on both servers. */
export const UNKNOWN_SERVER_ERROR = "Unknown server error";

const headerMetadata = (): Metadata => {
  const metadata = new Metadata();
  metadata.set("x-header", "h");
  return metadata;
};
const trailerMetadata = (): Metadata => {
  const metadata = new Metadata();
  metadata.set("x-trailer", "t");
  metadata.set("x-detail-bin", Buffer.from([1, 2, 3]));
  return metadata;
};

/** The response messages of a call of `kind` in `scenario`, after requests with `texts`. */
function replies(scenario: string, kind: Kind, texts: readonly string[]): Reply[] {
  switch (scenario) {
    case "ok-empty":
      return kind === "Unary" || kind === "ClientStream" ? [{}] : [];
    case "server-send-limit":
      return [{ payload: new Uint8Array(OVER_SERVER_LIMIT).fill(0x61) }];
    case "client-receive-limit":
      return [{ payload: new Uint8Array(OVER_CLIENT_LIMIT).fill(0x62) }];
    case "error-after-messages":
      return [{ text: "before the error", index: 0 }, { text: "before the error", index: 1 }];
    default:
      switch (kind) {
        case "Unary":
          return [{ text: `unary ${texts[0] ?? ""}` }];
        case "ClientStream":
          return [{ count: texts.length, text: texts.join(",") }];
        case "ServerStream":
          return [{ text: "stream", index: 0 }, { text: "stream", index: 1 }];
        case "BidiStream":
          return texts.map((text, index) => ({ text, index }));
      }
  }
}

/** How the call fails in `scenario` at `attempt`, if it does. */
function failure(scenario: string, attempt: number): Failure | undefined {
  switch (scenario) {
    case "error":
      return { code: status.NOT_FOUND, details: "nothing here" };
    case "error-after-messages":
      return { code: status.ABORTED, details: "failed after messages", afterMessages: true };
    case "error-after-header":
      return { code: status.FAILED_PRECONDITION, details: "failed after headers", afterHeader: true };
    case "error-metadata":
      return { code: status.INVALID_ARGUMENT, details: "bad request", metadata: trailerMetadata() };
    case "error-details":
      return {
        code: status.FAILED_PRECONDITION,
        details: "out of stock",
        metadata: trailerMetadata(),
        errorInfo: create(ErrorInfoSchema, { reason: "OUT_OF_STOCK", domain: "shop.example.com", metadata: { sku: "A-1" } }),
      };
    case "fail-twice":
      return attempt <= 2 ? { code: status.UNAVAILABLE, details: `attempt ${String(attempt)} refused` } : undefined;
    default:
      return undefined;
  }
}

/** What a waiting handler sends before it waits: headers, or one or two messages. */
function beforeWait(scenario: string): "header" | 1 | 2 | undefined {
  switch (scenario) {
    case "cancel-mid":
    case "force-shutdown":
      return "header";
    case "cancel-after-first":
      return 1;
    case "cancel-after-last":
      return 2;
    default:
      return undefined;
  }
}

const GAVE_UP = { code: status.ABORTED, details: "the handler gave up waiting for the end of the call" };

function scenarioOf(metadata: Metadata): { callId: string; scenario: string } {
  return { callId: String(metadata.get("x-call-id")[0] ?? "?"), scenario: String(metadata.get("x-scenario")[0] ?? "ok") };
}

// ---------------------------------------------------------------- reference (plain grpc-js)

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown> | ServerReadableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;

/** Resolves true when grpc-js says the call is over (cancel, deadline), false after the wait limit. */
function callEnded(call: AnyCall): Promise<boolean> {
  return new Promise((resolve) => {
    if (call.cancelled) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), HANDLER_WAIT_LIMIT_MS);
    const events: EventEmitter = call;
    events.on("cancelled", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The texts of every request, once the client half-closed. */
function drained(call: ServerReadableStream<ClientStreamRequest | BidiStreamRequest, unknown>): Promise<string[]> {
  return new Promise((resolve) => {
    const texts: string[] = [];
    call.on("data", (request: ClientStreamRequest | BidiStreamRequest) => texts.push(request.text));
    call.on("end", () => resolve(texts));
  });
}

const asError = (f: Failure): Partial<{ code: status; details: string; metadata: Metadata }> => ({
  code: f.code,
  details: f.details,
  ...(f.metadata === undefined ? {} : { metadata: withStatusDetails(f, f.metadata) }),
});

/** A failure's trailers with its detail encoded by hand, as grpc-js users do without the runtime. */
function withStatusDetails({ code, details, errorInfo }: Failure, metadata: Metadata): Metadata {
  if (errorInfo === undefined) return metadata;
  const trailers = metadata.clone();
  const rich = create(StatusSchema, { code, message: details, details: [anyPack(ErrorInfoSchema, errorInfo)] });
  trailers.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, rich)));
  return trailers;
}

/** The TestService as a careful grpc-js user implements it. */
export function referenceImplementation(hooks: HandlerHooks): UntypedServiceImplementation {
  /** The steps every kind shares until its messages: returns false when the call is already answered. */
  async function prelude(call: AnyCall, kind: Kind, respond: (replies: Reply[]) => void, fail: (f: Partial<{ code: status; details: string; metadata: Metadata }>) => void): Promise<{ scenario: string; attempt: number } | undefined> {
    const { callId, scenario } = scenarioOf(call.metadata);
    const attempt = hooks.invoked(callId, scenario);
    if (WAITS_FOR_END.has(scenario)) {
      const first = beforeWait(scenario);
      if (first === "header") call.sendMetadata(new Metadata());
      if (typeof first === "number") respond(replies("ok", kind, ["a", "b"]).slice(0, first));
      if (!(await callEnded(call))) fail(GAVE_UP);
      // The call is over: a careful user answers nothing more.
      return undefined;
    }
    if (WAITS_FOR_RELEASE.has(scenario)) {
      call.sendMetadata(new Metadata());
      await hooks.released;
    }
    return { scenario, attempt };
  }

  return {
    Unary(call: ServerUnaryCall<UnaryRequest, UnaryResponse>, callback: sendUnaryData<UnaryResponse>): void {
      const fail = (f: Partial<{ code: status; details: string; metadata: Metadata }>): void => callback(f, null);
      void prelude(call, "Unary", () => undefined, fail).then((step) => {
        if (step === undefined) return;
        answerSingle(call, "Unary", step, [call.request.text], (reply, trailers) => callback(null, create(UnaryResponseSchema, reply), trailers), fail);
      });
    },
    ClientStream(call: ServerReadableStream<ClientStreamRequest, ClientStreamResponse>, callback: sendUnaryData<ClientStreamResponse>): void {
      const fail = (f: Partial<{ code: status; details: string; metadata: Metadata }>): void => callback(f, null);
      void prelude(call, "ClientStream", () => undefined, fail).then(async (step) => {
        if (step === undefined) return;
        const texts = await drained(call);
        answerSingle(call, "ClientStream", step, texts, (reply, trailers) => callback(null, create(ClientStreamResponseSchema, reply), trailers), fail);
      });
    },
    ServerStream(call: ServerWritableStream<ServerStreamRequest, ServerStreamResponse>): void {
      const respond = (messages: Reply[]): void => {
        for (const reply of messages) call.write(create(ServerStreamResponseSchema, reply));
      };
      const fail = (f: Partial<{ code: status; details: string; metadata: Metadata }>): void => {
        call.emit("error", f);
      };
      void prelude(call, "ServerStream", respond, fail).then((step) => {
        if (step === undefined) return;
        answerStream(call, "ServerStream", step, [call.request.text], respond, fail);
      });
    },
    BidiStream(call: ServerDuplexStream<BidiStreamRequest, BidiStreamResponse>): void {
      const respond = (messages: Reply[]): void => {
        for (const reply of messages) call.write(create(BidiStreamResponseSchema, reply));
      };
      const fail = (f: Partial<{ code: status; details: string; metadata: Metadata }>): void => {
        call.emit("error", f);
      };
      void prelude(call, "BidiStream", respond, fail).then(async (step) => {
        if (step === undefined) return;
        const texts = await drained(call);
        answerStream(call, "BidiStream", step, texts, respond, fail);
      });
    },
  };
}

/** Answers the failures that come before any message ("answered"); returns one that comes after them, if any. */
function failFirst(
  call: AnyCall,
  { scenario, attempt }: { scenario: string; attempt: number },
  fail: (f: Partial<{ code: status; details: string; metadata: Metadata }>) => void,
): Failure | "answered" | undefined {
  if (scenario === "throw") {
    fail({ code: status.UNKNOWN, details: UNKNOWN_SERVER_ERROR });
    return "answered";
  }
  const failed = failure(scenario, attempt);
  if (failed === undefined || failed.afterMessages === true) return failed;
  if (failed.afterHeader === true) call.sendMetadata(headerMetadata());
  fail(asError(failed));
  return "answered";
}

/** A unary or client-streaming answer, the grpc-js way. */
function answerSingle(
  call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>,
  kind: Kind,
  step: { scenario: string; attempt: number },
  texts: readonly string[],
  respond: (reply: Reply, trailers?: Metadata) => void,
  fail: (f: Partial<{ code: status; details: string; metadata: Metadata }>) => void,
): void {
  const { scenario } = step;
  if (failFirst(call, step, fail) !== undefined) return;
  if (scenario === "metadata") {
    call.sendMetadata(headerMetadata());
    respond(replies(scenario, kind, texts)[0] ?? {}, trailerMetadata());
    return;
  }
  respond(replies(scenario, kind, texts)[0] ?? {});
}

/** A server-streaming or bidi answer, the grpc-js way. */
function answerStream(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  kind: Kind,
  step: { scenario: string; attempt: number },
  texts: readonly string[],
  respond: (replies: Reply[]) => void,
  fail: (f: Partial<{ code: status; details: string; metadata: Metadata }>) => void,
): void {
  const { scenario } = step;
  const failed = failFirst(call, step, fail);
  if (failed === "answered") return;
  if (scenario === "metadata") call.sendMetadata(headerMetadata());
  respond(replies(scenario, kind, texts));
  if (failed !== undefined) {
    fail(asError(failed));
    return;
  }
  call.end(scenario === "metadata" ? trailerMetadata() : undefined);
}

// ---------------------------------------------------------------- generated

/** Resolves when the call's signal fires; rejects with ABORTED after the wait limit. */
async function signalled(context: ServerContext): Promise<never> {
  const ended = await new Promise<boolean>((resolve) => {
    if (context.signal.aborted) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), HANDLER_WAIT_LIMIT_MS);
    context.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  throw ended ? RpcError.from(context.signal.reason) : new RpcError(GAVE_UP.code, GAVE_UP.details);
}

async function texts(requests: AsyncIterable<{ text: string }>): Promise<string[]> {
  const all: string[] = [];
  for await (const request of requests) all.push(request.text);
  return all;
}

const rpcError = (f: Failure): RpcError =>
  new RpcError(f.code, f.details, f.metadata, { details: f.errorInfo === undefined ? undefined : [f.errorInfo] });

/** The TestService as generated handlers implement it. */
export function generatedHandlers(hooks: HandlerHooks): TestServiceHandlers {
  /** The steps every kind shares until its messages. */
  async function* prelude(context: ServerContext, kind: Kind): AsyncGenerator<Reply, { scenario: string; attempt: number }> {
    const { callId, scenario } = scenarioOf(context.metadata);
    const attempt = hooks.invoked(callId, scenario);
    if (WAITS_FOR_END.has(scenario)) {
      const first = beforeWait(scenario);
      if (first === "header") context.sendHeader();
      if (typeof first === "number") yield* replies("ok", kind, ["a", "b"]).slice(0, first);
      return await signalled(context);
    }
    if (WAITS_FOR_RELEASE.has(scenario)) {
      context.sendHeader();
      await hooks.released;
    }
    return { scenario, attempt };
  }

  /** Fails before any message as the scenario asks; sets the metadata of the `metadata` row. */
  function failEarly(context: ServerContext, { scenario, attempt }: { scenario: string; attempt: number }): Failure | undefined {
    if (scenario === "throw") throw new Error("secret detail that must not leak");
    if (scenario === "metadata") {
      context.header.merge(headerMetadata());
      context.trailer.merge(trailerMetadata());
    }
    const failed = failure(scenario, attempt);
    if (failed !== undefined && failed.afterMessages !== true) {
      if (failed.afterHeader === true) {
        context.header.merge(headerMetadata());
        context.sendHeader();
      }
      throw rpcError(failed);
    }
    return failed;
  }

  /** A unary or client-streaming handler's answer. */
  async function single(kind: Kind, context: ServerContext, requestTexts: () => Promise<string[]>): Promise<Reply> {
    const steps = prelude(context, kind);
    let step = await steps.next();
    while (step.done !== true) step = await steps.next();
    const texts = await requestTexts();
    failEarly(context, step.value);
    return replies(step.value.scenario, kind, texts)[0] ?? {};
  }

  async function* stream(kind: Kind, context: ServerContext, requestTexts: () => Promise<string[]>): AsyncGenerator<Reply> {
    const step = yield* prelude(context, kind);
    const texts = await requestTexts();
    const late = failEarly(context, step);
    yield* replies(step.scenario, kind, texts);
    if (late !== undefined) throw rpcError(late);
  }

  return {
    unary: async (request, context) => create(UnaryResponseSchema, await single("Unary", context, () => Promise.resolve([request.text]))),
    clientStream: async (requests, context) => create(ClientStreamResponseSchema, await single("ClientStream", context, () => texts(requests))),
    serverStream: (request, context) => stream("ServerStream", context, () => Promise.resolve([request.text])),
    bidiStream: (requests, context) => stream("BidiStream", context, () => texts(requests)),
  };
}
