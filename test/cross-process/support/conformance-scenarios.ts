// The rows of the wire-conformance suite: what the handler does (by the `x-scenario`
// request metadata, support/conformance-handlers.ts) and what the client does
// (support/conformance-calls.ts), for each call kind it applies to. Reference and
// generated peers read the same table.

export type Kind = "Unary" | "ServerStream" | "ClientStream" | "BidiStream";
export const KINDS: readonly Kind[] = ["Unary", "ServerStream", "ClientStream", "BidiStream"];
const STREAMED_RESPONSES: readonly Kind[] = ["ServerStream", "BidiStream"];

export const streamsRequests = (kind: Kind): boolean => kind === "ClientStream" || kind === "BidiStream";

/** The server's grpc-js limits in every server of the suite. */
export const SERVER_MAX_MESSAGE = 4096;
/** A message over the servers' limits. */
export const OVER_SERVER_LIMIT = 8000;
/** The client's limits in the rows that set them, and a message over them (but not over the server's). */
export const CLIENT_MAX_MESSAGE = 1024;
export const OVER_CLIENT_LIMIT = 2000;
/** The deadline of the deadline rows; their handlers wait for the end of the call. */
export const DEADLINE_MS = 300;
/** How long a handler that waits for the end of its call waits at most, so that a lost cancel cannot hang the suite. */
export const HANDLER_WAIT_LIMIT_MS = 3000;

/** What the client does, beyond making the call with its requests. */
export interface ClientPlan {
  /** Bytes of `payload` in each request. */
  readonly requestPayload?: number;
  /** Milliseconds from the start of the call to its deadline. */
  readonly deadlineMs?: number;
  /** When the client cancels: right after starting, on the response headers, on the first or on the last (2nd) response message. */
  readonly cancel?: "start" | "headers" | "first-message" | "second-message";
  /** Channel options of the client's channel. */
  readonly channelOptions?: Readonly<Record<string, number>>;
  /** The request stream stays open until the call ends (no half-close). */
  readonly holdRequests?: boolean;
  /** Sends these bytes as the (one) request message, unparsed: only the reference client can. */
  readonly rawRequest?: string;
}

export interface Scenario {
  readonly name: string;
  readonly kinds: readonly Kind[];
  readonly client: ClientPlan;
  /**
   * Timing decides part of the wire in this row (a deadline or a cancel against the
   * server's own answer): RST_STREAM frames and a server status with one of these codes
   * are left out of the comparison, since either side may win the race. What the
   * server sent before (headers, messages) is still compared.
   */
  readonly racyStatuses?: readonly number[];
  /** Runs in the server matrix (reference client, three servers) and/or the client matrix. */
  readonly matrices: readonly ("server" | "client")[];
  /** Shut the server down while the call is in flight. */
  readonly shutdown?: "try" | "force";
  /** On the server that has no handlers at all. */
  readonly missingHandler?: boolean;
}

const both = ["server", "client"] as const;
const OK = 0;
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;

export const SCENARIOS: readonly Scenario[] = [
  { name: "ok", kinds: KINDS, client: {}, matrices: both },
  { name: "ok-empty", kinds: KINDS, client: {}, matrices: both },
  { name: "error", kinds: KINDS, client: {}, matrices: both },
  { name: "error-after-messages", kinds: STREAMED_RESPONSES, client: {}, matrices: both },
  { name: "error-after-header", kinds: KINDS, client: {}, matrices: both },
  { name: "throw", kinds: KINDS, client: {}, matrices: both },
  { name: "missing-handler", kinds: KINDS, client: {}, matrices: both, missingHandler: true },
  { name: "metadata", kinds: KINDS, client: {}, matrices: both },
  { name: "error-metadata", kinds: KINDS, client: {}, matrices: both },
  // The rich error model: google.rpc.Status in grpc-status-details-bin, besides other trailers.
  { name: "error-details", kinds: KINDS, client: {}, matrices: both },
  // The client's deadline timer and the server's (which counts from when the headers came)
  // race: either a DEADLINE_EXCEEDED status goes out or the client's reset comes first.
  { name: "deadline-in-handler", kinds: KINDS, client: { deadlineMs: DEADLINE_MS, holdRequests: true }, racyStatuses: [DEADLINE_EXCEEDED, CANCELLED], matrices: both },
  // A deadline that passes about when the call reaches the server, before or just as its
  // handler would start: whether anything goes on the wire at all depends on timing.
  { name: "deadline-before-handler", kinds: KINDS, client: { deadlineMs: 1, holdRequests: true }, racyStatuses: [DEADLINE_EXCEEDED, CANCELLED], matrices: ["server"] },
  // Cancelled right after it started: grpc-js creates the stream a little later, so
  // whether the request reached the server before the reset is timing.
  { name: "cancel-start", kinds: KINDS, client: { cancel: "start", holdRequests: true }, racyStatuses: [CANCELLED], matrices: both },
  { name: "cancel-mid", kinds: KINDS, client: { cancel: "headers", holdRequests: true }, matrices: both },
  { name: "cancel-after-first", kinds: STREAMED_RESPONSES, client: { cancel: "first-message", holdRequests: true }, matrices: both },
  { name: "cancel-after-last", kinds: STREAMED_RESPONSES, client: { cancel: "second-message", holdRequests: true }, matrices: both },
  { name: "server-receive-limit", kinds: KINDS, client: { requestPayload: OVER_SERVER_LIMIT }, matrices: both },
  { name: "server-send-limit", kinds: KINDS, client: {}, matrices: both },
  // The client cancels the call when the oversized message comes in, racing the server's OK.
  { name: "client-receive-limit", kinds: KINDS, client: { channelOptions: { "grpc.max_receive_message_length": CLIENT_MAX_MESSAGE } }, racyStatuses: [OK], matrices: both },
  { name: "client-send-limit", kinds: KINDS, client: { requestPayload: OVER_CLIENT_LIMIT, channelOptions: { "grpc.max_send_message_length": CLIENT_MAX_MESSAGE } }, matrices: both },
  // Not a protobuf message: field 15 with wire type 7, which does not exist.
  { name: "unparsable", kinds: KINDS, client: { rawRequest: "ffffff" }, matrices: ["server"] },
  { name: "try-shutdown", kinds: KINDS, client: {}, matrices: ["server"], shutdown: "try" },
  { name: "force-shutdown", kinds: KINDS, client: {}, matrices: ["server"], shutdown: "force" },
];

/**
 * A call that holds one of its server's streams open: the handler sends its headers and
 * answers once the server is released (the transparent-retry rows of the suite).
 */
export const HELD = "held";

/** Scenarios whose handler sends its headers, then answers once its server is released (shutdown, or the `release` command). */
export const WAITS_FOR_RELEASE = new Set(["try-shutdown", HELD]);

/** Rows that a server answers by the handler's wait for the end of the call. */
export const WAITS_FOR_END = new Set(["deadline-in-handler", "deadline-before-handler", "cancel-start", "cancel-mid", "cancel-after-first", "cancel-after-last", "force-shutdown"]);
