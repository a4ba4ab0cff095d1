// The metric names the shipped dashboards and rules may query: the telemetry contract's
// Prometheus families (docs/telemetry.md#prometheus-metrics), the
// OpenTelemetry duration histograms as Prometheus stores them, and the in-flight gauges
// observability/README.md documents as proposed (not emitted by this runtime).

/** The go-grpc-prometheus families, exact. */
export const PROMETHEUS_COUNTERS = [
  "grpc_server_started_total",
  "grpc_server_handled_total",
  "grpc_server_msg_received_total",
  "grpc_server_msg_sent_total",
  "grpc_client_started_total",
  "grpc_client_handled_total",
  "grpc_client_msg_received_total",
  "grpc_client_msg_sent_total",
] as const;

export const PROMETHEUS_HISTOGRAMS = [
  "grpc_server_handling_seconds",
  "grpc_client_handling_seconds",
  "grpc_client_msg_recv_handling_seconds",
  "grpc_client_msg_send_handling_seconds",
] as const;

/**
 * rpc.server.call.duration and rpc.client.call.duration (unit s) through an OpenTelemetry
 * Collector's prometheus exporter or the SDK's Prometheus exporter.
 */
export const OTEL_HISTOGRAMS = ["rpc_server_call_duration_seconds", "rpc_client_call_duration_seconds"] as const;

/** Requests-in-flight gauges, named after piotrkowalczuk/promgrpc's; a dashboard falls back to started minus handled. */
export const PROPOSED_GAUGES = ["grpc_server_requests_in_flight", "grpc_client_requests_in_flight"] as const;

const histogramSeries = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

/** Every series name a dashboard query may select. */
export const QUERYABLE_METRICS: ReadonlySet<string> = new Set([
  ...PROMETHEUS_COUNTERS,
  ...PROMETHEUS_HISTOGRAMS.flatMap(histogramSeries),
  ...OTEL_HISTOGRAMS.flatMap(histogramSeries),
  ...PROPOSED_GAUGES,
]);
