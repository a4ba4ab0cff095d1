import type { Deadline, Metadata } from "@grpc/grpc-js";
import type { Span } from "@opentelemetry/api";
import type { MethodDefinition } from "../service.js";

/**
 * What a handler knows about its call besides the request. Calls the handler makes with
 * generated clients inherit `deadline` and end with the call (docs/propagation.md).
 */
export interface ServerContext {
  readonly method: MethodDefinition;
  /** Request metadata (headers). */
  readonly metadata: Metadata;
  /** The client's address as grpc-js reports it, e.g. `127.0.0.1:53412`. */
  readonly peer: string;
  /** The call's deadline; `Infinity` when the client set none. */
  readonly deadline: Deadline;
  /** Fires when the client cancels, the deadline passes or the server shuts down. */
  readonly signal: AbortSignal;
  /** Response headers; sent with the first response message or the status. */
  readonly header: Metadata;
  /** Response trailers; sent with the status, on success and on error. */
  readonly trailer: Metadata;
  /** Sends `header` now instead of with the first message; later changes are ignored. */
  sendHeader(): void;
  /** The call's span when tracing is on, otherwise a non-recording span. */
  readonly span: Span;
}
