import type { Readable } from "node:stream";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { DONE, MessageIterator } from "../message-iterator.js";
import type { Step } from "../message-iterator.js";
import { halfClosesBeforeReset, requestEndSettled } from "./half-close.js";
import type { ServerCall } from "./server-call.js";
import { parseRequest } from "./server-codec.js";

/**
 * The request stream a handler iterates. It reads a message only when the handler
 * asks for the next one, and throws the call's status (CANCELLED, DEADLINE_EXCEEDED)
 * if the call ends while the handler still waits for requests. Its end means the
 * client finished sending (see half-close.ts). A request that does not parse is
 * answered INTERNAL at once, as grpc-js answers it, and thrown to the handler.
 */
export class RequestIterator<I extends DescMessage> extends MessageIterator<MessageShape<I>> {
  private readonly hold: boolean;

  constructor(
    private readonly stream: Readable,
    private readonly schema: I,
    private readonly state: ServerCall,
    private readonly holdMs: number,
  ) {
    super();
    this.hold = halfClosesBeforeReset(state.metadata);
    this.listen(stream, state.signal);
    // Nothing is awaited after the end: a cancel that follows it is no refused request.
    stream.on("end", () => {
      state.waitingForRequest(false);
    });
  }

  protected step(): Step<MessageShape<I>> {
    const { signal } = this.state;
    if (signal.aborted) {
      throw signal.reason;
    }
    const bytes = this.stream.read() as Buffer | null;
    this.state.waitingForRequest(bytes === null && !this.drained);
    if (bytes !== null) {
      this.state.messageReceived(bytes.length);
      return { done: false, value: this.parse(bytes) };
    }
    return this.drained ? this.end() : undefined;
  }

  /** Leaving the request stream early leaves the call as it is: the handler still answers. */
  protected stop(): void {}

  private parse(bytes: Buffer): MessageShape<I> {
    try {
      return parseRequest(this.schema, bytes);
    } catch (err) {
      this.state.fail(err);
      throw err;
    }
  }

  private async end(): Promise<IteratorResult<MessageShape<I>, undefined>> {
    const { signal } = this.state;
    await requestEndSettled(signal, this.hold, this.holdMs);
    if (signal.aborted) {
      throw signal.reason;
    }
    return DONE;
  }
}
