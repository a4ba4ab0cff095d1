import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { parseMessage, passThrough, serializeMessage } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";

export function callUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: UnaryMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  request: MessageInitShape<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const state = new ClientCall(observer, options);
  return new Promise((resolve, reject) => {
    let bytes: Buffer;
    try {
      bytes = serializeMessage(method.input, request);
    } catch (err) {
      const error = RpcError.from(err, Code.INTERNAL);
      state.endEarly(error);
      reject(error);
      return;
    }
    let response: MessageShape<O> | undefined;
    const call = state.start(() =>
      client.makeUnaryRequest(
        method.path,
        passThrough,
        passThrough,
        bytes,
        state.metadata,
        state.grpcOptions,
        (err, value) => {
          if (err !== null || value === undefined) {
            // Usually the status itself; differs when grpc-js rejects an OK without a message.
            state.fail(RpcError.from(err), call);
            return;
          }
          state.messageReceived(value.length);
          try {
            response = parseMessage(method.output, value);
          } catch (parseError) {
            const error = RpcError.from(parseError, Code.INTERNAL);
            state.fail(error, call, error.cause);
          }
        },
      ),
    );
    state.messageSent(bytes.length);
    state.attach(call, (error) => {
      if (response === undefined) {
        reject(error ?? new RpcError(Code.INTERNAL, `no response message for ${method.fullName}`));
      } else {
        resolve(response);
      }
    });
  });
}
