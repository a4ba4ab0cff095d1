// Takes over grpc-js's `Server.addService` for generated services. addService registers
// every method through `Server.prototype.register`, which
// @opentelemetry/instrumentation-grpc wraps to start a SERVER span per call; that
// instrumentation can be told to skip methods only in its own global config
// (`ignoreGrpcMethods`), so a method whose spans the runtime makes is registered
// around the wrapper here instead.
import type { Server, UntypedHandleCall } from "@grpc/grpc-js";
import { passThrough } from "../codec.js";
import type { MethodDefinition, MethodKind } from "../service.js";

/** What grpc-js calls a method's kind in `Server.register`. */
type HandlerType = "unary" | "clientStream" | "serverStream" | "bidi";

const HANDLER_TYPE: Readonly<Record<MethodKind, HandlerType>> = {
  unary: "unary",
  server_streaming: "serverStream",
  client_streaming: "clientStream",
  bidi_streaming: "bidi",
};

/** `Server.register` for the Buffer-in, Buffer-out methods generated services have. */
type Register = (
  this: Server,
  path: string,
  handler: UntypedHandleCall,
  serialize: (response: Buffer) => Buffer,
  deserialize: (request: Buffer) => Buffer,
  type: HandlerType,
) => boolean;

/**
 * Registers one method's handler as `Server.addService` does. With `aroundWrappers`, a
 * wrapper installed over `Server.prototype.register` in the shimmer style that
 * OpenTelemetry instrumentations use (`__wrapped`, `__original`) is stepped around:
 * @opentelemetry/instrumentation-grpc wraps every handler registered through it in a
 * SERVER span of its own, which would be a second server span for calls the generated
 * service already traces. Nothing is patched: grpc-js's own `register`, a public
 * method, is called on this server.
 */
export function registerMethod(server: Server, method: MethodDefinition, handler: UntypedHandleCall, aroundWrappers: boolean): void {
  // Read as a plain function (it is called on this server below), so that a wrapper
  // installed over it can be recognised.
  const registerOf = (server as unknown as { readonly register: Register }).register;
  const register = aroundWrappers ? unwrapped(registerOf) : registerOf;
  // Generated services (de)serialize in the runtime: grpc-js moves Buffers.
  if (!register.call(server, method.path, handler, passThrough, passThrough, HANDLER_TYPE[method.kind])) {
    // What grpc-js's addService throws.
    throw new Error(`Method handler for ${method.path} already provided.`);
  }
}

interface ShimmerWrapper {
  readonly __wrapped: true;
  readonly __original: unknown;
}

function isShimmerWrapper(fn: unknown): fn is ShimmerWrapper {
  return (
    typeof fn === "function" &&
    (fn as Partial<ShimmerWrapper>).__wrapped === true &&
    typeof (fn as Partial<ShimmerWrapper>).__original === "function"
  );
}

function unwrapped<F extends (...args: never[]) => unknown>(fn: F): F {
  let current: unknown = fn;
  while (isShimmerWrapper(current)) {
    current = current.__original;
  }
  // Each wrapper's original has the wrapped method's signature.
  return current as F;
}
