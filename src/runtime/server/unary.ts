import type { handleUnaryCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import { serializeMessage } from "../codec.js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import { decodeRequest } from "./decode-request.js";
import type { HandlerFor } from "./handlers.js";
import { ServerCall, unimplemented } from "./server-call.js";

export function serveUnary<I extends DescMessage, O extends DescMessage>(
  method: UnaryMethod<I, O>,
  handler: HandlerFor<UnaryMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
): handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const request = decodeRequest(method.input, call.request);
    const state = new ServerCall(method, call, observer, request.message);
    state.messageReceived(call.request.length);
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        if (request.message === undefined) {
          throw request.error;
        }
        const response = await handler(request.message, state);
        const bytes = serializeMessage(method.output, response);
        state.messageSent(bytes.length);
        callback(null, bytes, state.ok().metadata);
      } catch (err) {
        callback(state.failed(err));
      }
    });
  };
}
