// Two opt-in Prometheus shapes and one OpenTelemetry instrument: py-grpc-prometheus's
// legacy names (test/ops/legacy-names-python.test.ts checks them against what
// prometheus_client itself renders), and the calls in flight, as a Prometheus gauge and
// an OpenTelemetry UpDownCounter.
import { describe, expect, it } from "vitest";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { PrometheusOptions } from "protoc-gen-ts-otel-runtime";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, rejection, useTestServer } from "../../support/harness.js";
import { KINDS } from "../../support/call-kinds.js";
import { samplesOf, valueOf } from "../../support/exposition.js";
import type { Exposition } from "../../support/exposition.js";
import { scrape, settledTotal, testMethod } from "../../support/grpc-counts.js";
import { testMeters } from "../../support/metric-reader.js";
import { pollUntil } from "../../support/poll.js";
import { servePrometheusOnly } from "../../support/telemetry-options.js";

const start = useTestServer();

const serve = (options: PrometheusOptions) => servePrometheusOnly(start, options);

/** One OK call of each kind, and one NOT_FOUND unary call. */
async function callEveryKind(client: Awaited<ReturnType<typeof serve>>["client"]): Promise<void> {
  for (const kind of KINDS) {
    await collect(kind.call(client, [{ text: "one" }]));
  }
  await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: 5 }));
}

const PY_TYPES: Record<string, string> = { Unary: "UNARY", ServerStream: "SERVER_STREAMING", ClientStream: "CLIENT_STREAMING", BidiStream: "BIDI_STREAMING" };
const PY_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "5", "7.5", "10", "+Inf"];

describe("py-grpc-prometheus legacy names (legacyNames: true)", () => {
  it("replace the handled and handling families, with its labels, types, codes and buckets", async () => {
    // Per-message histograms asked for too: py-grpc-prometheus has none in this mode.
    const { registry, client } = await serve({ legacyNames: true, messageHistograms: true });
    await callEveryKind(client);
    await settledTotal(registry, "grpc_server_handled_total", 5);
    const exposition = await settledTotal(registry, "grpc_client_completed_total", 5);

    expect(Object.fromEntries(exposition.types)).toEqual({
      grpc_server_started_total: "counter",
      grpc_server_handled_total: "counter",
      grpc_server_msg_received_total: "counter",
      grpc_server_msg_sent_total: "counter",
      grpc_server_handled_latency_seconds: "histogram",
      grpc_client_started_total: "counter",
      grpc_client_completed_total: "counter",
      grpc_client_msg_received_total: "counter",
      grpc_client_msg_sent_total: "counter",
      grpc_client_completed_latency_seconds: "histogram",
    });
    for (const name of ["grpc_server_handled_total", "grpc_client_completed_total"]) {
      const unary = samplesOf(exposition, name, testMethod("Unary"));
      expect(Object.keys(unary[0]?.labels ?? {}), name).toEqual(["grpc_type", "grpc_service", "grpc_method", "code"]);
      expect(unary.filter((s) => s.value > 0).map((s) => [s.labels["code"], s.value]), name).toEqual([
        ["OK", 1],
        ["NOT_FOUND", 1],
      ]);
    }
    for (const kind of KINDS) {
      const labels = { grpc_type: PY_TYPES[kind.method] ?? "?", ...testMethod(kind.method) };
      expect(valueOf(exposition, "grpc_server_started_total", labels), kind.method).toBe(kind.method === "Unary" ? 2 : 1);
      // The server times calls with a single response only; the client times them all.
      const serverTimed = samplesOf(exposition, "grpc_server_handled_latency_seconds_bucket", labels).map((s) => s.labels["le"]);
      expect(serverTimed, kind.method).toEqual(kind.streamsResponses ? [] : PY_BUCKETS);
      expect(samplesOf(exposition, "grpc_client_completed_latency_seconds_bucket", labels).map((s) => s.labels["le"]), kind.method).toEqual(PY_BUCKETS);
    }
  });
});

