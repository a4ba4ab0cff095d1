// The status code spellings and default buckets, written out again (not imported from src)
// so that a change to the runtime's tables shows in the tests.

/** go-grpc-prometheus's grpc_code values, in code order. */
export const GO_CODES: readonly string[] = [
  "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
  "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
  "DataLoss", "Unauthenticated",
];

/** The canonical status code names OpenTelemetry uses, in code order. */
export const CANONICAL_CODES: readonly string[] = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
  "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
];

/** go-grpc-prometheus's default histogram buckets, as `le` label values. */
export const DEFAULT_BUCKETS: readonly string[] = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
