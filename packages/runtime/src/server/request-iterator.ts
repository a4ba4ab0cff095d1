import type { Readable } from "node:stream";
import { setImmediate as settle } from "node:timers/promises";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import { DONE, MessageIterator } from "../message-iterator.js";
import type { Step } from "../message-iterator.js";
import type { ServerCall } from "./server-call.js";

/**
 * The request stream a handler iterates. It reads a message only when the handler
 * asks for the next one, and throws the call's status (CANCELLED, DEADLINE_EXCEEDED)
 * if the call ends while the handler still waits for requests. A request that does
 * not parse is thrown as INTERNAL.
 */
export class RequestIterator<I extends DescMessage> extends MessageIterator<MessageShape<I>> {
  constructor(
    private readonly stream: Readable,
    private readonly schema: I,
    private readonly state: ServerCall,
  ) {
    super();
    this.listen(stream, state.signal);
    stream.on("end", () => {
      state.requestEnded = true;
    });
  }

  protected step(): Step<MessageShape<I>> {
    const { signal } = this.state;
    if (signal.aborted) {
      throw signal.reason;
    }
    const bytes = this.stream.read() as Buffer | null;
    this.state.reading = bytes === null && !this.drained;
    if (bytes !== null) {
      this.state.messageReceived(bytes.length);
      return { done: false, value: parseMessage(this.schema, bytes) };
    }
    return this.drained ? this.end() : undefined;
  }

  /** Leaving the request stream early leaves the call as it is: the handler still answers. */
  protected stop(): void {}

  private async end(): Promise<IteratorResult<MessageShape<I>, undefined>> {
    // A client's cancel (RST_STREAM) reaches grpc-js as the end of the request stream
    // first and as "cancelled" a few ticks later (grpc/grpc-node#2583): Node ends the
    // stream it destroys, and grpc-js clients send END_STREAM before the reset. When the
    // reset came in the same read as the end, its cancel is already queued, and one
    // turn of the event loop lets it land before the handler hears the end. A reset in
    // a later read cannot be told from a half-close that the client followed with a
    // cancel; the call then ends as CANCELLED if the handler's status did not go out
    // before it (the server's interceptor knows which).
    await settle();
    const { signal } = this.state;
    if (signal.aborted) {
      throw signal.reason;
    }
    return DONE;
  }
}
