import type { GrpcCodeSpelling } from "./prometheus-options.js";
import { STATUS_CODE_COUNT, codeName } from "../../errors.js";

// grpc-go's codes.Code.String(), index = code number: what go-grpc-prometheus puts in
// grpc_code, and so what dashboards and alerts match.
const GO_CODE_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** `NotFound` for 5, as grpc-go spells it; `Code(<n>)` for a number gRPC does not define. */
function goCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${code})`;
}

/** The `grpc_code` label value of a status code in the chosen spelling. */
export function grpcCodeLabel(code: number, spelling: GrpcCodeSpelling): string {
  if (spelling === "go") {
    return goCodeName(code);
  }
  return code >= 0 && code < STATUS_CODE_COUNT ? codeName(code) : `Code(${code})`;
}
