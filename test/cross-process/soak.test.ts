// The mixed soak across processes: one server process, two client
// processes with three connections each, a seeded mix of every outcome on all four
// kinds. Each call's status as its caller saw it, as each side's span and handled
// counter recorded it, and as the handler saw it must agree, and nothing stays open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedCall } from "./peers/soak-client.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { CodeCounts, SpanRecord, TelemetrySummary } from "./support/peer-telemetry.js";
import { expectedCode } from "./support/scenarios.js";

const CALLS_PER_CLIENT = 2_600;
const SEEDS = [1, 2];

interface ServerReport {
  // `signal` is left out of the JSON when the signal never fired.
  readonly handlers: readonly { callId: string; scenario: string; method: string; outcome: string; signal?: string }[];
  readonly open: number;
  readonly summary: TelemetrySummary;
}

function countBy(spans: readonly SpanRecord[]): CodeCounts {
  const counts: CodeCounts = {};
  for (const span of spans) {
    const byCode = (counts[span.method] ??= {});
    byCode[span.code] = (byCode[span.code] ?? 0) + 1;
  }
  return counts;
}

function byCallId(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const map = new Map<string, SpanRecord[]>();
  for (const span of spans) map.set(span.callId, [...(map.get(span.callId) ?? []), span]);
  return map;
}

