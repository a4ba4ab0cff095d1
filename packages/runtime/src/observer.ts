import type { Message } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import type { Context } from "@opentelemetry/api";
import type { Deadline, Metadata } from "@grpc/grpc-js";
import type { Code } from "./errors.js";
import type { ClientMethodFacts, ServerMethodFacts } from "./telemetry/method-facts.js";

/** Which end of a call: `rpc.client.*` / `grpc_client_*` or the server's. */
export type Side = "client" | "server";

/**
 * The seam between the call wrappers and telemetry, which the built-in parts (tracing,
 * OpenTelemetry metrics, Prometheus) and the `observers` of the `telemetry` option
 * all implement. The wrappers of all four call kinds, on both sides, report each
 * call's lifecycle to it; each part is a separate implementation, and a part switched
 * off sets up nothing (prom-client itself is loaded only when Prometheus is on).
 *
 * Per-method work (names, attribute sets, label values) belongs in
 * `observeClientMethod` / `observeServerMethod`, which run once per method when a
 * client or server is created and receive the method's facts, built once for every
 * observer. Whatever an observer throws is reported once per process through
 * OpenTelemetry's `diag` and kept away from the call.
 */
export interface TelemetryObserver {
  /** Called once per method when a client is created; `undefined` observes nothing. */
  observeClientMethod?(facts: ClientMethodFacts): MethodObserver<ClientCallStart> | undefined;
  /** Called once per method when a service is added to a server; `undefined` observes nothing. */
  observeServerMethod?(facts: ServerMethodFacts): MethodObserver<ServerCallStart> | undefined;
}

/** Starts the observation of one call of one method. */
export interface MethodObserver<S> {
  start(call: S): CallObserver;
  /**
   * This observer makes the calls' spans. A server then registers the method so that
   * instrumentations of grpc-js's Server (@opentelemetry/instrumentation-grpc) do not
   * make a second one.
   */
  readonly ownsSpans?: boolean;
}

/** What a client call looks like when it starts. */
export interface ClientCallStart {
  /** Outgoing request metadata; observers may add to it (trace propagation). */
  readonly metadata: Metadata;
  /** The context active where the call was made: the parent of the call. */
  readonly context: Context;
  /** Epoch milliseconds (see `now()`); the same instant for every observer. */
  readonly startTime: number;
  /** The request, for methods with a single one (unary, server streaming). */
  readonly request?: Message | undefined;
}

/** What a server call looks like when it starts. */
export interface ServerCallStart {
  /** Incoming request metadata. */
  readonly metadata: Metadata;
  /** The context the handler would run in without telemetry. */
  readonly context: Context;
  readonly startTime: number;
  /** The remote address as grpc-js reports it (`ip:port`). */
  readonly peer: string;
  /** The `:authority` the client addressed; undefined on grpc-js 1.10, which does not tell it. */
  readonly host: string | undefined;
  readonly deadline: Deadline;
  /** The parsed request, for methods with a single one (unary, server streaming). */
  readonly request?: Message | undefined;
}

/** Receives the events of one call. Every method is called synchronously by the wrapper. */
export interface CallObserver {
  /**
   * The context the rest of the call runs in: on the server every piece of handler
   * code runs inside it; the next observer starts from it.
   */
  readonly context: Context;
  /**
   * On a client, the context grpc-js starts the call in, when it is not `context`:
   * tracing marks it so that instrumentations of grpc-js below its span start none. Of
   * the observers in order, the last that gives one wins; those after tracing (metrics,
   * `observers`) see the call's context and do not change what grpc-js starts in.
   */
  readonly grpcContext?: Context | undefined;
  /**
   * Response headers, when received (client) or sent (server). Optional: a client call
   * none of whose observers takes them does not listen for them.
   */
  headers?(metadata: Metadata): void;
  /** One message serialized and handed to grpc-js, with its exact size in bytes. */
  messageSent(size: number): void;
  /** One message received, with its exact serialized size in bytes. */
  messageReceived(size: number): void;
  /** The final status. Called exactly once per call, on every terminal path. */
  end(result: CallResult): void;
}

/** How a call ended. */
export interface CallResult {
  readonly code: Code;
  /** The status message as sent to (server) or received from (client) the peer. */
  readonly message: string;
  /** Trailers, where known. */
  readonly metadata?: Metadata | undefined;
  /**
   * The remote address as grpc-js reports it (`127.0.0.1:50051`), where known: on the
   * client the connection the call went out on.
   */
  readonly peer?: string | undefined;
  /**
   * The exception that caused the status, when it was not an RpcError: a handler
   * bug on the server, a failing request stream on the client.
   */
  readonly error?: unknown;
  /**
   * The error's `google.rpc.Status` details (`grpc-status-details-bin`), packed as on
   * the wire: those the handler's RpcError sent (server) or the trailers carried
   * (client). None when there were none, or when they could not be read.
   */
  readonly details?: readonly Any[] | undefined;
  readonly endTime: number;
}
