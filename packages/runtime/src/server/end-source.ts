import type { CallEnd } from "./call-end.js";
import { sharedByInterceptor } from "./grpc-js-assumptions.js";
import { PlainServerEnd } from "./plain-server-end.js";
import type { PlainServerCall } from "./plain-server-end.js";

/** What a server call is told of its end: how it ended, once. */
export interface EndListener {
  /** The call's `getPeer()`, read in the turn the listener starts listening: whether the stream was gone then. */
  readonly peer: string;
  end(end: CallEnd): void;
}

/**
 * How a generated handler's call learns how it ended, whatever kind of server runs it.
 * grpc-js reports every call over, and the status is decided then (`callEnd`): on a
 * server made by `createServer()` by its interceptor, which sees more than a handler can
 * (intercepted-call.ts); on a plain `new Server()` from the handler's call's own events
 * (plain-server-end.ts). The handler's side tells the source what only it knows.
 */
export interface EndSource {
  /** When the call started, if the source saw it start before the handler's call (else: now). */
  readonly startTime: number | undefined;
  /**
   * The call's telemetry is already reported: it ended before its handler's call was
   * made (grpc-js starts a unary or server-streaming handler when the request's end is
   * read, which can come after it reported the call over).
   */
  readonly reported: boolean;
  /** Tells `listener` how the call ended, once: at once if it already did. */
  listen(listener: EndListener): void;
  /** The handler's outcome was handed to grpc-js. */
  answered(status: CallEnd): void;
  /**
   * The deadline passed before the handler would start, and DEADLINE_EXCEEDED was handed
   * to grpc-js: grpc-js may have reported the call over before anything listened.
   */
  expired(): void;
  /** Whether the handler waits for a request message that has not come (the end of the stream ends the wait). */
  reading(waiting: boolean): void;
}

/** The end source of a handler's call: the one createServer()'s interceptor made, or the call's own events. */
export function endSourceOf(call: PlainServerCall): EndSource {
  return sharedByInterceptor(call.metadata) ?? new PlainServerEnd(call);
}
