// Cancelled uploads, proven across processes on busy cores. A grpc-js client that
// cancels a request stream without half-closing sends END_STREAM and, a turn of its
// event loop later, RST_STREAM (Node's Http2Stream.close does both; see
// docs/cancelled-uploads.md); a server that reads between the two sees a clean
// half-close. The handler must still never see such a request stream end normally:
// its `for await` throws CANCELLED and its signal fires. And the server must record
// what went out: the handler's status when its trailers left first, CANCELLED when the
// reset came first and no status followed. A TCP proxy between the processes is the
// judge of what crossed the wire; every core is kept busy meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCpuHog } from "./support/cpu-hog.js";
import type { CpuHog } from "./support/cpu-hog.js";
import { startH2Proxy } from "./support/h2-proxy.js";
import type { H2Proxy } from "./support/h2-proxy.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";
import type { HandlerRecord } from "./support/soak-handlers.js";

/** Cancelled calls per client and server: with two clients and two servers, 1,000 of each kind. */
const CALLS = 250;
/** And calls whose deadline passes while their request stream is open: grpc-js ends them the same way. */
const DEADLINE_CALLS = 50;
const CLIENTS = [
  { name: "the generated client's signal", plain: false, deadline: false, calls: CALLS },
  { name: "a plain grpc-js client's cancel()", plain: true, deadline: false, calls: CALLS },
  { name: "the generated client's deadline", plain: false, deadline: true, calls: DEADLINE_CALLS },
] as const;

let hog: CpuHog;
beforeAll(() => {
  hog = startCpuHog();
});
afterAll(async () => {
  await hog.stop();
});

describe.each([
  ["ClientStream", "createServer()", []],
  ["BidiStream", "createServer()", []],
  ["ClientStream", "a plain grpc-js Server", ["--plain"]],
  ["BidiStream", "a plain grpc-js Server", ["--plain"]],
])("%s calls cancelled without half-closing, against %s, every core busy", (kind, name, serverArgs) => {
  let server: Peer;
  let client: Peer;
  let proxy: H2Proxy;
  /** What each caller got, by client: the proxy's connection 0 is the first client's. */
  const results: { callId: string; code: string; connection: number; stream: number; deadline: boolean }[] = [];
  let serverSpans: Map<string, string>;
  let handlers: Map<string, HandlerRecord>;
  let summary: TelemetrySummary;

  beforeAll(async () => {
    server = await startPeer("test/cross-process/peers/soak-server.ts", serverArgs);
    proxy = await startH2Proxy(Number(server.ready["port"]));
    client = await startPeer("test/cross-process/peers/soak-client.ts");
    for (const [connection, { plain, deadline, calls }] of CLIENTS.entries()) {
      const made = await client.command<{ callId: string; code: string }[]>(
        "race",
        { port: proxy.port, calls, kind, plain, deadline, prefix: `${String(connection)}-` },
        300_000,
      );
      made.forEach((result, i) => results.push({ ...result, connection, stream: 1 + 2 * i, deadline }));
    }
    const giveUp = Date.now() + 30_000;
    let report: { open: number; handlers: HandlerRecord[]; summary: TelemetrySummary };
    do {
      report = await server.command("report");
    } while ((report.open > 0 || report.summary.started > report.summary.ended) && Date.now() < giveUp);
    serverSpans = new Map(report.summary.spans.map((s) => [s.callId, s.code]));
    handlers = new Map(report.handlers.map((h) => [h.callId, h]));
    summary = report.summary;
  }, 600_000);

  afterAll(async () => {
    await Promise.all([client.stop(), server.stop()]);
    await proxy.close();
  });

  /** The frames that ended one call's stream, in the order they passed the proxy. */
  function wire(call: { connection: number; stream: number }): { trailersFirst: boolean; reset: boolean; trailers: boolean } {
    const events = proxy.events.filter((e) => e.connection === call.connection && e.stream === call.stream);
    const trailers = events.find((e) => e.what === "server trailers");
    const reset = events.find((e) => e.what === "client reset");
    return {
      trailers: trailers !== undefined,
      reset: reset !== undefined,
      trailersFirst: trailers !== undefined && (reset === undefined || trailers.seq < reset.seq),
    };
  }

  const cancelled = (): typeof results => results.filter((r) => !r.deadline);

  it("gives every caller CANCELLED or DEADLINE_EXCEEDED, and the client reset every cancelled stream", () => {
    expect(results).toHaveLength(2 * CALLS + DEADLINE_CALLS);
    expect(results.filter((r) => r.code !== (r.deadline ? "DEADLINE_EXCEEDED" : "CANCELLED"))).toEqual([]);
    expect(cancelled().filter((r) => !wire(r).reset).map((r) => r.callId)).toEqual([]);
  });

  it("never lets a handler's request stream end normally, and fires every handler's signal", () => {
    const misled = results.flatMap((r) => {
      const handler = handlers.get(r.callId);
      // A call whose deadline passed before its handler would start is refused before it.
      if (handler === undefined) return r.deadline ? [] : [`${r.callId}: no handler ran`];
      const ended = r.deadline ? ["CANCELLED", "DEADLINE_EXCEEDED"] : ["CANCELLED"];
      if (!ended.some((code) => handler.outcome === `threw ${code}`)) return [`${r.callId}: the handler ${handler.outcome}`];
      if (!ended.includes(String(handler.signal))) return [`${r.callId}: the signal said ${String(handler.signal)}`];
      return [];
    });
    console.log(`${kind} on ${name}: ${String(results.length)} calls the client ended, ${String(misled.length)} handlers misled or not told`);
    expect(misled.slice(0, 10)).toEqual([]);
  });

  it("records on the server the status the wire carried, in the span, the counter and the histogram", () => {
    const wrong = cancelled().flatMap((r) => {
      const recorded = serverSpans.get(r.callId);
      const went = wire(r);
      // Trailers out before the reset would be the handler's status; none can be,
      // since no handler answered (above), so every call went out as a reset alone.
      const expected = went.trailersFirst ? "OK" : "CANCELLED";
      return recorded === expected ? [] : [`${r.callId}: the wire says ${expected}, the span ${String(recorded)}`];
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(cancelled().filter((r) => wire(r).trailers).map((r) => r.callId)).toEqual([]);
    // A deadline ends a call on both sides at once: the server's own timer sends
    // DEADLINE_EXCEEDED, or the client's reset comes first and no status goes out; the
    // server then records DEADLINE_EXCEEDED if its deadline had all but passed, else
    // CANCELLED (the README's "What the telemetry sees" says so).
    const timedOut = results.filter((r) => r.deadline && serverSpans.has(r.callId));
    const deadlineWrong = timedOut.flatMap((r) => {
      const recorded = serverSpans.get(r.callId);
      const went = wire(r);
      const allowed = went.trailersFirst ? ["DEADLINE_EXCEEDED"] : ["DEADLINE_EXCEEDED", "CANCELLED"];
      return allowed.includes(String(recorded)) ? [] : [`${r.callId}: ${went.trailersFirst ? "trailers" : "a reset"} first, recorded ${String(recorded)}`];
    });
    expect(deadlineWrong).toEqual([]);
    const expected: Record<string, number> = { CANCELLED: cancelled().length };
    for (const r of timedOut) {
      const code = String(serverSpans.get(r.callId));
      expected[code] = (expected[code] ?? 0) + 1;
    }
    expect(summary.spanCounts[kind]).toEqual(expected);
    expect(summary.handled[kind]).toEqual(expected);
    expect(summary.durations[kind]).toEqual(expected);
  });
});
