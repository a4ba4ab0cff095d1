// The two servers of the propagation tests, in one process (test/runtime/behaviour/
// propagation.test.ts) and across three (test/cross-process/propagation.test.ts): a
// "middle" whose handlers call a "downstream" server with a generated client, and the
// downstream, whose handlers hold their call open until told or cancelled.
import { RpcError, codeName } from "protoc-gen-ts-otel-runtime";
import type { CallOptions, ServerContext } from "protoc-gen-ts-otel-runtime";
import type { TestServiceClient, TestServiceHandlers } from "../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { KINDS } from "./call-kinds.js";
import type { Kind } from "./call-kinds.js";
import { aborted, collect } from "./harness.js";

/** The downstream call a middle handler makes, of its own kind; resolves with how it ended. */
export type DownstreamCall = (kind: Kind, text: string, context: ServerContext) => Promise<string>;

/**
 * Resolves after promise continuations, turns of the event loop and nested async
 * functions: a handler's scope must survive them.
 */
export async function severalAwaits(depth = 3): Promise<void> {
  await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (depth > 0) await severalAwaits(depth - 1);
}

/** Makes a call of `kind` with one request and tells how it ended: `OK` or the code's name. */
export async function callOutcome(kind: Kind, client: TestServiceClient, text: string, options: CallOptions): Promise<string> {
  const { error } = await collect(kind.call(client, [{ text }], options));
  if (error === undefined) return "OK";
  if (error instanceof RpcError) return codeName(error.code);
  return `not an RpcError: ${error instanceof Error ? error.message : typeof error}`;
}

function kindOf(type: Kind["type"]): Kind {
  const kind = KINDS.find((k) => k.type === type);
  if (kind === undefined) throw new Error(`no kind ${type}`);
  return kind;
}

/**
 * Middle handlers: each reads its requests, waits through several awaits (inside an
 * async generator, after a first response, for the streaming kinds) and then makes its
 * downstream call; it answers with the first request's text.
 */
export function middleHandlers(downstream: DownstreamCall): TestServiceHandlers {
  const call = async (type: Kind["type"], text: string, context: ServerContext): Promise<{ text: string }> => {
    await severalAwaits();
    await downstream(kindOf(type), text, context);
    return { text };
  };
  return {
    unary: (request, context) => call("unary", request.text, context),
    async *serverStream(request, context) {
      yield { text: "first" };
      yield await call("server_stream", request.text, context);
    },
    async clientStream(requests, context) {
      let text = "";
      for await (const request of requests) text ||= request.text;
      return call("client_stream", text, context);
    },
    async *bidiStream(requests, context) {
      let text = "";
      for await (const request of requests) {
        text ||= request.text;
        yield { text: "first" };
      }
      yield await call("bidi_stream", text, context);
    },
  };
}

/**
 * Downstream handlers: each reads its requests, hands its call to `hold` (with the text
 * of the first request) and answers once the promise `hold` returns resolves, or fails
 * with its call's end once its signal fires.
 */
export function downstreamHandlers(hold: (context: ServerContext, text: string) => Promise<void>): TestServiceHandlers {
  const answer = async (context: ServerContext, text: string): Promise<{ text: string }> => {
    await Promise.race([hold(context, text), aborted(context.signal)]);
    context.signal.throwIfAborted();
    return { text: "downstream" };
  };
  return {
    unary: (request, context) => answer(context, request.text),
    async *serverStream(request, context) {
      yield await answer(context, request.text);
    },
    async clientStream(requests, context) {
      let text = "";
      for await (const request of requests) text ||= request.text;
      return answer(context, text);
    },
    async *bidiStream(requests, context) {
      let text = "";
      for await (const request of requests) text ||= request.text;
      yield await answer(context, text);
    },
  };
}
