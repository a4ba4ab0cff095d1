import type { Client } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { parseMessage, passThrough } from "../codec.js";
import { Code, RpcError } from "../errors.js";
import type { ClientCallStart, MethodObserver } from "../observer.js";
import type { ClientStreamingMethod } from "../service.js";
import type { CallOptions } from "./call-options.js";
import { ClientCall } from "./client-call.js";
import { sendRequests } from "./send-requests.js";
import type { RequestStream } from "./send-requests.js";

export function callClientStreaming<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: ClientStreamingMethod<I, O>,
  observer: MethodObserver<ClientCallStart> | undefined,
  requests: RequestStream<I>,
  options: CallOptions,
): Promise<MessageShape<O>> {
  const state = new ClientCall(observer, options);
  return new Promise((resolve, reject) => {
    let response: MessageShape<O> | undefined;
    const call = state.start(() =>
      client.makeClientStreamRequest(
        method.path,
        passThrough,
        passThrough,
        state.metadata,
        state.grpcOptions,
        (err, value) => {
          if (err !== null || value === undefined) {
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
    state.attach(call, (error) => {
      if (response === undefined) {
        reject(error ?? new RpcError(Code.INTERNAL, `no response message for ${method.fullName}`));
      } else {
        resolve(response);
      }
    });
    void sendRequests(call, requests, method.input, state);
  });
}
