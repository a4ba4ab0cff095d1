import type { Metadata } from "@grpc/grpc-js";

/** Options of one client call. */
export interface CallOptions {
  /** Request metadata (headers). */
  metadata?: Metadata | undefined;
  /** When the call fails with DEADLINE_EXCEEDED: a Date or epoch milliseconds. */
  deadline?: Date | number | undefined;
  /** Aborting cancels the call; it then fails with CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Receives the response headers. */
  onHeader?: ((headers: Metadata) => void) | undefined;
  /** Receives the response trailers, on success and on error. */
  onTrailer?: ((trailers: Metadata) => void) | undefined;
}
