import { ServerInterceptingCall } from "@grpc/grpc-js";
import type { ServerInterceptingCallInterface, ServerInterceptor } from "@grpc/grpc-js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type { MethodDefinition } from "../service.js";
import { PassThroughCall } from "./grpc-js-assumptions.js";
import { InterceptedCall } from "./intercepted-call.js";

/** What the server knows of one generated method: registered by `addService`. */
export interface ServedMethod {
  readonly method: MethodDefinition;
  readonly observer: MethodObserver<ServerCallStart> | undefined;
}

/** The state of a server made by `createServer`, which its interceptor reads. */
export interface ServerState {
  readonly methods: Map<string, ServedMethod>;
  /** `grpc.max_send_message_length`; -1 for none, grpc-js's default. */
  readonly maxSendMessageLength: number;
  forcedShutdown: boolean;
}

/**
 * createServer()'s interceptor, in front of every other: each call of a generated method
 * is followed by an `InterceptedCall` from its headers to its end, and changes nothing
 * on the way; calls of other methods pass untouched.
 */
export function endInterceptor(state: ServerState): ServerInterceptor {
  return (descriptor, call) => {
    const served = state.methods.get(descriptor.path);
    return served === undefined ? new ServerInterceptingCall(call) : followed(new InterceptedCall(served, state, call), call);
  };
}

function followed(record: InterceptedCall, call: ServerInterceptingCallInterface): ServerInterceptingCall {
  return new PassThroughCall(record, call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          record.receivedMetadata(metadata);
          nextMetadata(metadata);
        },
        onReceiveMessage(message, nextMessage) {
          record.receivedMessage();
          nextMessage(message);
        },
        onReceiveHalfClose(nextHalfClose) {
          record.receivedHalfClose();
          nextHalfClose();
        },
        onCancel() {
          record.cancelled();
        },
      });
    },
    sendStatus(status, next) {
      next(status);
      record.sentStatus(status);
    },
  });
}
