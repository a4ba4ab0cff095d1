import type { handleBidiStreamingCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { BidiStreamingMethod } from "../service.js";
import type { HandlerFor } from "./handlers.js";
import { RequestIterator } from "./request-iterator.js";
import { sendResponses } from "./send-responses.js";
import { ServerCall, unimplemented } from "./server-call.js";

export function serveBidiStreaming<I extends DescMessage, O extends DescMessage>(
  method: BidiStreamingMethod<I, O>,
  handler: HandlerFor<BidiStreamingMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
  halfCloseHoldMs: number,
): handleBidiStreamingCall<Buffer, Buffer> {
  return (call) => {
    const state = new ServerCall(method, call, observer, (status) => call.emit("error", status));
    void state.run(async () => {
      try {
        if (handler === undefined) {
          throw unimplemented(method);
        }
        if (state.answerIfExpired()) {
          return;
        }
        const responses = handler(new RequestIterator(call, method.input, state, halfCloseHoldMs), state);
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
