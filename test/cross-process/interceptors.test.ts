// The auth header and server-side auth check of docs/interceptors.md across processes on
// 127.0.0.1: a client whose interceptor sends the bearer token, a server whose interceptor
// answers UNAUTHENTICATED without a valid one, both with full telemetry. The statuses the
// callers got are the ones each side's spans and metrics recorded, calls refused by the
// interceptor included, and a refused call never reached its handler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, codeName } from "protoc-gen-ts-otel-runtime";
import { pollUntil } from "../support/poll.js";
import type { InterceptedOutcome } from "./peers/interceptor-client.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";

const KINDS = ["Unary", "ServerStream", "ClientStream", "BidiStream"];
/** Responses of a successful call: one request echoed once, or two requests. */
const RESPONSES: Record<string, number> = { Unary: 1, ServerStream: 1, ClientStream: 1, BidiStream: 2 };

const peers: Peer[] = [];
let server: Peer;
let client: Peer;
const made = new Map<string, InterceptedOutcome>();

beforeAll(async () => {
  server = await startPeer("test/cross-process/peers/interceptor-server.ts");
  peers.push(server);
  client = await startPeer("test/cross-process/peers/interceptor-client.ts");
  peers.push(client);
});

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
});

async function call(kind: string, token: string): Promise<InterceptedOutcome & { callId: string }> {
  const callId = `${kind}-${token}`;
  const outcome = await client.command<InterceptedOutcome>("call", { port: server.ready["port"], kind, token, callId });
  made.set(callId, outcome);
  return { ...outcome, callId };
}

const serverReport = (): Promise<{ seen: Record<string, string[]>; telemetry: TelemetrySummary }> => server.command("report");

describe.each(KINDS)("%s", (kind) => {
  it("with a valid token: the interceptor's header reaches the handler", async () => {
    const outcome = await call(kind, "valid-1");
    expect(outcome).toMatchObject({ code: Code.OK, responses: RESPONSES[kind] });
    expect((await serverReport()).seen[outcome.callId]).toEqual(["Bearer valid-1"]);
  });

  it("with another token: the server's interceptor answers UNAUTHENTICATED and the handler never runs", async () => {
    const outcome = await call(kind, "stolen");
    expect(outcome).toEqual({ callId: outcome.callId, code: Code.UNAUTHENTICATED, details: "a valid bearer token is required", responses: 0 });
    expect(Object.keys((await serverReport()).seen)).not.toContain(outcome.callId);
  });
});

describe("telemetry", () => {
  it("on both sides recorded every call once, with the status its caller got, in spans, Prometheus and OpenTelemetry metrics", async () => {
    const expected: Record<string, Record<string, number>> = {};
    for (const [callId, outcome] of made) {
      const method = callId.split("-")[0] ?? "?";
      const byCode = (expected[method] ??= {});
      byCode[codeName(outcome.code)] = (byCode[codeName(outcome.code)] ?? 0) + 1;
    }
    expect(Object.values(expected).flatMap((byCode) => Object.keys(byCode)).sort()).toEqual([...KINDS.map(() => "OK"), ...KINDS.map(() => "UNAUTHENTICATED")].sort());
    // Every call has ended on the client; the server may still be closing the last one.
    const settled = (summary: TelemetrySummary): boolean => summary.ended === made.size;
    const summaries = {
      client: await pollUntil(() => client.command<TelemetrySummary>("report"), settled, "the client's calls to end", 10_000, 20),
      server: await pollUntil(async () => (await serverReport()).telemetry, settled, "the server's calls to end", 10_000, 20),
    };
    for (const [side, summary] of Object.entries(summaries)) {
      expect(summary.spanCounts, `${side} spans`).toEqual(expected);
      expect(summary.handled, `${side} grpc_${side}_handled_total`).toEqual(expected);
      expect(summary.durations, `${side} rpc.${side}.call.duration`).toEqual(expected);
      expect(summary.ended, side).toBe(summary.started);
      expect(summary.endedTwice, side).toBe(0);
      expect(new Set(summary.spans.map((span) => span.callId)), side).toEqual(new Set(made.keys()));
    }
    // UNAUTHENTICATED is an error on the client's spans only (docs/telemetry.md#span-status).
    const refused = summaries.client.spans.filter((span) => span.code === "UNAUTHENTICATED");
    expect(refused.map((span) => span.message)).toEqual(KINDS.map(() => "a valid bearer token is required"));
  });
});
