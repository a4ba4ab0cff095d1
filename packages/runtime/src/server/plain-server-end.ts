import type { ServerUnaryCall } from "@grpc/grpc-js";
import { now } from "../clock.js";
import { DEADLINE_EXCEEDED_END, callEnd, requestEncoding } from "./call-end.js";
import type { CallEnd } from "./call-end.js";
import type { EndListener, EndSource } from "./end-source.js";
import { peerGone, streamGone } from "./grpc-js-assumptions.js";

/** What a plain server's end source needs of the handler's call, whatever its kind. */
export type PlainServerCall = Pick<ServerUnaryCall<unknown, unknown>, "metadata" | "getPeer" | "getDeadline"> & {
  on(event: "cancelled", listener: () => void): unknown;
};

/**
 * How a call on a plain `new Server()` learns its end: from grpc-js's `cancelled` event
 * on the handler's call, with only what the handler's side saw. What that cannot see
 * (calls refused before a handler, a forced shutdown, a response over the send limit)
 * the README lists.
 */
export class PlainServerEnd implements EndSource {
  readonly startTime = undefined;
  readonly reported = false;
  private listener: EndListener | undefined;
  private handed: CallEnd | undefined;
  private waiting = false;
  private decided = false;
  /** When the handler's call was made: after the headers (for a unary call, after its request), so the deadline's slack errs small. */
  private readonly seenTime = now();

  constructor(private readonly call: PlainServerCall) {}

  listen(listener: EndListener): void {
    this.listener = listener;
    this.call.on("cancelled", () => {
      this.over();
    });
    // Nothing else will say so: a stream already gone is a call over. The listener read
    // the peer in this turn, and grpc-js's getPeer() goes through the session's socket.
    if (peerGone(listener.peer)) {
      this.over();
    }
  }

  answered(status: CallEnd): void {
    this.handed = status;
  }

  /** grpc-js's own deadline status, and its report of the call's end with it, may have come before the handler's call listened. */
  expired(): void {
    this.decide(DEADLINE_EXCEEDED_END);
  }

  reading(waiting: boolean): void {
    this.waiting = waiting;
  }

  /** grpc-js reported the call over. */
  private over(): void {
    this.decide(
      callEnd(this.handed, {
        streamAlive: !streamGone(this.call),
        deadline: this.call.getDeadline(),
        startTime: this.seenTime,
        // Seen only by createServer()'s interceptor.
        shutdown: false,
        requestRefused: this.waiting,
        encoding: requestEncoding(this.call.metadata),
      }),
    );
  }

  private decide(end: CallEnd): void {
    if (!this.decided) {
      this.decided = true;
      this.listener?.end(end);
    }
  }
}
