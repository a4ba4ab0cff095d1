// Bad input straight from node:http2, to a server in another process: bytes that are
// not gRPC framing, a message that does not parse, flags grpc-js reads its own way,
// paths and content types it refuses, a message over its size limit. The server stays
// up, and where it records the call at all (grpc-js hides some paths from every
// handler and interceptor: the README lists them), it records the grpc-status the raw
// client received.
import { connect } from "node:http2";
import type { ClientHttp2Session, IncomingHttpHeaders } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";

const MAX_RECEIVE = 1024;
const UNARY = "/tsotel.testing.v1.TestService/Unary";

/** A gRPC message frame: compressed flag, big-endian length, bytes. */
function frame(message: Uint8Array, compressedFlag = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressedFlag, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** UnaryRequest { text: "raw" }. */
const VALID = Uint8Array.from([0x0a, 0x03, 0x72, 0x61, 0x77]);

interface RawCase {
  readonly name: string;
  readonly path?: string;
  readonly contentType?: string;
  readonly body: Buffer;
  /** Whether a server of createServer() records it; a plain server records only what reaches a handler. */
  readonly seenByInterceptor: boolean;
  readonly seenByHandler: boolean;
  /** `grpc-timeout` to send, e.g. `100m`. */
  readonly timeout?: string;
  /** Ends the request stream only once the response came: grpc-js starts a unary handler then, after its call ended. */
  readonly endAfterResponse?: boolean;
}

const CASES: readonly RawCase[] = [
  { name: "garbage bytes", body: Buffer.from("hello world, not grpc"), seenByInterceptor: true, seenByHandler: false },
  { name: "a truncated length prefix", body: Buffer.from([0, 0, 0]), seenByInterceptor: true, seenByHandler: false },
  { name: "a message that is not protobuf", body: frame(Uint8Array.from([0xff, 0xff, 0xff])), seenByInterceptor: true, seenByHandler: true },
  { name: "the compressed flag without grpc-encoding", body: frame(VALID, 1), seenByInterceptor: true, seenByHandler: true },
  { name: "an unknown method of a served service", path: "/tsotel.testing.v1.TestService/Nope", body: frame(VALID), seenByInterceptor: false, seenByHandler: false },
  { name: "an unknown service", path: "/nope.v1.Nope/Call", body: frame(VALID), seenByInterceptor: false, seenByHandler: false },
  { name: "a wrong content-type", contentType: "application/json", body: frame(VALID), seenByInterceptor: false, seenByHandler: false },
  { name: "a message over the size limit", body: frame(new Uint8Array(MAX_RECEIVE * 2).fill(0x20)), seenByInterceptor: true, seenByHandler: false },
  {
    name: "a request whose end comes after its deadline",
    body: frame(VALID),
    timeout: "100m",
    endAfterResponse: true,
    seenByInterceptor: true,
    seenByHandler: true,
  },
];

interface RawResult {
  readonly httpStatus: number;
  /** grpc-status from the trailers, or from the headers of a trailers-only response. */
  readonly grpcStatus: number | undefined;
}

function send(session: ClientHttp2Session, c: RawCase, callId: string): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const request = session.request({
      ":method": "POST",
      ":path": c.path ?? UNARY,
      "content-type": c.contentType ?? "application/grpc",
      te: "trailers",
      "x-call-id": callId,
      "x-scenario": "ok",
      ...(c.timeout === undefined ? {} : { "grpc-timeout": c.timeout }),
    });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    request.on("response", (h: IncomingHttpHeaders) => {
      headers = h;
      if (c.endAfterResponse === true) request.end();
    });
    request.on("trailers", (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    request.on("data", () => undefined);
    request.on("error", reject);
    request.on("close", () => {
      const status = trailers["grpc-status"] ?? headers["grpc-status"];
      resolve({ httpStatus: Number(headers[":status"]), grpcStatus: status === undefined ? undefined : Number(status) });
    });
    if (c.endAfterResponse === true) request.write(c.body);
    else request.end(c.body);
  });
}

const CODE_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];

describe.each([
  ["createServer()", [] as string[]],
  ["a plain grpc-js Server", ["--plain"]],
])("raw HTTP/2 bad input to %s in another process", (name, serverArgs) => {
  let server: Peer;
  let session: ClientHttp2Session;
  const results = new Map<string, RawResult>();
  let summary: TelemetrySummary;

  beforeAll(async () => {
    server = await startPeer("test/cross-process/peers/soak-server.ts", [...serverArgs, "--max-receive", String(MAX_RECEIVE)]);
    session = connect(`http://127.0.0.1:${String(server.ready["port"])}`);
    for (const [i, c] of CASES.entries()) {
      results.set(c.name, await send(session, c, `raw-${String(i)}`));
    }
    // The server still serves a proper call afterwards.
    results.set("a proper call after them", await send(session, { name: "proper", body: frame(VALID), seenByInterceptor: true, seenByHandler: true }, "raw-proper"));
    summary = (await server.command<{ summary: TelemetrySummary }>("report")).summary;
  }, 60_000);

  afterAll(async () => {
    session.close();
    await server.stop();
  });

  it("answers every case, and then a proper call OK", () => {
    expect(Object.fromEntries([...results].map(([k, r]) => [k, r.grpcStatus ?? `HTTP ${String(r.httpStatus)}`]))).toEqual({
      "garbage bytes": 8,
      "a truncated length prefix": 12,
      "a message that is not protobuf": 13,
      "the compressed flag without grpc-encoding": 0,
      "an unknown method of a served service": 12,
      "an unknown service": 12,
      "a wrong content-type": "HTTP 415",
      "a message over the size limit": 8,
      "a request whose end comes after its deadline": 4,
      "a proper call after them": 0,
    });
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))("records %s as the raw client received it, or not at all where it is hidden", (_, c, i) => {
    const spans = summary.spans.filter((s) => s.callId === `raw-${String(i)}`);
    const seen = name === "createServer()" ? c.seenByInterceptor : c.seenByHandler;
    const received = results.get(c.name)?.grpcStatus;
    expect(spans.map((s) => s.code)).toEqual(seen && received !== undefined ? [CODE_NAMES[received]] : []);
  });

  it("creates no series for methods it does not serve", () => {
    expect(Object.keys(summary.handled).every((method) => ["Unary", "ServerStream", "ClientStream", "BidiStream"].includes(method))).toBe(true);
    expect(summary.ended).toBe(summary.started);
  });
});
