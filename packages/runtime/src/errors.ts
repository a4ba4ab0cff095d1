import { Metadata, status as Code } from "@grpc/grpc-js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { packDetails, unpackDetails } from "./error-details/error-detail.js";
import type { ErrorDetail } from "./error-details/error-detail.js";
import { readStatusDetails } from "./error-details/status-details.js";

export { Code };

/** The number of status codes gRPC defines (0 OK … 16 UNAUTHENTICATED). */
export const STATUS_CODE_COUNT = 17;

/** The canonical name of a status code (`"NOT_FOUND"`), or `"CODE_<n>"` for unknown numbers. */
export function codeName(code: number): string {
  return Code[code] ?? `CODE_${code}`;
}

// A registered symbol, so two copies of this package (ESM and CJS, or two versions)
// still recognise each other's errors.
const brand = Symbol.for("protoc-gen-ts-otel.RpcError");

const NO_DETAILS: readonly Any[] = Object.freeze([]);

export interface RpcErrorOptions {
  /** What caused the error, kept for logs; never sent. */
  readonly cause?: unknown;
  /**
   * The rich error model's details (`google.rpc.Status.details`): a server sends them
   * in the `grpc-status-details-bin` trailer, which every gRPC implementation reads.
   */
  readonly details?: readonly ErrorDetail[] | undefined;
}

/**
 * The one error type of generated clients and servers: a gRPC status code, the
 * status message as the peer sees it, metadata (trailers), and the details of the
 * rich error model (`google.rpc.Status`).
 *
 * Handlers throw it to answer with a status; clients reject with it.
 */
export class RpcError extends Error {
  override name = "RpcError";
  readonly code: Code;
  /** The status message without the code prefix that `message` carries. */
  readonly rawMessage: string;
  readonly metadata: Metadata;
  /**
   * The status details, packed as on the wire: what a handler gave, or what the
   * server's `grpc-status-details-bin` trailer carried. `findDetails` decodes them.
   */
  readonly details: readonly Any[];

  constructor(code: Code, message: string, metadata?: Metadata, options?: RpcErrorOptions) {
    super(`[${codeName(code)}] ${message}`, options);
    this.code = code;
    this.rawMessage = message;
    this.metadata = metadata ?? new Metadata();
    this.details = options?.details === undefined ? NO_DETAILS : packDetails(options.details);
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * The details of one type, decoded: `error.findDetails(ErrorInfoSchema)`. Details of
   * other types, and any that do not parse as this one, are left out.
   */
  findDetails<Desc extends DescMessage>(schema: Desc): MessageShape<Desc>[] {
    return unpackDetails(this.details, schema);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && brand in value;
  }

  /**
   * Turns anything into an RpcError: an RpcError is returned as is, a grpc-js
   * status error keeps its code, message and metadata, with the status details its
   * `grpc-status-details-bin` trailer carries, and anything else becomes `fallbackCode`
   * with the original as `cause`.
   */
  static from(reason: unknown, fallbackCode: Code = Code.UNKNOWN): RpcError {
    if (reason instanceof RpcError) {
      return reason;
    }
    if (isStatusError(reason)) {
      const metadata = reason.metadata instanceof Metadata ? reason.metadata : undefined;
      return new RpcError(reason.code, reason.details ?? "", metadata, {
        cause: reason,
        details: metadata === undefined ? undefined : readStatusDetails(metadata, reason.code),
      });
    }
    return new RpcError(fallbackCode, errorMessage(reason), undefined, { cause: reason });
  }
}

/** The message of anything thrown: an Error's message, or the thing as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface StatusError {
  code: Code;
  details?: string;
  metadata?: unknown;
}

function isStatusError(value: unknown): value is StatusError {
  if (typeof value !== "object" || value === null || !("code" in value)) {
    return false;
  }
  const code = value.code;
  return typeof code === "number" && Number.isInteger(code) && code >= 0 && code < STATUS_CODE_COUNT;
}