/** A bidi call that has its first response and stays open until `finish()`, which drains it. */
async function heldBidiCall(client: Awaited<ReturnType<typeof serve>>["client"]): Promise<{ finish(): Promise<void> }> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  async function* requests() {
    yield { text: "held" };
    await released;
  }
  const responses = client.bidiStream(requests())[Symbol.asyncIterator]();
  await responses.next();
  return {
    async finish() {
      release();
      while ((await responses.next()).done !== true) {
        // Drained.
      }
    },
  };
}

describe("calls in flight", () => {
  it("are a Prometheus gauge per method and side, at 0 from the start, 1 while a call runs, 0 after", async () => {
    const { registry, client } = await serve({ inFlight: true });
    const inFlight = (e: Exposition, side: string, method: string): number => valueOf(e, `grpc_${side}_requests_in_flight`, testMethod(method));
    const before = await scrape(registry);
    expect(before.types.get("grpc_server_requests_in_flight")).toBe("gauge");
    expect(before.help.get("grpc_client_requests_in_flight")).toBe("Number of RPCs started by the client and not yet completed.");
    for (const kind of KINDS) {
      for (const side of ["server", "client"]) {
        const samples = samplesOf(before, `grpc_${side}_requests_in_flight`, testMethod(kind.method));
        expect(samples.map((s) => [Object.keys(s.labels), s.value])).toEqual([[["grpc_type", "grpc_service", "grpc_method"], 0]]);
      }
    }

    const call = await heldBidiCall(client);
    const during = await scrape(registry);
    expect([inFlight(during, "server", "BidiStream"), inFlight(during, "client", "BidiStream"), inFlight(during, "server", "Unary")]).toEqual([1, 1, 0]);
    // Resetting the counts leaves the calls in flight where they are.
    registry.resetMetrics();
    const reset = await scrape(registry);
    expect([inFlight(reset, "server", "BidiStream"), valueOf(reset, "grpc_server_started_total", testMethod("BidiStream"))]).toEqual([1, 0]);
    await call.finish();
    const after = await pollUntil(
      () => scrape(registry),
      (e) => inFlight(e, "server", "BidiStream") === 0 && inFlight(e, "client", "BidiStream") === 0,
      "the bidi call off both gauges",
    );
    // Counted since the reset: the call ended after it.
    expect(valueOf(after, "grpc_server_handled_total", { ...testMethod("BidiStream"), grpc_code: "OK" })).toBe(1);
  });

  it("stay shown at 0 once a method had calls, without zero series", async () => {
    const { registry, client } = await serve({ inFlight: true, zeroSeries: false });
    expect(samplesOf(await scrape(registry), "grpc_server_requests_in_flight")).toEqual([]);
    await client.unary({ text: "one" });
    const after = await pollUntil(
      () => scrape(registry),
      (e) => samplesOf(e, "grpc_server_handled_total").length > 0,
      "the unary call handled",
    );
    expect(samplesOf(after, "grpc_server_requests_in_flight").map((s) => [s.labels["grpc_method"], s.value])).toEqual([["Unary", 0]]);
  });

  it("are an OpenTelemetry UpDownCounter per method and side (activeRequests: true)", async () => {
    const meters = testMeters();
    const telemetry = { tracing: false, prometheus: false, metrics: { meterProvider: meters.meterProvider, activeRequests: true } } as const;
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    const active = async (side: string): Promise<Record<string, number>> => {
      const points = (await meters.collect()).get(`rpc.${side}.active_requests`)?.sum ?? [];
      return Object.fromEntries(points.map((p) => [String(p.attributes["rpc.method"]), p.value]));
    };
    const bidi = "tsotel.testing.v1.TestService/BidiStream";
    expect((await active("server"))[bidi]).toBe(0);
    expect(Object.keys(await active("client"))).toHaveLength(4);

    const call = await heldBidiCall(client);
    expect([(await active("server"))[bidi], (await active("client"))[bidi]]).toEqual([1, 1]);
    await call.finish();
    await pollUntil(
      async () => [(await active("server"))[bidi], (await active("client"))[bidi]],
      (values) => values[0] === 0 && values[1] === 0,
      "the bidi call off both counters",
    );
    expect((await meters.collect()).get("rpc.server.active_requests")?.unit).toBe("{request}");
  });
});
