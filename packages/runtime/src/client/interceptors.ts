import type { Metadata } from "@grpc/grpc-js";
import type { InterceptedRequestBase, InterceptedResponse, RequestPayload } from "../interception.js";
import type { MethodKind } from "../service.js";
import type { CallOptions } from "./call-options.js";

/**
 * The options of an intercepted call that an interceptor may change before it calls
 * `next`: a `deadline` set here is the call's deadline, a `signal` the one that cancels
 * it, and so on. Request metadata is the request's `metadata`.
 */
export type InterceptedCallOptions = Omit<CallOptions, "metadata" | "interceptors">;

/** What every intercepted client call shows, whatever its kind. */
export interface ClientRequestBase<K extends MethodKind> extends InterceptedRequestBase<K> {
  /**
   * The request metadata that goes on the wire, trace context included; what an
   * interceptor sets here before calling `next` is sent. The caller's own object is
   * left untouched.
   */
  readonly metadata: Metadata;
  /** The call's options; change them before calling `next`. */
  readonly options: InterceptedCallOptions;
}

/**
 * A client call as an interceptor sees it before it starts: one type per kind, told
 * apart by `kind`. `ClientRequest` alone is any of the four.
 */
export type ClientRequest<K extends MethodKind = MethodKind> = K extends MethodKind ? ClientRequestBase<K> & RequestPayload<K> : never;

/** What `next` gives a client interceptor: the response message, or the response stream. */
export type ClientResponse<K extends MethodKind = MethodKind> = InterceptedResponse<K>;

/**
 * The rest of a client call's chain: the next interceptor, or the call itself. Call it
 * once, with the request (or a copy with another message or stream); it starts the call
 * and settles with the response, or rejects with the call's RpcError.
 */
export type ClientNext = (request: ClientRequest) => Promise<ClientResponse>;

/**
 * A client interceptor: given the rest of the chain, the function that handles a call
 * of any kind. It runs inside the call's span, and the call's telemetry records what the
 * caller gets: a rejection ends the call with its status (an RpcError's, or UNKNOWN), a
 * response the interceptor returns is what the caller gets. It may also answer without
 * calling `next`; nothing is then sent.
 *
 * ```ts
 * const logging: ClientInterceptor = (next) => async (request) => {
 *   console.log("calling", request.method.fullName);
 *   return await next(request);
 * };
 * ```
 */
export type ClientInterceptor = (next: ClientNext) => ClientNext;
