// Every option of the telemetry parts, as users write them, in one place.

import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type { Code } from "../errors.js";
import type { TelemetryObserver } from "../observer.js";
import type { SemconvMode } from "./semconv.js";

/**
 * What generated clients and servers emit. Everything is optional: the defaults give
 * traces and OpenTelemetry metrics through the globally registered providers, and
 * Prometheus metrics in prom-client's global registry when prom-client is installed.
 * `false` for a part turns it off; `telemetry: false` turns everything off.
 */
export interface TelemetryOptions {
  /** Conventions to emit; default from `OTEL_SEMCONV_STABILITY_OPT_IN`, else the new ones. */
  semconv?: SemconvMode | undefined;
  tracing?: TracingOptions | false | undefined;
  metrics?: MetricsOptions | false | undefined;
  prometheus?: PrometheusOptions | false | undefined;
  /** Further implementations of the telemetry seam, called after the built-in ones, in order. */
  observers?: readonly TelemetryObserver[] | undefined;
}

/** The `telemetry` option of clients and servers: options for the built-in parts, or `false` for none. */
export type TelemetryOption = TelemetryOptions | false;

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

/**
 * A prom-client `Registry`, typed structurally so that prom-client stays an optional
 * peer: any prom-client 14 or 15 registry fits.
 */
export interface PrometheusRegistry {
  getSingleMetric(name: string): unknown;
  // `never`: prom-client types the parameter as its own metric classes, which the
  // collectors registered here are not (they are read the same way, through `get()`).
  registerMetric(metric: never): void;
  /** Exemplars appear only in a registry of the OpenMetrics content type. */
  readonly contentType?: string | undefined;
}

/** How `grpc_code` spells a status code. */
export type GrpcCodeSpelling = "go" | "canonical";

/**
 * Options of the Prometheus part (go-grpc-prometheus compatible metrics).
 *
 * The metric families of one registry are shared by every client and server that
 * reports to it. Their shape (code spelling, which histograms, buckets, exemplars) is
 * set by the first one created; a later one that asks for a different shape gets a
 * `diag` warning and reports into the existing families.
 */
export interface PrometheusOptions {
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: PrometheusRegistry | undefined;
  /**
   * `grpc_code` spelling: `"go"` (default: `NotFound`, `Canceled`, what Grafana dashboard
   * 9186 and the go-grpc-prometheus queries match) or `"canonical"` (`NOT_FOUND`,
   * `CANCELLED`, as Java, Python and nice-grpc spell them).
   */
  codeNames?: GrpcCodeSpelling | undefined;
  /** `grpc_server_handling_seconds` and `grpc_client_handling_seconds`. Default true. */
  handlingHistogram?: boolean | undefined;
  /**
   * `grpc_client_msg_send_handling_seconds` and `grpc_client_msg_recv_handling_seconds`.
   * Default false.
   */
  messageHistograms?: boolean | undefined;
  /**
   * Upper bounds of the histogram buckets, in seconds. Default
   * `.005 .01 .025 .05 .1 .25 .5 1 2.5 5 10`; keep 0.25 if you run the usual SLO queries
   * (`le="0.25"`).
   */
  buckets?: readonly number[] | undefined;
  /**
   * Exemplars on every counter and histogram: the trace id of the call's sampled span,
   * under the label `trace_id` (`true`) or the one given. Shown only by a registry of
   * the OpenMetrics content type. Default off.
   */
  exemplars?: boolean | { readonly label: string } | undefined;
  /**
   * Create every generated method's series at zero when the client or server is created
   * (started, message counters, histogram, and handled for each of the 17 codes), so
   * that rates and ratios have data before the first call. Default true.
   */
  zeroSeries?: boolean | undefined;
  /**
   * `grpc_server_requests_in_flight` and `grpc_client_requests_in_flight`: gauges of the
   * calls started and not yet ended, per method. Default false.
   */
  inFlight?: boolean | undefined;
  /**
   * The names py-grpc-prometheus emits with `legacy=True`, for dashboards made for it:
   * `grpc_server_handled_total{code}`, `grpc_server_handled_latency_seconds` (calls
   * with a single response), `grpc_client_completed_total{code}` and
   * `grpc_client_completed_latency_seconds` in place of the handled and handling
   * families; started and message counters keep their names. Labels as it sets them:
   * `grpc_type` `UNARY`, `SERVER_STREAMING`, …, codes spelled `NOT_FOUND`, and
   * prometheus_client's default buckets unless `buckets` says otherwise. No per-message
   * histograms. Default false.
   */
  legacyNames?: boolean | undefined;
}
