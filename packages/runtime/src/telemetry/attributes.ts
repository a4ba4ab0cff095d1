import type { Message } from "@bufbuild/protobuf";
import type { Attributes } from "@opentelemetry/api";
import { codeName } from "../errors.js";
import type { Side } from "../observer.js";
import type { MethodDefinition } from "../service.js";
import type { MethodFacts } from "./method-facts.js";
import { parsePeer } from "./parse-target.js";
import type { ParsedTarget } from "./parse-target.js";
import { A66, ATTR, LEGACY_ATTR, RPC_SYSTEM_GRPC } from "./semconv.js";
import type { SemconvMode } from "./semconv.js";

// Every OpenTelemetry attribute set the runtime emits, on spans and metric points, in
// each semconv mode (docs/telemetry.md#conventions): data built once per method, per status
// code or per peer, never per call. In `dup` both sets are emitted; where both use one
// name (`rpc.method`), the new value wins and `rpc.service` keeps the legacy split
// recoverable.

/** Which attribute sets a mode emits. */
export interface Conventions {
  readonly current: boolean;
  readonly legacy: boolean;
}

const CURRENT: Conventions = { current: true, legacy: false };
const LEGACY: Conventions = { current: false, legacy: true };

export function conventionsOf(mode: SemconvMode): Conventions {
  return { current: mode !== "legacy", legacy: mode !== "new" };
}

/**
 * Remembers the last result of `compute`: a client's peer and a server's `:authority`
 * are the same string call after call, so their attributes are built once, not per call.
 */
export function memoLast<T>(compute: (key: string) => T): (key: string) => T {
  let lastKey: string | undefined;
  let lastValue: T | undefined;
  return (key) => {
    if (key !== lastKey || lastValue === undefined) {
      lastValue = compute(key);
      lastKey = key;
    }
    return lastValue;
  };
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
export function serverAttributes(server: ParsedTarget, side: Side, conventions: Conventions): Attributes {
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
function peerAttributes(peer: ParsedTarget, side: Side, conventions: Conventions): Attributes {
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
export function peerAttributesOf(side: Side, conventions: Conventions): (peer: string) => Attributes {
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

/**
 * The method attributes of metric points: in the new conventions `rpc.system.name`,
 * `rpc.method` and, on clients, `server.address` / `server.port`; in the legacy ones
 * `rpc.system`, `rpc.service` and the short `rpc.method`.
 */
export function metricAttributes(facts: MethodFacts, legacy: boolean): Attributes {
  if (legacy) {
    return Object.freeze(methodAttributes(facts.method, LEGACY));
  }
  const server = facts.client === undefined ? {} : serverAttributes(facts.client.server, "client", CURRENT);
  return Object.freeze({ ...methodAttributes(facts.method, CURRENT), ...server });
}

/** A method's metric attributes (`metricAttributes`) with the status attributes of `code` in the same conventions. */
export function metricStatusAttributes(method: Attributes, code: number, isError: boolean, legacy: boolean): Attributes {
  return Object.freeze({ ...method, ...statusAttributes(code, isError, legacy ? LEGACY : CURRENT) });
}

/** gRFC A66's method attributes: `grpc.method`, and on clients `grpc.target`. */
export function a66Attributes(facts: MethodFacts): Attributes {
  return Object.freeze({
    [A66.ATTR_METHOD]: facts.method.fullName,
    ...(facts.client === undefined ? {} : { [A66.ATTR_TARGET]: facts.client.target }),
  });
}

/** gRFC A66's method attributes with `grpc.status`. */
export function a66StatusAttributes(method: Attributes, code: number): Attributes {
  return Object.freeze({ ...method, [A66.ATTR_STATUS]: codeName(code) });
}
