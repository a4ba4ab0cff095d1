import type { handleServerStreamingCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { ServerStreamingMethod } from "../service.js";
import type { HandlerFor } from "./handlers.js";
import { sendResponses } from "./send-responses.js";
import { ServerCall, unimplemented } from "./server-call.js";
import { decodeRequest } from "./server-codec.js";

export function serveServerStreaming<I extends DescMessage, O extends DescMessage>(
  method: ServerStreamingMethod<I, O>,
  handler: HandlerFor<ServerStreamingMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
): handleServerStreamingCall<Buffer, Buffer> {
  return (call) => {
    const request = decodeRequest(method.input, call.request);
    const state = new ServerCall(method, call, observer, (status) => call.emit("error", status), request.message);
    state.messageReceived(call.request.length);
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        if (state.answerIfExpired()) {
          return;
        }
        if (request.error !== undefined) {
          throw request.error;
        }
        const responses = handler(request.message, state);
        await sendResponses(call, responses, method.output, state);
        if (!state.isEnded) {
          call.end(state.ok().metadata);
        }
      } catch (err) {
        state.fail(err);
      }
    });
  };
}
