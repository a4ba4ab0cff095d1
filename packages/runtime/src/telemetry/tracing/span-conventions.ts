import type { Attributes } from "@opentelemetry/api";
import { codeName } from "../../errors.js";
import type { MethodDefinition } from "../../service.js";
import { parsePeer } from "../parse-target.js";
import type { ParsedTarget } from "../parse-target.js";
import { ATTR, LEGACY_ATTR, RPC_SYSTEM_GRPC } from "../semconv.js";
import type { SemconvMode } from "../semconv.js";
import { memoLast } from "./memo-last.js";

// Which attribute goes on which span in which mode: TELEMETRY.md §1.1, as data built
// once per method or per tracing part, never per call. In `dup` both sets are emitted;
// where both use one name (`rpc.method`), the new value wins and `rpc.service` keeps
// the legacy split recoverable.

/** Which attribute sets a mode emits. */
export interface Conventions {
  readonly current: boolean;
  readonly legacy: boolean;
}

export function conventionsOf(mode: SemconvMode): Conventions {
  return { current: mode !== "legacy", legacy: mode !== "new" };
}

/** The attributes every span of a method starts with, whichever its side. */
export function methodAttributes(method: MethodDefinition, conventions: Conventions): Attributes {
  const attributes: Attributes = {};
  if (conventions.legacy) {
    attributes[LEGACY_ATTR.RPC_SYSTEM] = RPC_SYSTEM_GRPC;
    attributes[LEGACY_ATTR.RPC_SERVICE] = method.service;
    attributes[LEGACY_ATTR.RPC_METHOD] = method.name;
  }
  if (conventions.current) {
    attributes[ATTR.RPC_SYSTEM_NAME] = RPC_SYSTEM_GRPC;
    attributes[ATTR.RPC_METHOD] = method.fullName;
  }
  return attributes;
}

/**
 * `server.address` / `server.port` of the server a client addresses (its target), or a
 * server is addressed as (`:authority`). Legacy client spans carry them too (v1.37);
 * legacy server spans do not.
 */
export function serverAttributes(server: ParsedTarget, side: "client" | "server", conventions: Conventions): Attributes {
  const attributes: Attributes = {};
  if (conventions.current || side === "client") {
    attributes[ATTR.SERVER_ADDRESS] = server.address;
    if (server.port !== undefined) {
      attributes[ATTR.SERVER_PORT] = server.port;
    }
  }
  return attributes;
}

/** The other end of the connection: `network.peer.*`, and on legacy servers `net.peer.*`. */
export function peerAttributes(peer: ParsedTarget, side: "client" | "server", conventions: Conventions): Attributes {
  const attributes: Attributes = {};
  if (conventions.current) {
    attributes[ATTR.NETWORK_PEER_ADDRESS] = peer.address;
    if (peer.port !== undefined) {
      attributes[ATTR.NETWORK_PEER_PORT] = peer.port;
    }
  }
  if (conventions.legacy && side === "server") {
    attributes[LEGACY_ATTR.NET_PEER_IP] = peer.address;
    if (peer.port !== undefined) {
      attributes[LEGACY_ATTR.NET_PEER_PORT] = peer.port;
    }
  }
  return attributes;
}

/** The peer attributes of a grpc-js peer string, remembered while the peer stays the same. */
export function peerAttributesOf(side: "client" | "server", conventions: Conventions): (peer: string) => Attributes {
  return memoLast((peer) => {
    const parsed = parsePeer(peer);
    return parsed === undefined ? {} : peerAttributes(parsed, side, conventions);
  });
}

/**
 * The attributes of a final status: the status code in each convention, and
 * `error.type` (new conventions) when this side counts the code as an error.
 */
export function statusAttributes(code: number, isError: boolean, conventions: Conventions): Attributes {
  const attributes: Attributes = {};
  if (conventions.legacy) {
    attributes[LEGACY_ATTR.RPC_GRPC_STATUS_CODE] = code;
  }
  if (conventions.current) {
    const name = codeName(code);
    attributes[ATTR.RPC_RESPONSE_STATUS_CODE] = name;
    if (isError) {
      attributes[ATTR.ERROR_TYPE] = name;
    }
  }
  return attributes;
}

/** The attribute names a captured metadata key is recorded under, per direction. */
export function metadataAttributeNames(
  key: string,
  direction: "request" | "response",
  conventions: Conventions,
): readonly string[] {
  const names: string[] = [];
  if (conventions.current) {
    names.push(`${direction === "request" ? ATTR.RPC_REQUEST_METADATA : ATTR.RPC_RESPONSE_METADATA}.${key}`);
  }
  if (conventions.legacy) {
    names.push(
      `${direction === "request" ? LEGACY_ATTR.RPC_GRPC_REQUEST_METADATA : LEGACY_ATTR.RPC_GRPC_RESPONSE_METADATA}.${key}`,
    );
  }
  return names;
}
