import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { diag } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import { reportOnce } from "../process-state.js";
import { StatusSchema } from "./gen/google/rpc/status_pb.js";

/**
 * The trailer that carries an error's `google.rpc.Status` (code, message, details) in
 * every gRPC implementation: grpc-go's `status.Details()`, grpc-java's `StatusProto`,
 * Python's `grpcio-status`, connect-es's `ConnectError.details`.
 */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** An error status as it goes out: its code, message and packed details. */
interface ErrorStatus {
  readonly code: number;
  readonly rawMessage: string;
  /** Absent on an RpcError from an older copy of this package. */
  readonly details?: readonly Any[] | undefined;
}

/**
 * Puts an error's details into the trailers as `google.rpc.Status`, with the code and
 * message the status itself carries (peers such as grpcio-status refuse a status whose
 * code or message differ). Without details the trailer stays out, as grpc-go leaves it out.
 */
export function setStatusDetails(trailer: Metadata, error: ErrorStatus): void {
  const { details } = error;
  if (details === undefined || details.length === 0) {
    return;
  }
  const status = create(StatusSchema, { code: error.code, message: error.rawMessage, details: [...details] });
  trailer.set(STATUS_DETAILS_KEY, Buffer.from(toBinary(StatusSchema, status)));
}

/**
 * The details of the `google.rpc.Status` in an error status's trailers, or none. A
 * trailer that does not parse, or whose code is not the status's own, gives none and is
 * reported once through `diag`: the call keeps the status it ended with.
 */
export function readStatusDetails(trailers: Metadata, code: number): Any[] {
  const values = trailers.get(STATUS_DETAILS_KEY);
  // With several, the last counts, as in grpc-go.
  const value = values[values.length - 1];
  if (value === undefined) {
    return [];
  }
  try {
    if (typeof value === "string") {
      throw new Error("the value is text, not binary");
    }
    const status = fromBinary(StatusSchema, value);
    if (status.code !== code) {
      throw new Error(`it carries code ${status.code}, the call ended with ${code}`);
    }
    return status.details;
  } catch (err) {
    reportOnce("malformed status details", () => {
      diag.warn(`protoc-gen-ts-otel-runtime: a ${STATUS_DETAILS_KEY} trailer could not be read; the error goes on without details`, err);
    });
    return [];
  }
}
