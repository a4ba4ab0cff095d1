import type { handleUnaryCall } from "@grpc/grpc-js";
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
    const state = new ServerCall(method, call, observer, (status) => callback(status), request.message);
    state.messageReceived(call.request.length);
    const fail = (err: unknown): void => {
      state.fail(err);
    };
    const respond = (response: MessageInitShape<O>): void => {
      let bytes: Buffer;
      try {
        bytes = serializeResponse(method.output, response);
      } catch (err) {
        fail(err);
        return;
      }
      state.messageSent(bytes.length);
      callback(null, bytes, state.ok().metadata);
    };
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
      fail(err);
      return;
    }
    // A handler that answers synchronously is answered without a promise in between.
    if (isPromiseLike(result)) {
      result.then(respond, fail);
    } else {
      respond(result);
    }
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === "function";
}
