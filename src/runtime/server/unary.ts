import type { handleUnaryCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import { parseMessage, serializeMessage } from "../codec.js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { HandlerFor } from "./handlers.js";
import { ServerCall, unimplemented } from "./server-call.js";

export function serveUnary<I extends DescMessage, O extends DescMessage>(
  method: UnaryMethod<I, O>,
  handler: HandlerFor<UnaryMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
): handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const state = new ServerCall(method, call, observer);
    state.messageReceived(call.request.length);
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        const response = await handler(parseMessage(method.input, call.request), state);
        const bytes = serializeMessage(method.output, response);
        state.messageSent(bytes.length);
        callback(null, bytes, state.ok().metadata);
      } catch (err) {
        callback(state.failed(err));
      }
    });
  };
}
