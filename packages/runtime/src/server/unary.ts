import type { handleUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { UnaryMethod } from "../service.js";
import type { HandlerFor, HandlerResult } from "./handlers.js";
import { ServerCall, unimplemented } from "./server-call.js";
import { decodeRequest, serializeResponse } from "./server-codec.js";

export function serveUnary<I extends DescMessage, O extends DescMessage>(
  method: UnaryMethod<I, O>,
  handler: HandlerFor<UnaryMethod<I, O>> | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
): handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const request = decodeRequest(method.input, call.request);
    // grpc-js's callback takes an error status as its first argument, as `sendError` gives it.
    const state = new ServerCall(method, call, observer, callback, request.message);
    state.messageReceived(call.request.length);
    let result: HandlerResult<O>;
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
      const message = request.message;
      result = state.run(() => handler(message, state));
    } catch (err) {
      state.fail(err);
      return;
    }
    // A handler that answers synchronously is answered without a promise in between.
    if (isPromiseLike(result)) {
      result.then(
        (response) => {
          respond(method, state, callback, response);
        },
        (err: unknown) => {
          state.fail(err);
        },
      );
    } else {
      respond(method, state, callback, result);
    }
  };
}

/** Hands the handler's response to grpc-js, or fails the call if it cannot be serialized. */
function respond<O extends DescMessage>(
  method: UnaryMethod<DescMessage, O>,
  state: ServerCall,
  callback: sendUnaryData<Buffer>,
  response: MessageInitShape<O>,
): void {
  let bytes: Buffer;
  try {
    bytes = serializeResponse(method.output, response);
  } catch (err) {
    state.fail(err);
    return;
  }
  state.messageSent(bytes.length);
  callback(null, bytes, state.ok().metadata);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === "function";
}
