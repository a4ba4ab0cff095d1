import type { CallCredentials, Metadata } from "@grpc/grpc-js";
import type { ClientInterceptor } from "./interceptors.js";

/** Options of one client call. */
export interface CallOptions {
  /** Request metadata (headers). */
  metadata?: Metadata | undefined;
  /** When the call fails with DEADLINE_EXCEEDED: a Date or epoch milliseconds. */
  deadline?: Date | number | undefined;
  /**
   * grpc-js call credentials for this call (a bearer token, say). grpc-js adds their
   * metadata to that of the call credentials the channel's credentials carry, and sends
   * it on insecure channels too. A generator that fails ends the call before anything
   * is sent: UNKNOWN, or its error's `code`.
   */
  credentials?: CallCredentials | undefined;
  /** Aborting cancels the call; it then fails with CANCELLED. */
  signal?: AbortSignal | undefined;
  /** Receives the response headers. */
  onHeader?: ((headers: Metadata) => void) | undefined;
  /** Receives the response trailers, on success and on error. */
  onTrailer?: ((trailers: Metadata) => void) | undefined;
  /**
   * Interceptors of this call, run inside the client's own (`ClientOptions.interceptors`),
   * the first outermost. See docs/interceptors.md.
   */
  interceptors?: readonly ClientInterceptor[] | undefined;
  /**
   * Made inside a generated handler (in its async context, however deep), a call
   * inherits the handler's call's deadline (the earlier of the two wins) and is
   * cancelled when that call is over: cancelled, timed out, or answered. `false` makes
   * this call on its own, as one made outside any handler; the client option of the
   * same name does it for every call of a client. See docs/propagation.md.
   */
  propagate?: boolean | undefined;
}
