// The Prometheus families exactly as go-grpc-prometheus names, types and describes them
// (docs/telemetry.md#prometheus-metrics), the grpc_code spellings, zero series and the histograms.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { collect, rejection, useTestServer } from "../../support/harness.js";
import type { PrometheusOptions } from "protoc-gen-ts-otel-runtime";
import { samplesOf } from "../../support/exposition.js";
import type { Exposition } from "../../support/exposition.js";
import { CANONICAL_CODES, DEFAULT_BUCKETS, GO_CODES } from "../../support/grpc-codes.js";
import { countsOf, scrape, settledScrape, testMethod } from "../../support/grpc-counts.js";
import { prometheusTelemetry, serverCall } from "../../support/seam-call.js";
import { servePrometheusOnly } from "../../support/telemetry-options.js";
import { KINDS } from "../../support/call-kinds.js";

const start = useTestServer();

const serve = (options: PrometheusOptions = {}) => servePrometheusOnly(start, options);

const METHOD_LABELS = ["grpc_type", "grpc_service", "grpc_method"];
const CODE_LABELS = [...METHOD_LABELS, "grpc_code"];
const BUCKET_LABELS = [...METHOD_LABELS, "le"];

// docs/telemetry.md#prometheus-metrics, written out again so that a change to the runtime's table shows here.
const FAMILIES = [
  ["grpc_server_started_total", "counter", METHOD_LABELS, "Total number of RPCs started on the server."],
  ["grpc_server_handled_total", "counter", CODE_LABELS, "Total number of RPCs completed on the server, regardless of success or failure."],
  ["grpc_server_msg_received_total", "counter", METHOD_LABELS, "Total number of RPC stream messages received on the server."],
  ["grpc_server_msg_sent_total", "counter", METHOD_LABELS, "Total number of gRPC stream messages sent by the server."],
  ["grpc_server_handling_seconds", "histogram", METHOD_LABELS, "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server."],
  ["grpc_client_started_total", "counter", METHOD_LABELS, "Total number of RPCs started on the client."],
  ["grpc_client_handled_total", "counter", CODE_LABELS, "Total number of RPCs completed by the client, regardless of success or failure."],
  ["grpc_client_msg_received_total", "counter", METHOD_LABELS, "Total number of RPC stream messages received by the client."],
  ["grpc_client_msg_sent_total", "counter", METHOD_LABELS, "Total number of gRPC stream messages sent by the client."],
  ["grpc_client_handling_seconds", "histogram", METHOD_LABELS, "Histogram of response latency (seconds) of the gRPC until it is finished by the application."],
  ["grpc_client_msg_recv_handling_seconds", "histogram", METHOD_LABELS, "Histogram of response latency (seconds) of the gRPC single message receive."],
  ["grpc_client_msg_send_handling_seconds", "histogram", METHOD_LABELS, "Histogram of response latency (seconds) of the gRPC single message send."],
] as const;

/** The family a sample line belongs to: histogram lines drop their suffix. */
function familyOf(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, "");
}

function familyNames(exposition: Exposition): string[] {
  return [...exposition.types.keys()];
}

describe("Prometheus families", () => {
  it("have go-grpc-prometheus's names, types, help texts and labels, on servers and clients", async () => {
    const { registry } = await serve({ messageHistograms: true });
    const exposition = await scrape(registry);

    expect(familyNames(exposition).sort()).toEqual(FAMILIES.map(([name]) => name).sort());
    for (const [name, type, labels, help] of FAMILIES) {
      expect(exposition.types.get(name), name).toBe(type);
      expect(exposition.help.get(name), name).toBe(help);
      const lines = exposition.samples.filter((s) => familyOf(s.name) === name || s.name === name);
      expect(lines.length, name).toBeGreaterThan(0);
      for (const line of lines) {
        const expected = line.name.endsWith("_bucket") ? BUCKET_LABELS : labels;
        expect(Object.keys(line.labels), line.name).toEqual(expected);
      }
    }
  });

  it("spell grpc_code as grpc-go does by default", async () => {
    const { registry } = await serve();
    const exposition = await scrape(registry);
    for (const side of ["server", "client"]) {
      const codes = samplesOf(exposition, `grpc_${side}_handled_total`, testMethod("Unary")).map((s) => s.labels["grpc_code"]);
      expect(codes).toEqual(GO_CODES);
    }
  });

  it("spell grpc_code canonically when asked", async () => {
    const { registry, client } = await serve({ codeNames: "canonical" });
    await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: 5 }));
    const exposition = await settledScrape(registry, "Unary");
    for (const side of ["server", "client"] as const) {
      const codes = samplesOf(exposition, `grpc_${side}_handled_total`, testMethod("Unary")).map((s) => s.labels["grpc_code"]);
      expect(codes).toEqual(CANONICAL_CODES);
      expect(countsOf(exposition, side, "Unary").handled).toEqual({ NOT_FOUND: 1 });
    }
  });
});

