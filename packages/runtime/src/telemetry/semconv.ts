// Every attribute, metric and label name the runtime emits, in one place.
// Sources: OpenTelemetry semantic conventions v1.44.0 (docs/rpc/grpc.md, rpc-spans.md,
// rpc-metrics.md, docs/non-normative/rpc-migration.md), gRFC A66 (A66-otel-stats.md),
// and go-grpc-prometheus / go-grpc-middleware providers/prometheus. The contract page,
// docs/telemetry.md, is checked against this file by test/runtime/telemetry-contract.test.ts.

import { VERSION } from "../version.js";

/** The instrumentation scope of every tracer and meter: this package, at its version. */
export const SCOPE_NAME = "protoc-gen-ts-otel-runtime";
export const SCOPE_VERSION = VERSION;

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

/**
 * Span attributes from an error's `google.rpc.Status` details, in every mode. No
 * semantic convention names them, and OpenTelemetry advises against new names inside
 * its own namespaces: they carry the names of the proto fields they come from
 * (docs/tracing.md, "Rich error details").
 */
export const ERROR_DETAIL_ATTR = {
  ERROR_INFO_REASON: "google.rpc.error_info.reason",
  ERROR_INFO_DOMAIN: "google.rpc.error_info.domain",
  DETAIL_TYPES: "google.rpc.status.detail_types",
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
  // Opt-in, and not in the RPC conventions: named as http.server.active_requests is.
  SERVER_ACTIVE_REQUESTS: "rpc.server.active_requests",
  CLIENT_ACTIVE_REQUESTS: "rpc.client.active_requests",
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

/** gRFC A66's default bucket lists ("Metrics Schema: Units"), given as bucket advice. */
export const A66_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.013,
  0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1, 2, 5, 10,
  20, 50, 100,
];

export const A66_SIZE_BUCKETS_BYTES: readonly number[] = [
  0, 1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296,
];

export const A66_COUNT_BUCKETS: readonly number[] = [
  0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
];

/**
 * The per-message size and messages-per-call histograms of the experimental RPC
 * conventions (up to v1.37), which the stable ones dropped; opt-in.
 */
export const MESSAGE_SIZE_METRIC = {
  SERVER_REQUEST_SIZE: "rpc.server.request.size",
  SERVER_RESPONSE_SIZE: "rpc.server.response.size",
  SERVER_REQUESTS_PER_RPC: "rpc.server.requests_per_rpc",
  SERVER_RESPONSES_PER_RPC: "rpc.server.responses_per_rpc",
  CLIENT_REQUEST_SIZE: "rpc.client.request.size",
  CLIENT_RESPONSE_SIZE: "rpc.client.response.size",
  CLIENT_REQUESTS_PER_RPC: "rpc.client.requests_per_rpc",
  CLIENT_RESPONSES_PER_RPC: "rpc.client.responses_per_rpc",
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
  // Opt-in; no gRPC middleware has one, so named as promhttp names its gauge
  // (http_requests_in_flight), under the grpc_<side>_ prefix of the rest.
  SERVER_IN_FLIGHT: "grpc_server_requests_in_flight",
  CLIENT_IN_FLIGHT: "grpc_client_requests_in_flight",
  // py-grpc-prometheus with legacy=True: its counters through prometheus_client, which
  // exposes a counter named grpc_client_completed as grpc_client_completed_total.
  LEGACY_SERVER_HANDLED_LATENCY_SECONDS: "grpc_server_handled_latency_seconds",
  LEGACY_CLIENT_COMPLETED: "grpc_client_completed_total",
  LEGACY_CLIENT_COMPLETED_LATENCY_SECONDS: "grpc_client_completed_latency_seconds",
} as const;

/** Prometheus label names. */
export const PROMETHEUS_LABEL = {
  TYPE: "grpc_type",
  SERVICE: "grpc_service",
  METHOD: "grpc_method",
  CODE: "grpc_code",
  /** The code label of py-grpc-prometheus's legacy names. */
  LEGACY_CODE: "code",
} as const;

/**
 * gRPC's status codes, index = code number: the canonical name (`NOT_FOUND`, as Java,
 * Python and nice-grpc spell it) and grpc-go's (`NotFound`, codes.Code.String()), which
 * go-grpc-prometheus puts in grpc_code, and so what dashboards and alerts match. The
 * generator reads them too, for the SLO rules it writes.
 */
export const GRPC_CODE_NAMES: readonly { readonly canonical: string; readonly go: string }[] = [
  { canonical: "OK", go: "OK" },
  { canonical: "CANCELLED", go: "Canceled" },
  { canonical: "UNKNOWN", go: "Unknown" },
  { canonical: "INVALID_ARGUMENT", go: "InvalidArgument" },
  { canonical: "DEADLINE_EXCEEDED", go: "DeadlineExceeded" },
  { canonical: "NOT_FOUND", go: "NotFound" },
  { canonical: "ALREADY_EXISTS", go: "AlreadyExists" },
  { canonical: "PERMISSION_DENIED", go: "PermissionDenied" },
  { canonical: "RESOURCE_EXHAUSTED", go: "ResourceExhausted" },
  { canonical: "FAILED_PRECONDITION", go: "FailedPrecondition" },
  { canonical: "ABORTED", go: "Aborted" },
  { canonical: "OUT_OF_RANGE", go: "OutOfRange" },
  { canonical: "UNIMPLEMENTED", go: "Unimplemented" },
  { canonical: "INTERNAL", go: "Internal" },
  { canonical: "UNAVAILABLE", go: "Unavailable" },
  { canonical: "DATA_LOSS", go: "DataLoss" },
  { canonical: "UNAUTHENTICATED", go: "Unauthenticated" },
];

/**
 * The codes with which a server says it failed (rpc/grpc.md): UNKNOWN,
 * DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. Errors on server
 * spans and metrics by default, and what burns an availability SLO's budget.
 */
export const SERVER_ERROR_CODES: readonly number[] = [2, 4, 12, 13, 14, 15];

/**
 * The label value of a request field's value that the generated method table does not
 * list (an enum number the proto does not declare), and of every metric label of a
 * request that did not parse. As `http.request.method` spells the values it does not
 * know.
 */
export const OTHER_LABEL_VALUE = "_OTHER";

/** Default Prometheus histogram buckets; 0.25 must stay a boundary (SLO queries use le="0.25"). */
export const PROMETHEUS_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** prometheus_client's default buckets, which py-grpc-prometheus's histograms use. */
export const PY_PROMETHEUS_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** `grpc_type` values by call kind, as py-grpc-prometheus spells them (grpc-java's MethodType). */
export const PY_PROMETHEUS_GRPC_TYPE = {
  unary: "UNARY",
  client_streaming: "CLIENT_STREAMING",
  server_streaming: "SERVER_STREAMING",
  bidi_streaming: "BIDI_STREAMING",
} as const;

/** `grpc_type` values by call kind. */
export const PROMETHEUS_GRPC_TYPE = {
  unary: "unary",
  client_streaming: "client_stream",
  server_streaming: "server_stream",
  bidi_streaming: "bidi_stream",
} as const;
