// The outcomes the cross-process soak mixes, and what each side must record for them.
// Handlers never race the client: where the client ends a call (abort, deadline,
// leaving the loop), the handler waits for that end, so each call's status on each
// side is known in advance.
import { Code } from "protoc-gen-ts-otel-runtime";
import { pick, random } from "../../support/request-mutations.js";

export type KindName = "Unary" | "ServerStream" | "ClientStream" | "BidiStream";
export const KIND_NAMES: readonly KindName[] = ["Unary", "ServerStream", "ClientStream", "BidiStream"];

const streamsRequests = (kind: KindName): boolean => kind === "ClientStream" || kind === "BidiStream";
const streamsResponses = (kind: KindName): boolean => kind === "ServerStream" || kind === "BidiStream";

/**
 * - `ok`: the handler answers; `status:<n>`: it throws an RpcError of code n; `throw`: a plain Error.
 * - `abort-early`: the client aborts right after starting the call, before any message.
 * - `abort-mid`: the client aborts once the handler has sent its headers (and, with a
 *   request stream, two messages went out).
 * - `deadline`: a deadline shorter than the handler, which waits.
 * - `break-early`: the client leaves its loop after two of an endless stream of responses.
 * - `half-close-early`: one request, then the end of the request stream.
 */
export type Scenario = "ok" | `status:${number}` | "throw" | "abort-early" | "abort-mid" | "deadline" | "break-early" | "half-close-early";

export interface PlannedCall {
  readonly callId: string;
  readonly kind: KindName;
  readonly scenario: Scenario;
}

/** The calls of one client process, from its seed, made as they are asked for. */
export function* planned(seed: number, calls = Number.POSITIVE_INFINITY): Generator<PlannedCall> {
  const next = random(seed);
  for (let i = 0; i < calls; i++) {
    const kind = pick(KIND_NAMES, next);
    const choices: Scenario[] = ["ok", "throw", "abort-early", "abort-mid", "deadline", `status:${1 + Math.floor(next() * 16)}`];
    if (streamsResponses(kind)) choices.push("break-early");
    if (streamsRequests(kind)) choices.push("half-close-early");
    yield { callId: `${String(seed)}-${String(i)}`, kind, scenario: pick(choices, next) };
  }
}

/** The calls of one client process, from its seed. */
export function plan(seed: number, calls: number): PlannedCall[] {
  return [...planned(seed, calls)];
}

/** The status both sides must record (a call aborted early may not reach the server at all). */
export function expectedCode(scenario: Scenario): string {
  if (scenario.startsWith("status:")) {
    return Code[Number(scenario.slice("status:".length))] ?? "?";
  }
  switch (scenario) {
    case "ok":
    case "half-close-early":
      return "OK";
    case "throw":
      return "UNKNOWN";
    case "deadline":
      return "DEADLINE_EXCEEDED";
    default:
      return "CANCELLED";
  }
}

export { streamsRequests, streamsResponses };
