// Telemetry that breaks changes no call, across processes: a span processor, an
// exporter, a propagator or a histogram that throws, and a Prometheus registry that
// already holds another metric under one of our names. Both peers carry the fault;
// the client makes its calls through 8 generated clients. Each process says so once,
// through OpenTelemetry's diag, however many clients and servers meet the fault.
import { afterAll, describe, expect, it } from "vitest";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";

const CLIENTS = 8;
const KINDS = ["Unary", "ServerStream", "ClientStream", "BidiStream"];
const EXPECTED = Array.from({ length: CLIENTS }, () => KINDS.flatMap((kind) => [`${kind} OK`, `${kind} NOT_FOUND`])).flat();

const ours = (summary: TelemetrySummary): string[] => summary.diag.filter((line) => line.startsWith("protoc-gen-ts-otel-runtime"));

const peers: Peer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
});

describe("an exporter that throws", () => {
  it("changes no call; the SDK's span processor reports it, once per failed export, and the runtime has nothing to say", async () => {
    const server = await startPeer("test/cross-process/peers/soak-server.ts", ["--fault", "exporter"]);
    const client = await startPeer("test/cross-process/peers/soak-client.ts", ["--fault", "exporter"]);
    peers.push(server, client);
    expect(await client.command("basic", { port: server.ready["port"], clients: CLIENTS })).toEqual(EXPECTED);
    const summary = await client.command<TelemetrySummary>("report");
    expect(ours(summary)).toEqual([]);
    // One SimpleSpanProcessor export per span: every client span's export failed.
    expect(summary.diag.filter((line) => line.includes("telemetry backend broke"))).toHaveLength(EXPECTED.length);
  }, 60_000);
});

describe.each([
  ["a span processor", "span-processor", /tracing failed/],
  ["a propagator", "propagator", /trace propagation failed on the (client|server) side/],
  ["a histogram", "histogram", /OpenTelemetry metrics failed/],
  ["a registry name clash", "registry-clash", /Prometheus metrics failed.*already holds a metric named grpc_(client|server)_handled_total/s],
])("%s that throws", (_, fault, message) => {
  it("changes no call, and is reported once in each process", async () => {
    const server = await startPeer("test/cross-process/peers/soak-server.ts", ["--fault", fault]);
    const client = await startPeer("test/cross-process/peers/soak-client.ts", ["--fault", fault]);
    peers.push(server, client);
    expect(await client.command("basic", { port: server.ready["port"], clients: CLIENTS })).toEqual(EXPECTED);
    for (const peer of [client, server]) {
      const summary = await (peer === server ? server.command<{ summary: TelemetrySummary }>("report").then((r) => r.summary) : client.command<TelemetrySummary>("report"));
      const lines = ours(summary);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
  }, 60_000);
});
