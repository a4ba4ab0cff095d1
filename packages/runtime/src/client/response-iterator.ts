import type { ClientReadableStream } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import { DONE, MessageIterator } from "../message-iterator.js";
import type { Step } from "../message-iterator.js";
import { cancelCall } from "./client-call.js";
import type { ClientCall } from "./client-call.js";

/** A started streaming call: the grpc-js call and its state. */
export interface StartedCall {
  readonly call: ClientReadableStream<Buffer>;
  readonly state: ClientCall;
}

/**
 * The responses of a server-streaming or bidi call. The call starts on the first
 * `next()` (a stream nobody iterates makes no call); the iteration ends with the
 * call's status, thrown if it is an error. Leaving early (break, return, a throw in
 * the loop body) cancels the call.
 */
export class ResponseIterator<O extends DescMessage> extends MessageIterator<MessageShape<O>> {
  private started: StartedCall | undefined;
  private status: { readonly error: RpcError | undefined } | undefined;
  private parseFailed = false;

  constructor(
    private readonly schema: O,
    /** Starts the call; what it throws is the iteration's error. */
    private readonly start: () => StartedCall,
  ) {
    super();
  }

  protected step(): Step<MessageShape<O>> {
    const { call, state } = (this.started ??= this.begin());
    if (!this.parseFailed) {
      const bytes = call.read() as Buffer | null;
      if (bytes !== null) {
        state.messageReceived(bytes.length);
        try {
          return { done: false, value: parseMessage(this.schema, bytes) };
        } catch (err) {
          const error = RpcError.from(err, Code.INTERNAL);
          // Stops the call; the status it ends with is this error.
          state.fail(error, call, error.cause);
          this.parseFailed = true;
        }
      }
    }
    if (!(this.drained || this.parseFailed) || this.status === undefined) {
      return undefined;
    }
    if (this.status.error !== undefined) {
      throw this.status.error;
    }
    return DONE;
  }

  protected stop(): void {
    if (this.started !== undefined && this.status === undefined) {
      cancelCall(this.started.call);
    }
  }

  private begin(): StartedCall {
    const started = this.start();
    started.state.attach(started.call, (error) => {
      this.status = { error };
      this.notify();
    });
    this.listen(started.call);
    return started;
  }
}
