import type { Deadline } from "@grpc/grpc-js";
import { Code } from "../errors.js";

/** The status a handler's non-RpcError exception is answered with: nothing internal leaks. */
export const UNKNOWN_ERROR_MESSAGE = "Unknown server error";

/**
 * How close to its deadline a cancelled call counts as expired. The client's own
 * deadline timer usually fires first and reaches the server as a plain cancel
 * (RST_STREAM), a little before the server's deadline: the wire carries a rounded-up
 * relative timeout that the server counts from when the headers arrived, so the reset
 * leads the server's deadline by as long as the headers took to be read: tens of
 * milliseconds on a busy machine (20 ms of slack let such calls be recorded CANCELLED in
 * loaded test runs). A client's own cancel in the last moment before its deadline is
 * recorded as the deadline too.
 */
const DEADLINE_SLACK_MS = 100;

/** The encodings grpc-js decompresses; a request in any other is refused by grpc-js. */
const DECODED_ENCODINGS = new Set(["identity", "gzip", "deflate"]);

/** How a call ended, as its telemetry records it. */
export interface CallEnd {
  readonly code: Code;
  readonly message: string;
}

/** What grpc-js shows of a call when it reports it over (see `EndSource` for who gathers it). */
export interface EndFacts {
  /**
   * Whether the HTTP/2 stream was still alive: it is destroyed by a reset, a lost
   * connection or a forced shutdown, and still alive right after a status went out,
   * or when grpc-js itself answered a request it refused (`streamGone` in
   * grpc-js-assumptions.ts).
   */
  readonly streamAlive: boolean;
  readonly deadline: Deadline;
  /** The server was force-shut down: grpc-js destroyed the connection (createServer knows). */
  readonly shutdown: boolean;
  /** The largest response message handed to grpc-js, and the limit it was over, if any. */
  readonly oversizeSent?: { readonly size: number; readonly limit: number } | undefined;
  /**
   * grpc-js gave up on the request stream itself: a read was pending and neither a
   * message nor the end of the stream came (a client's cancel always delivers the end
   * first), or a single request never arrived. grpc-js then answers the client alone:
   * RESOURCE_EXHAUSTED for a message over its size limit or framing it cannot read.
   */
  readonly requestRefused: boolean;
  /** The request's `grpc-encoding`, if any. */
  readonly encoding: string | undefined;
}

/**
 * How a call ended, once grpc-js reports it over: the status handed to grpc-js after
 * headers, if its trailers went out (the stream was still alive), else the one the
 * client was sent by grpc-js or, for a cancel, the one it caused. Only public facts of
 * grpc-js go in; the README lists what they cannot tell apart.
 */
export function callEnd(handed: CallEnd | undefined, facts: EndFacts): CallEnd {
  if (handed !== undefined && facts.streamAlive) {
    return handed;
  }
  if (facts.shutdown) {
    return { code: Code.CANCELLED, message: "Server shutting down" };
  }
  if (Number(facts.deadline) - DEADLINE_SLACK_MS <= Date.now()) {
    return { code: Code.DEADLINE_EXCEEDED, message: "Deadline exceeded" };
  }
  if (facts.oversizeSent !== undefined) {
    const { size, limit } = facts.oversizeSent;
    return { code: Code.RESOURCE_EXHAUSTED, message: `Sent message larger than max (${String(size)} vs. ${String(limit)})` };
  }
  const encoding = facts.encoding ?? "identity";
  const refused = facts.requestRefused && facts.streamAlive;
  if (refused && !DECODED_ENCODINGS.has(encoding)) {
    return { code: Code.UNIMPLEMENTED, message: `Received message compressed with unsupported encoding "${encoding}"` };
  }
  // Compressed messages are decoded asynchronously, and a cancel during that suppresses
  // the end of the stream too: only an uncompressed request tells the two apart.
  if (refused && encoding === "identity") {
    return { code: Code.RESOURCE_EXHAUSTED, message: "Request refused by grpc-js: a message over its size limit, or framing it cannot read" };
  }
  return { code: Code.CANCELLED, message: "Cancelled by client" };
}

/** Whether a call's deadline has passed, exactly (no slack): its handler must not start. */
export function deadlinePassed(deadline: Deadline): boolean {
  return Number(deadline) <= Date.now();
}
