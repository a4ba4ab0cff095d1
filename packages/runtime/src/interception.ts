// What client and server interceptors share: the response they pass back, how a chain of
// them is built, and the checks that what an interceptor hands on fits the method.
import type { Metadata } from "@grpc/grpc-js";
import type { DescMessage, Message, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { createMessage } from "./codec.js";
import { Code, RpcError } from "./errors.js";
import type { MethodDefinition, MethodKind } from "./service.js";

/** The kinds whose call has one request message (the others have a request stream). */
export type SingleRequestKind = "unary" | "server_streaming";

/** The kinds whose call has one response message (the others have a response stream). */
export type SingleResponseKind = "unary" | "client_streaming";

/** What an intercepted call shows on either side, whatever its kind. */
export interface InterceptedRequestBase<K extends MethodKind> {
  /** The call's kind, the same as `method.kind`: narrow on it to reach `request` or `requests`. */
  readonly kind: K;
  /** The method called: its name, service, kind and message schemas. */
  readonly method: MethodDefinition<K>;
  /** The request metadata (headers). */
  readonly metadata: Metadata;
}

/** The request side of an intercepted call: the message, or the stream of them. */
export type RequestPayload<K extends MethodKind> = K extends SingleRequestKind
  ? {
      /** The request message. Pass a different one to `next` (`{ ...request, request: other }`) to send that instead. */
      readonly request: Message;
    }
  : {
      /** The request messages, read as the call sends them; pass a wrapping stream to `next` to see or change each. */
      readonly requests: AsyncIterable<Message>;
    };

/**
 * What `next` gives an interceptor and an interceptor returns, by kind: the response
 * message (unary, client streaming) or the response stream (server streaming, bidi).
 * Narrow on `kind` to reach the one the call has. A response stream ends with the call's
 * status: iterating it throws the call's RpcError.
 */
export type InterceptedResponse<K extends MethodKind = MethodKind> = K extends SingleResponseKind
  ? { readonly kind: K; readonly response: Message }
  : K extends MethodKind
    ? { readonly kind: K; readonly responses: AsyncIterable<Message> }
    : never;

/**
 * Builds the chain `interceptors[0](interceptors[1](… innermost))`: the first interceptor
 * sees the request first and the response last. Each is handed its `next` through `link`.
 */
export function chainInterceptors<N>(interceptors: readonly ((next: N) => N)[], innermost: N, link: (next: N) => N = (next) => next): N {
  let next = innermost;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i];
    if (interceptor !== undefined) {
      next = interceptor(link(next));
    }
  }
  return next;
}

/**
 * The end of a chain: `start`, for the one request of the method's kind it may be given.
 * A second call, or a request of another kind, is an interceptor's mistake.
 */
export function innermost<R extends { readonly kind: MethodKind }, A>(method: MethodDefinition, start: (request: R) => Promise<A>): (request: R) => Promise<A> {
  let called = false;
  return async (request) => {
    if (called) {
      throw misuse(method, "called next more than once");
    }
    called = true;
    if (request.kind !== method.kind) {
      throw misuse(method, `passed a ${request.kind} request to next`);
    }
    return await start(request);
  };
}

/** An RpcError for an interceptor that broke the contract: the call ends INTERNAL, naming the method. */
export function misuse(method: MethodDefinition, what: string): RpcError {
  return new RpcError(Code.INTERNAL, `interceptor of ${method.fullName}: ${what}`);
}

/** The response message an interceptor chain answered a single-response call with, checked against the method. */
export function singleResponse<O extends DescMessage>(method: MethodDefinition<MethodKind, DescMessage, O>, answer: InterceptedResponse): MessageShape<O> {
  if (answer.kind !== method.kind || !("response" in answer)) {
    throw misuse(method, `answered a ${method.kind} call with a ${answer.kind} response`);
  }
  return ofType(method, method.output, answer.response);
}

/** The response stream an interceptor chain answered a streaming call with, checked against the method. */
export function responseStream(method: MethodDefinition, answer: InterceptedResponse): AsyncIterable<Message> {
  if (answer.kind !== method.kind || !("responses" in answer)) {
    throw misuse(method, `answered a ${method.kind} call with a ${answer.kind} response`);
  }
  return answer.responses;
}

/** `message`, if it is one of `schema`; otherwise the call fails INTERNAL naming both types. */
export function ofType<D extends DescMessage>(method: MethodDefinition, schema: D, message: Message): MessageShape<D> {
  // A message of another type would be read as an init object of this one, field by name.
  if (message.$typeName !== schema.typeName) {
    throw misuse(method, `passed a ${message.$typeName} where ${schema.typeName} belongs`);
  }
  return message as MessageShape<D>;
}

/**
 * The messages of a stream of init objects (a handler's responses, a caller's requests),
 * each made by `create` (whose errors say which side failed).
 */
export async function* messagesOf<D extends DescMessage>(
  schema: D,
  stream: AsyncIterable<MessageInitShape<D>> | Iterable<MessageInitShape<D>>,
  create: (schema: D, init: MessageInitShape<D>) => MessageShape<D> = createMessage,
): AsyncGenerator<MessageShape<D>, void, undefined> {
  for await (const init of stream) {
    yield create(schema, init);
  }
}
