import type { MethodDefinition as GrpcMethodDefinition, Server, UntypedHandleCall } from "@grpc/grpc-js";

/** What grpc-js calls a method's kind in `Server.register`. */
type HandlerType = "unary" | "clientStream" | "serverStream" | "bidi";

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
export function registerMethod(
  server: Server,
  method: GrpcMethodDefinition<Buffer, Buffer>,
  handler: UntypedHandleCall,
  aroundWrappers: boolean,
): void {
  // Read as a plain function (it is called on this server below), so that a wrapper
  // installed over it can be recognised.
  const registerOf = (server as unknown as { readonly register: Register }).register;
  const register = aroundWrappers ? unwrapped(registerOf) : registerOf;
  if (!register.call(server, method.path, handler, method.responseSerialize, method.requestDeserialize, handlerType(method))) {
    // What grpc-js's addService throws.
    throw new Error(`Method handler for ${method.path} already provided.`);
  }
}

function handlerType(method: GrpcMethodDefinition<Buffer, Buffer>): HandlerType {
  if (method.requestStream) {
    return method.responseStream ? "bidi" : "clientStream";
  }
  return method.responseStream ? "serverStream" : "unary";
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
