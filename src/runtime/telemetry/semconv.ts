// Every attribute, metric and label name the runtime emits, in one place.
// Sources: OpenTelemetry semantic conventions v1.44.0 (docs/rpc/grpc.md, rpc-spans.md,
// rpc-metrics.md, docs/non-normative/rpc-migration.md), gRFC A66 (A66-otel-stats.md),
// and go-grpc-prometheus / go-grpc-middleware providers/prometheus. The README's
// telemetry tables are checked against this file by a test.

/** Which conventions to emit: the stable ones (v1.39+), the legacy ones (≤ v1.37), or both. */
export type SemconvMode = "new" | "legacy" | "dup";

/** Span attributes of the new (stable) RPC conventions. */
export const ATTR = {
  RPC_SYSTEM_NAME: "rpc.system.name",
  RPC_METHOD: "rpc.method",
  RPC_RESPONSE_STATUS_CODE: "rpc.response.status_code",
  ERROR_TYPE: "error.type",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
  NETWORK_PEER_ADDRESS: "network.peer.address",
  NETWORK_PEER_PORT: "network.peer.port",
  /** Prefix; the lowercase metadata key follows. Opt-in per key. */
  RPC_REQUEST_METADATA: "rpc.request.metadata",
  RPC_RESPONSE_METADATA: "rpc.response.metadata",
} as const;

/** Span attributes of the legacy conventions. */
export const LEGACY_ATTR = {
  RPC_SYSTEM: "rpc.system",
  RPC_SERVICE: "rpc.service",
  RPC_METHOD: "rpc.method",
  RPC_GRPC_STATUS_CODE: "rpc.grpc.status_code",
  NET_PEER_NAME: "net.peer.name",
  NET_PEER_PORT: "net.peer.port",
  NET_PEER_IP: "net.peer.ip",
  RPC_GRPC_REQUEST_METADATA: "rpc.grpc.request.metadata",
  RPC_GRPC_RESPONSE_METADATA: "rpc.grpc.response.metadata",
} as const;

/** The value of `rpc.system.name` / `rpc.system`. */
export const RPC_SYSTEM_GRPC = "grpc";

/** Message events (opt-in; deprecated upstream since v1.40). */
export const MESSAGE_EVENT = {
  NAME: "rpc.message",
  TYPE: "rpc.message.type",
  ID: "rpc.message.id",
  UNCOMPRESSED_SIZE: "rpc.message.uncompressed_size",
  SENT: "SENT",
  RECEIVED: "RECEIVED",
} as const;

/** OpenTelemetry metric instruments. */
export const METRIC = {
  SERVER_CALL_DURATION: "rpc.server.call.duration",
  CLIENT_CALL_DURATION: "rpc.client.call.duration",
  LEGACY_SERVER_DURATION: "rpc.server.duration",
  LEGACY_CLIENT_DURATION: "rpc.client.duration",
} as const;

/** Bucket advice for the `s` duration histograms. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** gRFC A66 instruments and attributes (opt-in family). */
export const A66 = {
  SERVER_CALL_STARTED: "grpc.server.call.started",
  SERVER_CALL_DURATION: "grpc.server.call.duration",
  SERVER_CALL_SENT_TOTAL_COMPRESSED_MESSAGE_SIZE: "grpc.server.call.sent_total_compressed_message_size",
  SERVER_CALL_RCVD_TOTAL_COMPRESSED_MESSAGE_SIZE: "grpc.server.call.rcvd_total_compressed_message_size",
  CLIENT_ATTEMPT_STARTED: "grpc.client.attempt.started",
  CLIENT_ATTEMPT_DURATION: "grpc.client.attempt.duration",
  CLIENT_CALL_DURATION: "grpc.client.call.duration",
  CLIENT_ATTEMPT_SENT_TOTAL_COMPRESSED_MESSAGE_SIZE: "grpc.client.attempt.sent_total_compressed_message_size",
  CLIENT_ATTEMPT_RCVD_TOTAL_COMPRESSED_MESSAGE_SIZE: "grpc.client.attempt.rcvd_total_compressed_message_size",
  ATTR_METHOD: "grpc.method",
  ATTR_STATUS: "grpc.status",
  ATTR_TARGET: "grpc.target",
} as const;

/** Prometheus metric names (go-grpc-prometheus), by side. */
export const PROMETHEUS = {
  SERVER_STARTED: "grpc_server_started_total",
  SERVER_HANDLED: "grpc_server_handled_total",
  SERVER_MSG_RECEIVED: "grpc_server_msg_received_total",
  SERVER_MSG_SENT: "grpc_server_msg_sent_total",
  SERVER_HANDLING_SECONDS: "grpc_server_handling_seconds",
  CLIENT_STARTED: "grpc_client_started_total",
  CLIENT_HANDLED: "grpc_client_handled_total",
  CLIENT_MSG_RECEIVED: "grpc_client_msg_received_total",
  CLIENT_MSG_SENT: "grpc_client_msg_sent_total",
  CLIENT_HANDLING_SECONDS: "grpc_client_handling_seconds",
  CLIENT_MSG_RECV_HANDLING_SECONDS: "grpc_client_msg_recv_handling_seconds",
  CLIENT_MSG_SEND_HANDLING_SECONDS: "grpc_client_msg_send_handling_seconds",
} as const;

/** Prometheus label names. */
export const PROMETHEUS_LABEL = {
  TYPE: "grpc_type",
  SERVICE: "grpc_service",
  METHOD: "grpc_method",
  CODE: "grpc_code",
} as const;

/** Default Prometheus histogram buckets; 0.25 must stay a boundary (SLO queries use le="0.25"). */
export const PROMETHEUS_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `grpc_type` values by call kind. */
export const PROMETHEUS_GRPC_TYPE = {
  unary: "unary",
  client_streaming: "client_stream",
  server_streaming: "server_stream",
  bidi_streaming: "bidi_stream",
} as const;
