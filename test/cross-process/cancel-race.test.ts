// A client that cancels a request stream without half-closing sends END_STREAM and
// then RST_STREAM (Node's http2 does both), and an echoing handler may answer in
// between: whether its status went out before the reset came in is a race on the
// wire, which the handler cannot see. The server must record what went out: the
// handler's status when its trailers left first, CANCELLED when the reset came first
// and no status followed. A TCP proxy between the processes is the judge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startH2Proxy } from "./support/h2-proxy.js";
import type { H2Proxy } from "./support/h2-proxy.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";

const CALLS = 600;

describe.each([
  ["ClientStream", "createServer()", []],
  ["BidiStream", "createServer()", []],
  ["ClientStream", "a plain grpc-js Server", ["--plain"]],
  ["BidiStream", "a plain grpc-js Server", ["--plain"]],
])("a %s cancelled without half-closing, against %s", (kind, name, serverArgs) => {
  let server: Peer;
  let client: Peer;
  let proxy: H2Proxy;
  let results: { callId: string; code: string }[];
  let serverSpans: Map<string, string>;

  beforeAll(async () => {
    server = await startPeer("test/cross-process/peers/soak-server.ts", serverArgs);
    proxy = await startH2Proxy(Number(server.ready["port"]));
    client = await startPeer("test/cross-process/peers/soak-client.ts");
    results = await client.command("race", { port: proxy.port, calls: CALLS, kind }, 120_000);
    const giveUp = Date.now() + 10_000;
    let report: { open: number; summary: TelemetrySummary };
    do {
      report = await server.command("report");
    } while ((report.open > 0 || report.summary.spans.length < CALLS) && Date.now() < giveUp);
    serverSpans = new Map(report.summary.spans.map((s) => [s.callId, s.code]));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([client.stop(), server.stop()]);
    await proxy.close();
  });

  it("gives every caller CANCELLED", () => {
    expect(results.filter((r) => r.code !== "CANCELLED")).toEqual([]);
  });

  it("records on the server the status the wire carried", () => {
    const verdicts = { trailersFirst: 0, resetOnly: 0, crossed: 0 };
    const wrong: string[] = [];
    // A status grpc-js hands to Node's HTTP/2 stack in the instant a reset comes in may
    // be dropped there, after grpc-js last said the stream was alive: the server then
    // records the status it sent, which never reached the wire. No public API sees it.
    // It is bounded by the calls, not the resets: a loaded machine answers more calls
    // before their reset, which leaves fewer reset-only calls but as many lost (7 of 120
    // once). Measured on 600 bidi calls: 2 to 15 in 18 cases, loaded and not; a server
    // that ignored the reset recorded 43 to 96 in 12.
    const lostInStack: string[] = [];
    results.forEach((result, i) => {
      const stream = 1 + 2 * i;
      const events = proxy.events.filter((e) => e.connection === 0 && e.stream === stream);
      const trailers = events.find((e) => e.what === "server trailers");
      const reset = events.find((e) => e.what === "client reset");
      const recorded = serverSpans.get(result.callId);
      if (trailers !== undefined && (reset === undefined || trailers.seq < reset.seq)) {
        verdicts.trailersFirst += 1;
        if (recorded !== "OK") wrong.push(`${result.callId}: trailers went out first, recorded ${String(recorded)}`);
      } else if (trailers === undefined) {
        verdicts.resetOnly += 1;
        if (recorded === "OK") lostInStack.push(result.callId);
        else if (recorded !== "CANCELLED") wrong.push(`${result.callId}: the reset came first and no status went out, recorded ${String(recorded)}`);
      } else {
        // The server's trailers and the reset crossed: the server sent its status before
        // the reset reached it; either record can be right.
        verdicts.crossed += 1;
      }
    });
    console.log(`${kind} on ${name}: ${JSON.stringify(verdicts)}; status handed over but lost to the reset: ${String(lostInStack.length)}`);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(lostInStack.length).toBeLessThanOrEqual(CALLS * 0.05);
    expect(verdicts.trailersFirst + verdicts.resetOnly + verdicts.crossed).toBe(CALLS);
    // The race must really have been run both ways for the test to mean something.
    expect(verdicts.resetOnly).toBeGreaterThan(0);
  });
});
