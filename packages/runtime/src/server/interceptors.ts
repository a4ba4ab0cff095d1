import type { Metadata } from "@grpc/grpc-js";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { InterceptedRequestBase, InterceptedResponse, RequestPayload } from "../interception.js";
import { chainInterceptors, innermost, messagesOf, ofType, responseStream, singleResponse } from "../interception.js";
import type { MethodDefinition, MethodKind } from "../service.js";
import type { HandlerFor, HandlerResult, HandlerStream } from "./handlers.js";
import { unimplemented } from "./server-call.js";
import { createResponse } from "./server-codec.js";
import type { ServerContext } from "./server-context.js";

/** What every intercepted server call shows, whatever its kind. */
export interface ServerRequestBase<K extends MethodKind> extends InterceptedRequestBase<K> {
  /** The request metadata the client sent, the same object as `context.metadata`. */
  readonly metadata: Metadata;
  /** What the handler gets besides the request: deadline, signal, response header and trailer, span. */
  readonly context: ServerContext;
}

/**
 * A server call as an interceptor sees it before its handler runs: one type per kind,
 * told apart by `kind`. `ServerRequest` alone is any of the four.
 */
export type ServerRequest<K extends MethodKind = MethodKind> = K extends MethodKind ? ServerRequestBase<K> & RequestPayload<K> : never;

/** What `next` gives a server interceptor: the handler's response message, or its response stream. */
export type ServerResponse<K extends MethodKind = MethodKind> = InterceptedResponse<K>;

/**
 * The rest of a server call's chain: the next interceptor, or the handler. Call it once;
 * it settles with the handler's response (or stream), or rejects with what the handler threw.
 */
export type ServerNext = (request: ServerRequest) => Promise<ServerResponse>;

/**
 * A server interceptor: given the rest of the chain, the function that handles a call
 * of any kind, inside the call's span, as the handler does. What it rejects with is
 * answered as a handler's exception is: an RpcError with its status (and recorded so),
 * anything else as UNKNOWN. It may answer without calling `next`; the handler then
 * never runs.
 *
 * ```ts
 * const requireToken: ServerInterceptor = (next) => async (request) => {
 *   if (request.metadata.get("authorization").length === 0) {
 *     throw new RpcError(Code.UNAUTHENTICATED, "a bearer token is required");
 *   }
 *   return await next(request);
 * };
 * ```
 */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

// The handler was looked up by name; its kind matches the method's by the generated types.
type AnyHandler = HandlerFor<MethodDefinition>;
/** Any handler, called with what its kind takes. */
type Invoke = (input: Message | AsyncIterable<Message>, context: ServerContext) => HandlerResult<DescMessage> | HandlerStream<DescMessage>;

/**
 * The handler `addService` registers when interceptors are given: it runs the chain,
 * whose end is `handler` (or UNIMPLEMENTED when it is missing, which the interceptors see
 * as they see any handler's error), and hands what the outermost interceptor answered to
 * the call's wrapper as the handler's own result.
 */
export function interceptedHandler(method: MethodDefinition, handler: AnyHandler | undefined, interceptors: readonly ServerInterceptor[]): AnyHandler {
  const invoke = handler as Invoke | undefined;
  const streamsResponses = method.kind === "server_streaming" || method.kind === "bidi_streaming";
  const respond = async (request: ServerRequest): Promise<ServerResponse> => {
    if (invoke === undefined) {
      throw unimplemented(method);
    }
    const input = "request" in request ? ofType(method, method.input, request.request) : request.requests;
    const result = invoke(input, request.context);
    return streamsResponses
      ? { kind: method.kind, responses: messagesOf(method.output, result as HandlerStream<DescMessage>, createResponse) }
      : { kind: method.kind, response: createResponse(method.output, await (result as HandlerResult<DescMessage>)) };
  };
  const run = (input: Message | AsyncIterable<Message>, context: ServerContext): Promise<ServerResponse> => {
    const payload = method.kind === "unary" || method.kind === "server_streaming" ? { request: input } : { requests: input };
    const request = { kind: method.kind, method, metadata: context.metadata, context, ...payload } as ServerRequest;
    return chainInterceptors(interceptors, innermost(method, respond))(request);
  };
  const intercepted: Invoke = streamsResponses
    ? (input, context) => answered(method, run(input, context))
    : async (input, context) => singleResponse(method, await run(input, context));
  return intercepted as AnyHandler;
}

/** The response stream of a streaming call's outermost answer, each message checked against the method. */
async function* answered(method: MethodDefinition, answer: Promise<ServerResponse>): AsyncGenerator<Message, void, undefined> {
  for await (const response of responseStream(method, await answer)) {
    yield ofType(method, method.output, response);
  }
}
