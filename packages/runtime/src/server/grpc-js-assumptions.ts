import { ServerInterceptingCall } from "@grpc/grpc-js";
import type { Metadata, Responder, ServerInterceptingCallInterface } from "@grpc/grpc-js";
import { processState } from "../process-state.js";
import type { EndSource } from "./end-source.js";

// What the server side relies on grpc-js to do beyond what its API documents, in one
// place. Each has a canary in test/cross-process/canaries.test.ts (plain grpc-js, no
// runtime code) that fails, naming this module, when an upgrade changes it; what needs
// the wire compared is checked by the conformance suite (test/cross-process/conformance/).
//
// 1. grpc-js reports every server call over, also after its status went out (since
//    1.10): `onCancel` to interceptors, `'cancelled'` on handlers' calls. That report is
//    when a call's end is decided (call-end.ts), on both kinds of server. Canary:
//    "reports every server call over, also after its status went out".
// 2. At that report `getPeer()` answers "unknown" if the HTTP/2 stream was destroyed (a
//    reset, a lost connection, a forced shutdown), and still names the client once a
//    status went out, trailers-only or not: whether the status handed to grpc-js reached
//    the client (`streamGone`). Canaries: "reports a call over with the stream alive
//    once its status went out, trailers-only or not", "reports a call the client reset
//    over with the stream gone, getPeer() saying 'unknown'".
// 3. createServer()'s interceptor and the handler's call are handed the very same
//    request Metadata object: the only link between the two that adds nothing to what
//    a handler sees (`shareWithHandler`, `sharedByInterceptor`). Kept in the process's
//    state, so that a server made by one build of the runtime (ESM or CommonJS) serves
//    the handlers the other registered. Canary: "hands a server interceptor and the
//    handler the same request Metadata object".
// 4. `ServerInterceptingCall` passes `startRead` on to the call it wraps, so counting
//    reads there counts the handler's; and its `sendMessage` sends headers before every
//    first message, so a response message goes straight to the wrapped call instead,
//    which keeps a message over grpc-js's size limit answered trailers-only, as grpc-js
//    answers it without interceptors (`PassThroughCall`). Canaries: "passes a server
//    interceptor's startRead on to the call it wraps", "sends headers before a first
//    response message that goes through a server interceptor"; the conformance suite's
//    server-send-limit rows compare the frames.
// 5. `getHost()` (the request's `:authority`) came to server calls and to
//    `ServerInterceptingCall` in grpc-js 1.11; on 1.10 calling it throws "getHost is not
//    a function". Server spans take `server.address` and `server.port` from it, so on
//    1.10 they go without (test/packaging/peer-ranges.test.ts serves at 1.10.0).
//    Canary: "offers getHost() on server calls".
// 6. What grpc-js refuses by itself (a request over its receive limit, framing it cannot
//    read, an encoding it does not decode, a response over its send limit) it answers
//    alone with the stream alive, leaving a read the handler asked for unanswered; it
//    decodes identity, gzip and deflate. `callEnd` (call-end.ts) reads its answer from
//    those facts in grpc-js's words. The conformance suite's server-receive-limit and
//    server-send-limit rows and test/cross-process/raw-http2.test.ts check them.
//
// What grpc-js *clients* put on the wire when they cancel is half-close.ts's, with its
// own canary.

/** What grpc-js's `getPeer()` answers once the call's HTTP/2 stream is gone. */
const UNKNOWN_PEER = "unknown";

/** Whether the call's HTTP/2 stream is gone (see 2 above); asked when grpc-js reports the call over. */
export function streamGone(call: { getPeer(): string }): boolean {
  return peerGone(call.getPeer());
}

/** Whether a `getPeer()` answer says the call's stream was gone when it was read (see 2 above). */
export function peerGone(peer: string): boolean {
  return peer === UNKNOWN_PEER;
}

/** Makes `source` the end source of the handler's call that gets `metadata` (see 3 above). */
export function shareWithHandler(metadata: Metadata, source: EndSource): void {
  processState().interceptedCalls.set(metadata, source);
}

/** The end source createServer()'s interceptor made for the call with this request metadata, if any. */
export function sharedByInterceptor(metadata: Metadata): EndSource | undefined {
  return processState().interceptedCalls.get(metadata) as EndSource | undefined;
}

/** What a `PassThroughCall` reports of the handler's side of its call. */
export interface PassThroughHooks {
  /** The handler asked for a request message. */
  requestedRead(): void;
  /** A response message is handed to grpc-js. */
  sentMessage(message: unknown): void;
}

/**
 * grpc-js's intercepting call, changed only so that the call stays as it would be
 * without an interceptor (see 4 above): it counts the reads the handler asks for, and
 * hands response messages straight to the call it wraps.
 */
export class PassThroughCall extends ServerInterceptingCall {
  constructor(
    private readonly hooks: PassThroughHooks,
    private readonly wrapped: ServerInterceptingCallInterface,
    responder: Responder,
  ) {
    super(wrapped, responder);
  }

  override startRead(): void {
    this.hooks.requestedRead();
    super.startRead();
  }

  override sendMessage(message: unknown, callback: () => void): void {
    this.hooks.sentMessage(message);
    this.wrapped.sendMessage(message, callback);
  }
}

/** A grpc-js server call or intercepting call: `getHost` is typed, but 1.10 lacks it (see 5 above). */
export interface HostOf {
  getHost?(): string;
}

/** The call's `:authority`, or undefined on grpc-js versions that do not tell it. */
export function callHost(call: HostOf): string | undefined {
  return typeof call.getHost === "function" ? call.getHost() : undefined;
}
