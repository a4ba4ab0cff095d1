// Shutting the server down with calls in flight, client and server in separate
// processes. tryShutdown() lets every call finish and records it as it ends;
// forceShutdown() ends them all, and on a server from createServer() the handlers'
// signals say the server is shutting down, not that the client cancelled.
import { afterEach, describe, expect, it } from "vitest";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";

interface ServerReport {
  readonly handlers: readonly { callId: string; outcome: string; signal?: string; signalMessage?: string }[];
  readonly open: number;
  readonly summary: TelemetrySummary;
}

const KINDS = ["Unary", "ServerStream", "ClientStream", "BidiStream"];
let peers: Peer[] = [];

afterEach(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  peers = [];
});

async function start(serverArgs: readonly string[]): Promise<{ server: Peer; client: Peer }> {
  const server = await startPeer("test/cross-process/peers/soak-server.ts", serverArgs);
  const client = await startPeer("test/cross-process/peers/soak-client.ts");
  peers = [server, client];
  return { server, client };
}

const codes = (calls: readonly { callId: string; code: string }[]): Record<string, string> => Object.fromEntries(calls.map((c) => [c.callId, c.code]));

describe("tryShutdown() with a call of each kind in flight", () => {
  it.each([
    ["createServer()", []],
    ["a plain grpc-js Server", ["--plain"]],
  ])("on %s: every call finishes OK, and is recorded OK as it ends", async (_, serverArgs) => {
    const { server, client } = await start(serverArgs);
    await client.command("start", { port: server.ready["port"], scenario: "slow" });
    // Resolves once the server is down, which it is only after the calls finished.
    await server.command("try-shutdown");
    const report = await server.command<ServerReport>("report");
    expect(codes(await client.command("finish"))).toEqual(Object.fromEntries(KINDS.map((k) => [`slow-${k}`, "OK"])));
    expect(Object.fromEntries(report.summary.spans.map((s) => [s.callId, s.code]))).toEqual(Object.fromEntries(KINDS.map((k) => [`slow-${k}`, "OK"])));
    expect(report.open).toBe(0);
  });
});

describe("forceShutdown() with a call of each kind waiting in its handler", () => {
  it.each([
    ["createServer()", "Server shutting down", []],
    // A plain Server cannot tell its handlers; see the README.
    ["a plain grpc-js Server", "Cancelled by client", ["--plain"]],
  ])("on %s: the client gets CANCELLED, the server records CANCELLED, the handler's signal says %s", async (_, reason, serverArgs) => {
    const { server, client } = await start(serverArgs);
    await client.command("start", { port: server.ready["port"], scenario: "wait" });
    await server.command("force-shutdown");
    const expected = Object.fromEntries(KINDS.map((k) => [`wait-${k}`, "CANCELLED"]));
    expect(codes(await client.command("finish"))).toEqual(expected);
    let report: ServerReport;
    const giveUp = Date.now() + 10_000;
    do {
      report = await server.command<ServerReport>("report");
    } while (report.open > 0 && Date.now() < giveUp);
    expect(Object.fromEntries(report.summary.spans.map((s) => [s.callId, s.code]))).toEqual(expected);
    expect(report.handlers.map((h) => [h.callId, h.signal, h.signalMessage]).sort()).toEqual(KINDS.map((k) => [`wait-${k}`, "CANCELLED", reason]).sort());
    expect(report.open).toBe(0);
  });
});
