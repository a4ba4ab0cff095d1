import type { TracerProvider } from "@opentelemetry/api";
import type { Code } from "../../errors.js";

/** Options of the tracing part. */
export interface TracingOptions {
  /** Default: the global provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider | undefined;
  /** `rpc.message` events for every message sent and received. Default false. */
  messageEvents?: boolean | undefined;
  /** Request metadata keys whose values become span attributes. Default none. */
  requestMetadata?: readonly string[] | undefined;
  /** Response metadata keys whose values become span attributes. Default none. */
  responseMetadata?: readonly string[] | undefined;
  /**
   * Status codes that mark this side's span as an error. Default: every code but OK
   * on clients; UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and
   * DATA_LOSS on servers.
   */
  errorCodes?: readonly Code[] | undefined;
}
