import { Server } from "@grpc/grpc-js";
import type { ServerOptions as GrpcServerOptions } from "@grpc/grpc-js";
import type { MethodObserver, ServerCallStart } from "../observer.js";
import { processState } from "../process-state.js";
import type { MethodDefinition } from "../service.js";
import { endInterceptor } from "./server-interceptor.js";
import type { ServerState } from "./server-interceptor.js";

// A grpc-js Server with one interceptor of ours in front of every other, which sees each
// call of a generated method from its headers to its end: the status grpc-js really
// sent, or that it sent none (the handler's status dropped because the client had
// reset the stream, a deadline, a message over a size limit); calls grpc-js refuses
// before any handler runs; and a forced shutdown. Handlers cannot see these through
// grpc-js's public API, and interceptors can be given only to the Server's constructor,
// hence a constructor of ours. Everything here is public grpc-js API: the interceptor
// option, ServerInterceptingCall, and Server's own methods (what it relies on them to
// do is in grpc-js-assumptions.ts).

/**
 * A grpc-js `Server` whose calls of generated services are observed exactly: the
 * status recorded is the one that went out in the `grpc-status` trailer, also when
 * grpc-js answered by itself, and calls it refused before their handler ran still get
 * their span and series. A server shut down with `forceShutdown()` tells its handlers
 * so. Options are grpc-js's, interceptors included (they run after ours).
 */
export function createServer(options: GrpcServerOptions = {}): Server {
  const state: ServerState = {
    methods: new Map(),
    maxSendMessageLength: limit(options["grpc.max_send_message_length"]),
    forcedShutdown: false,
  };
  const server = new TelemetryServer({ ...options, interceptors: [endInterceptor(state), ...(options.interceptors ?? [])] }, state);
  processState().servers.set(server, state);
  return server;
}

class TelemetryServer extends Server {
  constructor(
    options: GrpcServerOptions,
    private readonly state: ServerState,
  ) {
    super(options);
  }

  override forceShutdown(): void {
    this.state.forcedShutdown = true;
    super.forceShutdown();
  }
}

/** Tells the server's interceptor about a method `addService` registered; false for a server of another kind. */
export function serveObserved(server: Server, method: MethodDefinition, observer: MethodObserver<ServerCallStart> | undefined): boolean {
  const state = processState().servers.get(server) as ServerState | undefined;
  state?.methods.set(method.path, { method, observer });
  return state !== undefined;
}

function limit(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : -1;
}