describe("Prometheus status codes outside gRPC's 17", () => {
  it("count as Code(<n>) in either spelling", async () => {
    for (const codeNames of ["go", "canonical"] as const) {
      const registry = new Registry();
      serverCall(prometheusTelemetry({ registry, codeNames }), TestServiceDefinition.methods.unary, { startTime: 0, endTime: 1, code: 17 });
      const handled = samplesOf(await scrape(registry), "grpc_server_handled_total", testMethod("Unary"));
      expect(handled.filter((s) => s.value > 0).map((s) => s.labels["grpc_code"])).toEqual(["Code(17)"]);
    }
  });
});

describe("Prometheus zero series", () => {
  it("exist for every generated method on both sides before any call: started, messages, histogram, handled × 17", async () => {
    const { registry } = await serve();
    const exposition = await scrape(registry);
    for (const side of ["server", "client"] as const) {
      for (const kind of KINDS) {
        const labels = { grpc_type: kind.type, ...testMethod(kind.method) };
        expect(countsOf(exposition, side, kind.method), `${side} ${kind.method}`).toEqual({ started: 0, received: 0, sent: 0, handled: {}, timed: 0 });
        expect(samplesOf(exposition, `grpc_${side}_handled_total`, labels)).toHaveLength(17);
        expect(samplesOf(exposition, `grpc_${side}_handling_seconds_bucket`, labels).map((s) => s.labels["le"])).toEqual(DEFAULT_BUCKETS);
      }
    }
  });

  it("are left out when turned off: a series appears once it moves", async () => {
    const { registry, client } = await serve({ zeroSeries: false });
    expect((await scrape(registry)).samples).toEqual([]);

    await client.unary({ text: "one" });
    const exposition = await settledScrape(registry, "Unary");
    expect(new Set(exposition.samples.map((s) => s.labels["grpc_method"]))).toEqual(new Set(["Unary"]));
    for (const side of ["server", "client"] as const) {
      expect(samplesOf(exposition, `grpc_${side}_handled_total`).map((s) => s.labels["grpc_code"])).toEqual(["OK"]);
    }
  });
});

describe("Prometheus histograms", () => {
  it("time every call, on both sides, in the default buckets with 0.25 among them", async () => {
    const { registry, client } = await serve();
    await client.unary({ text: "timed" });
    const exposition = await settledScrape(registry, "Unary");
    for (const side of ["server", "client"]) {
      const buckets = samplesOf(exposition, `grpc_${side}_handling_seconds_bucket`, testMethod("Unary"));
      expect(buckets.map((s) => s.labels["le"])).toEqual(DEFAULT_BUCKETS);
      expect(buckets.at(-1)?.value).toBe(1);
      // Cumulative, ending in the count.
      expect(buckets.map((s) => s.value)).toEqual([...buckets.map((s) => s.value)].sort((a, b) => a - b));
      expect(samplesOf(exposition, `grpc_${side}_handling_seconds_sum`, testMethod("Unary"))[0]?.value).toBeGreaterThan(0);
    }
  });

  it("count a call of exactly 0.25 s in the le=\"0.25\" bucket: bounds are inclusive", async () => {
    const registry = new Registry();
    const prometheus = prometheusTelemetry({ registry });
    serverCall(prometheus, TestServiceDefinition.methods.unary, { startTime: 1_000, endTime: 1_250, code: 0 });
    const buckets = samplesOf(await scrape(registry), "grpc_server_handling_seconds_bucket", testMethod("Unary"));
    expect(Object.fromEntries(buckets.map((s) => [s.labels["le"], s.value]))).toMatchObject({ "0.1": 0, "0.25": 1, "+Inf": 1 });
  });

  it("take the configured buckets", async () => {
    const { registry } = await serve({ buckets: [1, 0.25, 0.1] });
    const exposition = await scrape(registry);
    const buckets = samplesOf(exposition, "grpc_server_handling_seconds_bucket", testMethod("Unary"));
    expect(buckets.map((s) => s.labels["le"])).toEqual(["0.1", "0.25", "1", "+Inf"]);
  });

  it("can be turned off", async () => {
    const { registry } = await serve({ handlingHistogram: false });
    const names = familyNames(await scrape(registry));
    expect(names.filter((name) => name.includes("seconds"))).toEqual([]);
    expect(names).toHaveLength(8);
  });

  it("time each message a client sends and receives when asked, and not by default", async () => {
    const off = await serve();
    expect(familyNames(await scrape(off.registry)).filter((name) => name.includes("msg_"))).not.toContain("grpc_client_msg_send_handling_seconds");

    const { registry, client } = await serve({ messageHistograms: true });
    const { messages } = await collect(client.bidiStream([{ text: "a", count: 2 }, { text: "b" }, { text: "c" }]));
    expect(messages).toHaveLength(4);
    const exposition = await settledScrape(registry, "BidiStream");
    const count = (name: string): number | undefined => samplesOf(exposition, name, testMethod("BidiStream"))[0]?.value;
    expect(count("grpc_client_msg_send_handling_seconds_count")).toBe(3);
    expect(count("grpc_client_msg_recv_handling_seconds_count")).toBe(4);
    expect(familyNames(exposition).filter((name) => name.startsWith("grpc_server_msg_") && name.endsWith("_seconds"))).toEqual([]);
  });
});
