import type { Message } from "@bufbuild/protobuf";
import type { Attributes } from "@opentelemetry/api";
import type { MethodDefinition } from "../../service.js";

/**
 * The start attributes plus those the proto's `span_attributes` option lifts from the
 * request, through the generated extractor. Methods without the option keep their
 * precomputed attribute object: no allocation per call.
 */
export function withRequestAttributes(attributes: Attributes, method: MethodDefinition, request: Message | undefined): Attributes {
  if (method.spanAttributes === undefined || request === undefined) {
    return attributes;
  }
  return { ...attributes, ...method.spanAttributes(request) };
}