async function settledServer(server: Peer): Promise<ServerReport> {
  const giveUp = Date.now() + 15_000;
  for (;;) {
    const report = await server.command<ServerReport>("report");
    if ((report.open === 0 && report.summary.started === report.summary.ended) || Date.now() > giveUp) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// On a server from createServer(), and on grpc-js's own Server, where handlers alone
// see the calls: in this mix (no call races the client) both record the same.
describe.each([
  ["createServer()", []],
  ["a plain grpc-js Server", ["--plain"]],
])("a mixed soak, client and server in separate processes, on %s", (_, serverArgs) => {
  let server: Peer;
  let clients: Peer[];
  let observed: ObservedCall[];
  let clientSummaries: TelemetrySummary[];
  let serverReport: ServerReport;

  beforeAll(async () => {
    server = await startPeer("test/cross-process/peers/soak-server.ts", serverArgs);
    clients = await Promise.all(SEEDS.map(() => startPeer("test/cross-process/peers/soak-client.ts")));
    const runs = await Promise.all(
      clients.map((client, i) => client.command<ObservedCall[]>("run", { port: server.ready["port"], seed: SEEDS[i], calls: CALLS_PER_CLIENT, channels: 3, concurrency: 24 }, 240_000)),
    );
    observed = runs.flat();
    clientSummaries = await Promise.all(clients.map((client) => client.command<TelemetrySummary>("report")));
    serverReport = await settledServer(server);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([server, ...clients].map((peer) => peer.stop()));
  });

  it("made every call of the plan, every kind and outcome among them", () => {
    expect(observed).toHaveLength(CALLS_PER_CLIENT * SEEDS.length);
    const mix = new Set(observed.map((c) => `${c.kind} ${c.scenario.startsWith("status:") ? "status" : c.scenario}`));
    expect(mix.size).toBe(4 * 6 + 2 + 2);
  });

  it("gave every caller the status its outcome asks for", () => {
    const wrong = observed.filter((c) => c.code !== expectedCode(c.scenario));
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it("recorded one client span per call, with the status the caller saw", () => {
    const spans = byCallId(clientSummaries.flatMap((s) => s.spans));
    const wrong = observed.filter((c) => spans.get(c.callId)?.length !== 1 || spans.get(c.callId)?.[0]?.code !== c.code);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(spans.size).toBe(observed.length);
  });

  it("recorded one server span per call that reached the server, with the status that went out", () => {
    const spans = byCallId(serverReport.summary.spans);
    const problems: string[] = [];
    for (const call of observed) {
      const found = spans.get(call.callId) ?? [];
      // A call aborted right after it started, or whose deadline passed while its
      // channel was still connecting, may not get as far as the server.
      const reachedOrMust = call.scenario === "abort-early" || call.scenario === "deadline" ? found.length <= 1 : found.length === 1;
      // When the client's deadline passes, its reset reaches the server a little before
      // or after the server's own deadline (the wire carries a relative timeout the
      // server counts from when the headers came): DEADLINE_EXCEEDED, or a cancel
      // (CANCELLED) the server saw first.
      const allowed = call.scenario === "deadline" ? ["DEADLINE_EXCEEDED", "CANCELLED"] : [expectedCode(call.scenario)];
      if (!reachedOrMust || found.some((s) => !allowed.includes(s.code))) {
        problems.push(`${call.callId} ${call.kind} ${call.scenario}: ${JSON.stringify(found.map((s) => s.code))}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(serverReport.summary.spans.length).toBe(spans.size);
    const deadlines = observed.filter((c) => c.scenario === "deadline").map((c) => spans.get(c.callId)?.[0]?.code);
    console.log(
      `server spans ${String(spans.size)} of ${String(observed.length)} calls; abort-early calls that reached the server: ${String(observed.filter((c) => c.scenario === "abort-early" && spans.has(c.callId)).length)}; deadline calls recorded DEADLINE_EXCEEDED ${String(deadlines.filter((c) => c === "DEADLINE_EXCEEDED").length)}, CANCELLED ${String(deadlines.filter((c) => c === "CANCELLED").length)}, not reached ${String(deadlines.filter((c) => c === undefined).length)}`,
    );
  });

  it("had every handler's view agree with the server span: its signal fired with the status recorded", () => {
    const spans = byCallId(serverReport.summary.spans);
    const problems = serverReport.handlers.flatMap((h) => {
      const span = spans.get(h.callId)?.[0];
      if (span === undefined) return [`${h.callId} ${h.method} ${h.scenario}: a handler ran without a span`];
      const signalled = span.code !== "OK";
      if (signalled !== (h.signal !== undefined) || (signalled && h.signal !== span.code)) {
        return [`${h.callId} ${h.method} ${h.scenario}: span ${span.code}, signal ${String(h.signal)}, handler ${h.outcome}`];
      }
      return [];
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(serverReport.handlers.length).toBeGreaterThan(observed.length * 0.8);
  });

  it("counted each call once, by status, in grpc_*_handled_total and rpc.*.call.duration, as the spans did", () => {
    const clientSpans = countBy(clientSummaries.flatMap((s) => s.spans));
    const sum = (counts: readonly CodeCounts[]): CodeCounts => {
      const total: CodeCounts = {};
      for (const c of counts) for (const [method, codes] of Object.entries(c)) for (const [code, n] of Object.entries(codes)) {
        const byCode = (total[method] ??= {});
        byCode[code] = (byCode[code] ?? 0) + n;
      }
      return total;
    };
    expect(sum(clientSummaries.map((s) => s.handled))).toEqual(clientSpans);
    expect(sum(clientSummaries.map((s) => s.durations))).toEqual(clientSpans);
    const serverSpans = countBy(serverReport.summary.spans);
    expect(serverReport.summary.handled).toEqual(serverSpans);
    expect(serverReport.summary.durations).toEqual(serverSpans);
    console.log(`client, by method and status: ${JSON.stringify(clientSpans)}\nserver, by method and status: ${JSON.stringify(serverSpans)}`);
  });

  it("ended every call exactly once on both sides, and left no handler open", () => {
    for (const summary of [...clientSummaries, serverReport.summary]) {
      expect(summary.endedTwice).toBe(0);
      expect(summary.ended).toBe(summary.started);
      expect(summary.diag).toEqual([]);
    }
    expect(serverReport.open).toBe(0);
    expect(serverReport.handlers.filter((h) => h.outcome === "running")).toEqual([]);
  });

  it("brought the calls in flight back to exactly 0, in the Prometheus gauges and the OpenTelemetry UpDownCounters", () => {
    const zero = { Unary: 0, ServerStream: 0, ClientStream: 0, BidiStream: 0 };
    for (const summary of [...clientSummaries, serverReport.summary]) {
      expect(summary.inFlight.prometheus).toEqual(zero);
      expect(summary.inFlight.otel).toEqual(zero);
    }
  });
});
