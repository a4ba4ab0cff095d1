import type { MeterProvider } from "@opentelemetry/api";
import type { Code } from "../../errors.js";

/** Options of the OpenTelemetry metrics part. */
export interface MetricsOptions {
  /**
   * Where the instruments come from. Default: the global provider; one registered after
   * the client or server was created takes over from its next call.
   */
  meterProvider?: MeterProvider | undefined;
  /**
   * The gRFC A66 `grpc.*` instruments (`grpc.server.call.started`,
   * `grpc.server.call.duration`, `grpc.client.attempt.duration`, …), as grpc-java, -go
   * and -c++ emit them natively. Default false.
   */
  a66?: boolean | undefined;
  /**
   * Exact per-message size histograms (`rpc.{server,client}.{request,response}.size`,
   * uncompressed bytes as serialized) and messages per call
   * (`rpc.{server,client}.{requests,responses}_per_rpc`). Default false.
   */
  messageSizes?: boolean | undefined;
  /**
   * `rpc.server.active_requests` and `rpc.client.active_requests`: UpDownCounters of
   * the calls started and not yet ended, with the method's attributes. Default false.
   */
  activeRequests?: boolean | undefined;
  /**
   * Status codes that get an `error.type` attribute. Default: every code but OK on
   * clients; UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and
   * DATA_LOSS on servers (as for spans).
   */
  errorCodes?: readonly Code[] | undefined;
}
