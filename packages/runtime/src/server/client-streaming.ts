import type { handleClientStreamingCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { ClientStreamingMethod } from "../service.js";
import type { HandlerFor } from "./handlers.js";
import { RequestIterator } from "./request-iterator.js";
import { ServerCall, unimplemented } from "./server-call.js";
import { serializeResponse } from "./server-codec.js";

export function serveClientStreaming<I extends DescMessage, O extends DescMessage>(
  method: ClientStreamingMethod<I, O>,
  handler: HandlerFor<ClientStreamingMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
  halfCloseHoldMs: number,
): handleClientStreamingCall<Buffer, Buffer> {
  return (call, callback) => {
    // grpc-js's callback takes an error status as its first argument, as `sendError` gives it.
    const state = new ServerCall(method, call, observer, callback);
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        if (state.answerIfExpired()) {
          return;
        }
        const response = await handler(new RequestIterator(call, method.input, state, halfCloseHoldMs), state);
        const bytes = serializeResponse(method.output, response);
        if (!state.isEnded) {
          state.messageSent(bytes.length);
          callback(null, bytes, state.ok().metadata);
        }
      } catch (err) {
        state.fail(err);
      }
    });
  };
}
