import { create } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Any } from "@bufbuild/protobuf/wkt";
import {
  BadRequestSchema,
  DebugInfoSchema,
  ErrorInfoSchema,
  HelpSchema,
  LocalizedMessageSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RequestInfoSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "./gen/google/rpc/error_details_pb.js";
import type {
  BadRequest,
  DebugInfo,
  ErrorInfo,
  Help,
  LocalizedMessage,
  PreconditionFailure,
  QuotaFailure,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from "./gen/google/rpc/error_details_pb.js";

/** The messages of google/rpc/error_details.proto: the runtime knows their schemas, so they go in as they are. */
export type StandardErrorDetail =
  | ErrorInfo
  | RetryInfo
  | DebugInfo
  | QuotaFailure
  | PreconditionFailure
  | BadRequest
  | RequestInfo
  | ResourceInfo
  | Help
  | LocalizedMessage;

const STANDARD_SCHEMAS: readonly DescMessage[] = [
  ErrorInfoSchema,
  RetryInfoSchema,
  DebugInfoSchema,
  QuotaFailureSchema,
  PreconditionFailureSchema,
  BadRequestSchema,
  RequestInfoSchema,
  ResourceInfoSchema,
  HelpSchema,
  LocalizedMessageSchema,
];

/** A message of any type with its schema, as connect-es takes error details. */
export interface DetailInit {
  readonly desc: DescMessage;
  readonly value: MessageInitShape<DescMessage>;
}

/**
 * One detail of an error status (an entry of `google.rpc.Status.details`): a standard
 * detail message (`create(ErrorInfoSchema, { reason, domain })`), any message with its
 * schema (`{ desc: MyDetailSchema, value: { … } }`), or a packed `google.protobuf.Any`.
 */
export type ErrorDetail = StandardErrorDetail | DetailInit | Any;

/** Packs each detail into a `google.protobuf.Any`, the form the status carries on the wire. */
export function packDetails(details: readonly ErrorDetail[]): Any[] {
  return details.map(packDetail);
}

function packDetail(detail: ErrorDetail): Any {
  if ("desc" in detail) {
    return anyPack(detail.desc, create(detail.desc, detail.value));
  }
  if (detail.$typeName === "google.protobuf.Any") {
    return detail;
  }
  const typeName: string = detail.$typeName;
  const schema = STANDARD_SCHEMAS.find((s) => s.typeName === typeName);
  if (schema === undefined) {
    // Reachable from JavaScript, or through a cast: the type forbids it.
    throw new TypeError(
      `RpcError detail ${typeName} is not a google.rpc error detail; pass it as { desc: its schema, value } or packed with anyPack()`,
    );
  }
  return anyPack(schema, detail);
}

/**
 * The details of type `schema`, decoded. A detail whose bytes do not parse as that type
 * is left out: the caller is already handling an error, and one more would hide it.
 */
export function unpackDetails<Desc extends DescMessage>(details: readonly Any[], schema: Desc): MessageShape<Desc>[] {
  const found: MessageShape<Desc>[] = [];
  for (const detail of details) {
    try {
      const message = anyUnpack(detail, schema);
      if (message !== undefined) found.push(message);
    } catch {
      // Unparseable bytes, or a type URL without a type name.
    }
  }
  return found;
}
