import type { handleServerStreamingCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import { parseMessage } from "../codec.js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { ServerStreamingMethod } from "../service.js";
import type { HandlerFor } from "./handlers.js";
import { sendResponses } from "./send-responses.js";
import { ServerCall, unimplemented } from "./server-call.js";

export function serveServerStreaming<I extends DescMessage, O extends DescMessage>(
  method: ServerStreamingMethod<I, O>,
  handler: HandlerFor<ServerStreamingMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
): handleServerStreamingCall<Buffer, Buffer> {
  return (call) => {
    const state = new ServerCall(method, call, observer);
    state.messageReceived(call.request.length);
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        const responses = handler(parseMessage(method.input, call.request), state);
        await sendResponses(call, responses, method.output, state);
        if (!state.isEnded) {
          call.end(state.ok().metadata);
        }
      } catch (err) {
        if (!state.isEnded) {
          call.emit("error", state.failed(err));
        }
      }
    });
  };
}
