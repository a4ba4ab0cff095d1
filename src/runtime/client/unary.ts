import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { parseMessage, passThrough } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { encodeRequest } from "./encode-request.js";

export function callUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: UnaryMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  request: MessageInitShape<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const encoded = encodeRequest(method.input, request);
  const state = new ClientCall(observer, options, encoded.message);
  return new Promise((resolve, reject) => {
    if (encoded.error !== undefined) {
      state.endEarly(encoded.error);
      reject(encoded.error);
      return;
    }
    const bytes = encoded.bytes;
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
