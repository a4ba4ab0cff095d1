import type { Attributes } from "@opentelemetry/api";
import type { Any } from "@bufbuild/protobuf/wkt";
import { unpackDetails } from "../../error-details/error-detail.js";
import { ErrorInfoSchema } from "../../error-details/gen/google/rpc/error_details_pb.js";
import { ERROR_DETAIL_ATTR } from "../semconv.js";

/**
 * What a span records of an error's details: the type of each, and the first
 * `ErrorInfo`'s reason and domain, constants by the error model's own rules. Nothing
 * that can hold request data or free text (ErrorInfo's metadata, DebugInfo,
 * LocalizedMessage, the descriptions of violations) is recorded.
 */
export function errorDetailAttributes(details: readonly Any[]): Attributes {
  const attributes: Attributes = { [ERROR_DETAIL_ATTR.DETAIL_TYPES]: details.map((d) => typeName(d.typeUrl)) };
  const [info] = unpackDetails(details, ErrorInfoSchema);
  if (info?.reason) {
    attributes[ERROR_DETAIL_ATTR.ERROR_INFO_REASON] = info.reason;
  }
  if (info?.domain) {
    attributes[ERROR_DETAIL_ATTR.ERROR_INFO_DOMAIN] = info.domain;
  }
  return attributes;
}

/** `type.googleapis.com/google.rpc.ErrorInfo` → `google.rpc.ErrorInfo`, as protobuf reads a type URL. */
function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
}
