import type { ClientUnaryCall, ServiceError } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import type { MethodDefinition } from "../service.js";
import type { ClientCall } from "./client-call.js";

/**
 * The one response of a unary or client-streaming call: grpc-js hands it to a
 * callback before the final status, and the promise settles with the status.
 */
export class SingleResponse<O extends DescMessage> {
  private response: MessageShape<O> | undefined;
  private call: ClientUnaryCall | undefined;

  constructor(
    private readonly method: MethodDefinition<"unary" | "client_streaming", DescMessage, O>,
    private readonly state: ClientCall,
  ) {}

  /** The grpc-js callback: parses the response, or records why there is none. */
  readonly receive = (err: ServiceError | null, value?: Buffer): void => {
    const call = this.call;
    if (call === undefined) {
      return;
    }
    if (err !== null || value === undefined) {
      // Usually the status itself; differs when grpc-js rejects an OK without a message.
      this.state.fail(RpcError.from(err), call);
      return;
    }
    this.state.messageReceived(value.length);
    try {
      this.response = parseMessage(this.method.output, value);
    } catch (parseError) {
      const error = RpcError.from(parseError, Code.INTERNAL);
      this.state.fail(error, call, error.cause);
    }
  };

  /** Wires the started call; `resolve` or `reject` runs once the status is in. */
  settle(call: ClientUnaryCall, resolve: (response: MessageShape<O>) => void, reject: (error: RpcError) => void): void {
    this.call = call;
    this.state.attach(call, (error) => {
      if (this.response === undefined) {
        reject(error ?? new RpcError(Code.INTERNAL, `no response message for ${this.method.fullName}`));
      } else {
        resolve(this.response);
      }
    });
  }
}
