// The four kinds of client call with interceptors around them. The call's telemetry
// starts first, so the interceptors run inside its span; the innermost `next` starts the
// grpc-js call with the metadata and options the interceptors passed on; the call is
// reported over once the caller has the outermost interceptor's answer and grpc-js has
// ended the call it started (ClientCall.settle). Calls without interceptors never come here.
import type { Client } from "@grpc/grpc-js";
import type { DescMessage, Message, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { serializeMessage } from "../codec.js";
import { RpcError } from "../errors.js";
import { chainInterceptors, innermost, messagesOf, ofType, responseStream, singleResponse } from "../interception.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { BidiStreamingMethod, ClientStreamingMethod, MethodDefinition, MethodKind, ServerStreamingMethod, UnaryMethod } from "../service.js";
import { startBidiStreaming } from "./bidi-streaming.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { sendClientStreaming } from "./client-streaming.js";
import { encodeRequest } from "./encode-request.js";
import type { ClientInterceptor, ClientNext, ClientRequest, ClientResponse, InterceptedCallOptions } from "./interceptors.js";
import { ResponseIterator } from "./response-iterator.js";
import type { RequestStream } from "./send-requests.js";
import { startServerStreaming } from "./server-streaming.js";
import { sendUnary } from "./unary.js";

/** The grpc-js Client, the method's observer and the interceptors of one call. */
export interface Interception {
  readonly client: Client;
  readonly observer: MethodObserver<ClientCallStart> | undefined;
  readonly interceptors: readonly ClientInterceptor[];
}

// Async: a request that cannot be encoded rejects, as without interceptors.
export async function interceptUnary<I extends DescMessage, O extends DescMessage>(
  { client, observer, interceptors }: Interception,
  method: UnaryMethod<I, O>,
  request: MessageInitShape<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const { state, message, toSend } = encodedCall(observer, method, request, options);
  const next = startWith(method, state, async (final) => ({ kind: "unary", response: await sendUnary(client, method, state, toSend(final.request)) }));
  return await single(method, state, interceptors, next, { ...requestBase(method, state, options), request: message });
}

export function interceptServerStreaming<I extends DescMessage, O extends DescMessage>(
  { client, observer, interceptors }: Interception,
  method: ServerStreamingMethod<I, O>,
  request: MessageInitShape<I>,
  options: CallOptions,
): AsyncIterable<MessageShape<O>> {
  return streamed(method, () => {
    const { state, message, toSend } = encodedCall(observer, method, request, options);
    const next = startWith(method, state, (final) => {
      const sent = toSend(final.request);
      const responses = new ResponseIterator(method.output, () => startServerStreaming(client, method, state, sent));
      return Promise.resolve({ kind: "server_streaming", responses });
    });
    return { state, answer: run(state, interceptors, next, { ...requestBase(method, state, options), request: message }) };
  });
}

export function interceptClientStreaming<I extends DescMessage, O extends DescMessage>(
  { client, observer, interceptors }: Interception,
  method: ClientStreamingMethod<I, O>,
  requests: RequestStream<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const state = interceptedCall(observer, options);
  const messages = messagesOf(method.input, requests);
  const next = startWith(method, state, async (final) => {
    const sent = requestsToSend(method, method.input, final.requests, messages);
    return { kind: "client_streaming", response: await sendClientStreaming(client, method, state, sent) };
  });
  return single(method, state, interceptors, next, { ...requestBase(method, state, options), requests: messages });
}

export function interceptBidiStreaming<I extends DescMessage, O extends DescMessage>(
  { client, observer, interceptors }: Interception,
  method: BidiStreamingMethod<I, O>,
  requests: RequestStream<I>,
  options: CallOptions,
): AsyncIterable<MessageShape<O>> {
  return streamed(method, () => {
    const state = interceptedCall(observer, options);
    const messages = messagesOf(method.input, requests);
    const next = startWith(method, state, (final) => {
      const sent = requestsToSend(method, method.input, final.requests, messages);
      const responses = new ResponseIterator(method.output, () => startBidiStreaming(client, method, state, sent));
      return Promise.resolve({ kind: "bidi_streaming", responses });
    });
    return { state, answer: run(state, interceptors, next, { ...requestBase(method, state, options), requests: messages }) };
  });
}

/** The call's state, its observer started: interceptors run inside its span. */
function interceptedCall(observer: MethodObserver<ClientCallStart> | undefined, options: CallOptions, request?: Message): ClientCall {
  // Interceptors change the metadata sent, never the caller's object.
  const state = new ClientCall(observer, { ...options, metadata: options.metadata?.clone() }, request);
  state.intercept();
  return state;
}

/**
 * The state of a call with one request, its request encoded: a request that cannot be
 * encoded ends the call before the interceptors run. `toSend` gives the bytes of the
 * request the interceptors passed on: the encoded ones, unless they replaced it.
 */
function encodedCall<I extends DescMessage>(
  observer: MethodObserver<ClientCallStart> | undefined,
  method: MethodDefinition<"unary" | "server_streaming", I>,
  request: MessageInitShape<I>,
  options: CallOptions,
): { state: ClientCall; message: MessageShape<I>; toSend: (final: Message) => Buffer } {
  const encoded = encodeRequest(method.input, request);
  const state = interceptedCall(observer, options, encoded.message);
  if (encoded.error !== undefined) {
    state.endEarly(encoded.error);
    throw encoded.error;
  }
  const { message, bytes } = encoded;
  const toSend = (final: Message): Buffer => (final === message ? bytes : serializeMessage(method.input, ofType(method, method.input, final)));
  return { state, message, toSend };
}

/** What every kind's request shows interceptors: a copy of the caller's options they may change. */
function requestBase<K extends MethodKind>(
  method: MethodDefinition<K>,
  state: ClientCall,
  options: CallOptions,
): { kind: K; method: MethodDefinition<K>; metadata: ClientCall["metadata"]; options: InterceptedCallOptions } {
  const { metadata: _metadata, interceptors: _interceptors, ...rest } = options;
  return { kind: method.kind, method, metadata: state.metadata, options: rest };
}

/**
 * The end of the chain: starts the grpc-js call with the metadata and options the
 * interceptors passed on. `start` receives the request narrowed to the method's kind.
 */
function startWith<K extends MethodKind>(
  method: MethodDefinition<K>,
  state: ClientCall,
  start: (request: ClientRequest<K>) => Promise<ClientResponse>,
): ClientNext {
  return innermost(method, (request: ClientRequest) => {
    state.intercepted(request.metadata, request.options);
    // `innermost` let through only a request of the method's kind.
    return start(request as ClientRequest<K>);
  });
}

/** Runs the chain inside the call's span; a synchronous throw is a rejection like any other. */
async function run(state: ClientCall, interceptors: readonly ClientInterceptor[], next: ClientNext, request: ClientRequest): Promise<ClientResponse> {
  return await state.run(() => chainInterceptors(interceptors, next, rejectingRpcErrors)(request));
}

/**
 * `next` as an interceptor gets it: what the rest of the chain rejects with is an RpcError,
 * whatever an inner interceptor threw. (A server's `next` hands on what the handler threw
 * as it is: its message must not reach the client.)
 */
function rejectingRpcErrors(next: ClientNext): ClientNext {
  return async (request) => {
    try {
      return await next(request);
    } catch (err) {
      throw RpcError.from(err);
    }
  };
}

/** A unary or client-streaming call: the caller gets the outermost answer's message, or its error as an RpcError. */
function single<O extends DescMessage>(
  method: MethodDefinition<"unary" | "client_streaming", DescMessage, O>,
  state: ClientCall,
  interceptors: readonly ClientInterceptor[],
  next: ClientNext,
  request: ClientRequest,
): Promise<MessageShape<O>> {
  return run(state, interceptors, next, request)
    .then((answer) => singleResponse(method, answer))
    .then(
      (response) => {
        state.settle(undefined);
        return response;
      },
      (err: unknown) => {
        const error = RpcError.from(err);
        state.settle(error);
        throw error;
      },
    );
}

/**
 * A server-streaming or bidi call: the chain runs on the first `next()` of the stream the
 * caller iterates (a stream nobody iterates makes no call), each response is pulled inside
 * the call's span, and leaving the loop early cancels the call.
 */
async function* streamed<O extends DescMessage>(
  method: MethodDefinition<"server_streaming" | "bidi_streaming", DescMessage, O>,
  begin: () => { state: ClientCall; answer: Promise<ClientResponse> },
): AsyncGenerator<MessageShape<O>, void, undefined> {
  const { state, answer } = begin();
  let settled = false;
  let responses: AsyncIterator<Message> | undefined;
  try {
    const iterator = responseStream(method, await answer)[Symbol.asyncIterator]();
    responses = iterator;
    for (;;) {
      const step = await state.run(() => iterator.next());
      if (step.done === true) {
        break;
      }
      yield ofType(method, method.output, step.value);
    }
    settled = true;
    state.settle(undefined);
  } catch (err) {
    settled = true;
    const error = RpcError.from(err);
    state.settle(error);
    throw error;
  } finally {
    if (!settled) {
      state.leave();
      const left = responses;
      // The interceptors' streams are closed too, so their `finally` blocks run.
      await state.run(async () => left?.return?.()).catch(() => undefined);
    }
  }
}

/** The request stream the call sends: the one the interceptors passed on, checked if they replaced it. */
function requestsToSend<I extends DescMessage>(
  method: MethodDefinition,
  schema: I,
  requests: AsyncIterable<Message>,
  original: AsyncIterable<MessageShape<I>>,
): AsyncIterable<MessageShape<I>> {
  return requests === original ? original : checked(method, schema, requests);
}

async function* checked<I extends DescMessage>(method: MethodDefinition, schema: I, requests: AsyncIterable<Message>): AsyncGenerator<MessageShape<I>, void, undefined> {
  for await (const request of requests) {
    yield ofType(method, schema, request);
  }
}
