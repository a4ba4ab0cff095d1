import type { Attributes } from "@opentelemetry/api";
import { codeName } from "../../errors.js";
import type { MethodDefinition } from "../../service.js";
import type { ParsedTarget } from "../parse-target.js";
import { ATTR, LEGACY_ATTR, RPC_SYSTEM_GRPC } from "../semconv.js";

// The attribute sets of the call metrics (TELEMETRY.md §2). Each is built once per
// method and status code and then shared by every call that ends that way.

/** `rpc.system.name`, `rpc.method`, and on clients `server.address` / `server.port`. */
export function methodAttributes(method: MethodDefinition, server: ParsedTarget | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR.RPC_SYSTEM_NAME]: RPC_SYSTEM_GRPC,
    [ATTR.RPC_METHOD]: method.fullName,
  };
  if (server !== undefined) {
    attributes[ATTR.SERVER_ADDRESS] = server.address;
    if (server.port !== undefined) {
      attributes[ATTR.SERVER_PORT] = server.port;
    }
  }
  return Object.freeze(attributes);
}

/** The method's attributes plus `rpc.response.status_code`, and `error.type` when this side counts the code as an error. */
export function statusAttributes(method: Attributes, code: number, isError: readonly boolean[]): Attributes {
  const name = codeName(code);
  return Object.freeze({
    ...method,
    [ATTR.RPC_RESPONSE_STATUS_CODE]: name,
    ...(isError[code] === true ? { [ATTR.ERROR_TYPE]: name } : {}),
  });
}

/** `rpc.system`, `rpc.service`, `rpc.method` (the short name): the legacy conventions. */
export function legacyMethodAttributes(method: MethodDefinition): Attributes {
  return Object.freeze({
    [LEGACY_ATTR.RPC_SYSTEM]: RPC_SYSTEM_GRPC,
    [LEGACY_ATTR.RPC_SERVICE]: method.service,
    [LEGACY_ATTR.RPC_METHOD]: method.name,
  });
}

/** The legacy method attributes plus `rpc.grpc.status_code` as a number. */
export function legacyStatusAttributes(method: Attributes, code: number): Attributes {
  return Object.freeze({ ...method, [LEGACY_ATTR.RPC_GRPC_STATUS_CODE]: code });
}
