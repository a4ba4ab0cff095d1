// What a hand-written instrumentation does around the calls of bare grpc-js (the floor
// variants); bare grpc-js itself runs with none.
import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";

/** What a handler's hooks read of any server call. */
export type ServerCallInfo = Pick<ServerUnaryCall<unknown, unknown>, "metadata" | "getPeer" | "getHost">;

export type MethodName = "unary" | "serverStream" | "clientStream" | "bidiStream";

/** One call's instrumentation, told what happens to the call. */
export interface CallHooks {
  sent(): void;
  received(): void;
  /** The call ended with `code`; on clients, `peer` is the server it reached. */
  end(code: number, peer?: string): void;
}

export interface ClientHooks {
  /** A call of `method` starts, with `metadata` about to be sent. */
  start(method: MethodName, metadata: Metadata): CallHooks;
}

export interface ServerHooks {
  /** Runs `handler` for a call of `method` the way the instrumentation runs handlers (in the call's context). */
  handle(method: MethodName, call: ServerCallInfo, handler: (hooks: CallHooks) => void): void;
}
