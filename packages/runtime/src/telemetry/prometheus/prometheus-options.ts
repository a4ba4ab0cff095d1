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
