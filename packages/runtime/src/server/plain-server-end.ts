import type { ServerUnaryCall } from "@grpc/grpc-js";
import { Code } from "../errors.js";
import { callEnd } from "./call-end.js";
import type { CallEnd } from "./call-end.js";
import type { EndListener, EndSource } from "./end-source.js";
import { peerGone, streamGone } from "./grpc-js-assumptions.js";

/** What a plain server's end source needs of the handler's call, whatever its kind. */
export type PlainServerCall = Pick<ServerUnaryCall<unknown, unknown>, "metadata" | "getPeer" | "getDeadline"> & {
  on(event: "cancelled", listener: () => void): unknown;
};

const EXPIRED: CallEnd = { code: Code.DEADLINE_EXCEEDED, message: "Deadline exceeded" };

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
    this.decide(EXPIRED);
  }

  reading(waiting: boolean): void {
    this.waiting = waiting;
  }

  /** grpc-js reported the call over. */
  private over(): void {
    const encoding = this.call.metadata.get("grpc-encoding")[0];
    this.decide(
      callEnd(this.handed, {
        streamAlive: !streamGone(this.call),
        deadline: this.call.getDeadline(),
        // Seen only by createServer()'s interceptor.
        shutdown: false,
        requestRefused: this.waiting,
        encoding: typeof encoding === "string" ? encoding : undefined,
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
