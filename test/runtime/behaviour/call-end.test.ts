// The end decision of a server call, branch by branch: what a call's telemetry records
// from what grpc-js shows when it reports the call over. The cross-process tests check
// that these facts are what the wire carried; this table checks the decision alone.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { callEnd, deadlinePassed } from "../../../packages/runtime/src/server/call-end.js";
import type { CallEnd, EndFacts } from "../../../packages/runtime/src/server/call-end.js";

const NOW = 1_700_000_000_000;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

/** A call reported over with its stream alive, no deadline, nothing refused or oversize. */
const QUIET: EndFacts = { streamAlive: true, deadline: Infinity, shutdown: false, requestRefused: false, encoding: undefined };

const HANDED: CallEnd = { code: Code.NOT_FOUND, message: "no such user" };
const CANCELLED: CallEnd = { code: Code.CANCELLED, message: "Cancelled by client" };
const SHUTDOWN: CallEnd = { code: Code.CANCELLED, message: "Server shutting down" };
const EXPIRED: CallEnd = { code: Code.DEADLINE_EXCEEDED, message: "Deadline exceeded" };
const OVERSIZE: CallEnd = { code: Code.RESOURCE_EXHAUSTED, message: "Sent message larger than max (2048 vs. 1024)" };
const REFUSED: CallEnd = {
  code: Code.RESOURCE_EXHAUSTED,
  message: "Request refused by grpc-js: a message over its size limit, or framing it cannot read",
};
const unsupported = (encoding: string): CallEnd => ({
  code: Code.UNIMPLEMENTED,
  message: `Received message compressed with unsupported encoding "${encoding}"`,
});

const gone = { streamAlive: false } as const;
const oversize = { oversizeSent: { size: 2048, limit: 1024 } } as const;

const rows: readonly (readonly [string, CallEnd | undefined, Partial<EndFacts>, CallEnd])[] = [
  // The status handed to grpc-js went out.
  ["a handed status whose stream was alive went out", HANDED, {}, HANDED],
  ["a handed status stands over every other fact while the stream was alive", HANDED, { shutdown: true, deadline: NOW - 1, ...oversize, requestRefused: true }, HANDED],
  ["a handed OK stands too", { code: Code.OK, message: "OK" }, {}, { code: Code.OK, message: "OK" }],
  // A handed status the stream was gone for went nowhere; nothing handed, nothing sent.
  ["a handed status dropped by a reset is a cancel", HANDED, gone, CANCELLED],
  ["nothing handed and nothing else known is a cancel", undefined, {}, CANCELLED],
  ["nothing handed, stream gone, is a cancel", undefined, gone, CANCELLED],
  // A forced shutdown.
  ["a forced shutdown", undefined, { ...gone, shutdown: true }, SHUTDOWN],
  ["a forced shutdown drops a handed status", HANDED, { ...gone, shutdown: true }, SHUTDOWN],
  ["a forced shutdown goes before a passed deadline", undefined, { shutdown: true, deadline: NOW - 1 }, SHUTDOWN],
  // The deadline, with slack for the client's own timer.
  ["a deadline passed", undefined, { deadline: NOW - 1 }, EXPIRED],
  ["a deadline passed, as a Date", undefined, { deadline: new Date(NOW - 1000) }, EXPIRED],
  ["a deadline passing now", undefined, { deadline: NOW }, EXPIRED],
  ["a deadline 100 ms off counts as passed", undefined, { deadline: NOW + 100 }, EXPIRED],
  ["a deadline 101 ms off does not", undefined, { deadline: NOW + 101 }, CANCELLED],
  ["a deadline far off does not", HANDED, { ...gone, deadline: new Date(NOW + 60_000) }, CANCELLED],
  ["a passed deadline goes before an oversize response", undefined, { deadline: NOW - 1, ...oversize }, EXPIRED],
  // A response over grpc-js's send limit.
  ["a response over the send limit", undefined, oversize, OVERSIZE],
  ["a response over the send limit drops a handed status", HANDED, { ...gone, ...oversize }, OVERSIZE],
  ["an oversize response goes before a refused request", undefined, { ...oversize, requestRefused: true, encoding: "zstd" }, OVERSIZE],
  // A request grpc-js refused: a pending read that got neither a message nor the end.
  ["a refused request in an encoding grpc-js does not decode", undefined, { requestRefused: true, encoding: "zstd" }, unsupported("zstd")],
  ["a refused uncompressed request", undefined, { requestRefused: true, encoding: "identity" }, REFUSED],
  ["a refused request without grpc-encoding is uncompressed", undefined, { requestRefused: true }, REFUSED],
  ["a refused gzip request cannot be told from a cancel", undefined, { requestRefused: true, encoding: "gzip" }, CANCELLED],
  ["a refused deflate request cannot be told from a cancel", undefined, { requestRefused: true, encoding: "deflate" }, CANCELLED],
  ["a pending read on a stream gone is a cancel", undefined, { ...gone, requestRefused: true }, CANCELLED],
  ["a pending read on a stream gone is a cancel, whatever the encoding", undefined, { ...gone, requestRefused: true, encoding: "zstd" }, CANCELLED],
  ["an unsupported encoding without a refused read is a cancel", undefined, { encoding: "zstd" }, CANCELLED],
];

describe("callEnd: how a server call ended, from what grpc-js shows when it reports it over", () => {
  it.each(rows)("%s", (_name, handed, facts, expected) => {
    expect(callEnd(handed, { ...QUIET, ...facts })).toEqual(expected);
  });
});

describe("deadlinePassed: whether a handler must not start, without slack", () => {
  it.each([
    ["passed", NOW - 1, true],
    ["passing now", NOW, true],
    ["1 ms off", NOW + 1, false],
    ["a Date passed", new Date(NOW - 1), true],
    ["none", Infinity, false],
  ] as const)("%s", (_name, deadline, expected) => {
    expect(deadlinePassed(deadline)).toBe(expected);
  });
});
