import type { Server, UntypedHandleCall } from "@grpc/grpc-js";
import type { DescMessage } from "@bufbuild/protobuf";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import type {
  BidiStreamingMethod,
  ClientStreamingMethod,
  MethodDefinition,
  ServerStreamingMethod,
  ServiceDefinition,
  UnaryMethod,
} from "../service.js";
import { resolveTelemetry } from "../telemetry/hub.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { serveBidiStreaming } from "./bidi-streaming.js";
import { serveClientStreaming } from "./client-streaming.js";
import type { HandlerFor, ServiceHandlers } from "./handlers.js";
import { serveObserved } from "./create-server.js";
import { DEFAULT_HALF_CLOSE_HOLD_MS } from "./half-close.js";
import { registerMethod } from "./register-method.js";
import { serveServerStreaming } from "./server-streaming.js";
import { serveUnary } from "./unary.js";

/** Options of a generated server registration. */
export interface ServerOptions {
  /** What every call emits; default traces and metrics (see TelemetryOptions), `false` for none. */
  telemetry?: TelemetryOption | undefined;
  /**
   * How long, in milliseconds, the end of a request stream from a grpc-js client waits
   * for the reset that follows it when the client cancelled (default 250; 0 trusts the
   * half-close at once). See docs/cancelled-uploads.md.
   */
  halfCloseHoldMs?: number | undefined;
}

/**
 * Registers a service's handlers on a grpc-js server. A method whose handler is
 * missing at run time answers UNIMPLEMENTED; the others are wrapped so that every
 * call reports to the telemetry and answers a proper status whatever the handler does.
 * The calls of a method the built-in tracing traces are traced by it alone (see
 * `registerMethod`).
 */
export function addService<M extends Record<string, MethodDefinition>>(
  server: Server,
  service: ServiceDefinition<M>,
  handlers: ServiceHandlers<M>,
  options: ServerOptions = {},
): void {
  if (service.methodList.length === 0) {
    // What grpc-js's addService throws.
    throw new Error("Cannot add an empty service to a server");
  }
  const telemetry = resolveTelemetry(options.telemetry);
  const halfCloseHoldMs = options.halfCloseHoldMs ?? DEFAULT_HALF_CLOSE_HOLD_MS;
  for (const [member, method] of Object.entries(service.methods)) {
    const candidate: unknown = (handlers as Record<string, unknown>)[member];
    const handler = typeof candidate === "function" ? (candidate.bind(handlers) as AnyHandler) : undefined;
    const observer = telemetry?.serverMethodObserver(method);
    serveObserved(server, method, observer);
    const implementation = serve(method, handler, observer, halfCloseHoldMs);
    registerMethod(server, method, implementation, observer?.ownsSpans === true);
  }
}

// The handler was looked up by name; its kind matches the method's by the generated types.
type AnyHandler = HandlerFor<MethodDefinition>;

function serve(
  method: MethodDefinition,
  handler: AnyHandler | undefined,
  observer: MethodObserver<ServerCallStart> | undefined,
  halfCloseHoldMs: number,
): UntypedHandleCall {
  switch (method.kind) {
    case "unary":
      return serveUnary(method as UnaryMethod<DescMessage, DescMessage>, handler as never, observer);
    case "server_streaming":
      return serveServerStreaming(method as ServerStreamingMethod<DescMessage, DescMessage>, handler as never, observer);
    case "client_streaming":
      return serveClientStreaming(method as ClientStreamingMethod<DescMessage, DescMessage>, handler as never, observer, halfCloseHoldMs);
    case "bidi_streaming":
      return serveBidiStreaming(method as BidiStreamingMethod<DescMessage, DescMessage>, handler as never, observer, halfCloseHoldMs);
  }
}
