// OpenTelemetry metrics (docs/telemetry.md#opentelemetry-metrics): the call duration histograms of each
// convention mode with their exact attributes, units and bucket advice; durations that
// equal the span's; the injected or global MeterProvider; the opt-in families.
import { create, toBinary } from "@bufbuild/protobuf";
import { createNoopMeter, metrics } from "@opentelemetry/api";
import type { Attributes, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { TelemetryObserver, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { Behavior, UnaryRequestSchema, UnaryResponseSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, rejection, useTestServer, waitFor } from "../../support/harness.js";
import { RecordingTelemetry, ends } from "../../support/recording-telemetry.js";
import type { ObservedCall } from "../../support/recording-telemetry.js";
import { testMeters } from "../../support/metric-reader.js";
import type { CollectedMetric, TestMeters } from "../../support/metric-reader.js";
import { pollUntil } from "../../support/poll.js";
import { otelMetricsOnly } from "../../support/telemetry-options.js";

const start = useTestServer();

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const UNARY = "tsotel.testing.v1.TestService/Unary";

async function serve(meters: TestMeters, options: { semconv?: TelemetryOptions["semconv"]; a66?: boolean; messageSizes?: boolean; observers?: TelemetryObserver[] } = {}) {
  const telemetry: TelemetryOptions = {
    ...otelMetricsOnly({ meterProvider: meters.meterProvider, a66: options.a66, messageSizes: options.messageSizes }, options.semconv),
    observers: options.observers,
  };
  return start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
}

/** Collects once both sides have recorded `calls` calls in `metric`. */
async function collected(meters: TestMeters, metric: string, calls: number): Promise<Map<string, CollectedMetric>> {
  const recorded = (metrics: Map<string, CollectedMetric>, name: string): number => metrics.get(name)?.histogram.reduce((n, p) => n + p.count, 0) ?? 0;
  const server = metric.replace("client", "server");
  const client = metric.replace("server", "client");
  return pollUntil(() => meters.collect(), (metrics) => recorded(metrics, server) >= calls && recorded(metrics, client) >= calls, `${calls} calls in ${metric}`);
}

function points(metrics: Map<string, CollectedMetric>, name: string): CollectedMetric["histogram"] {
  const metric = metrics.get(name);
  if (metric === undefined) {
    throw new Error(`no metric ${name}; have ${[...metrics.keys()].join(", ")}`);
  }
  return metric.histogram;
}

describe("OpenTelemetry call durations, new conventions (the default)", () => {
  it("record rpc.server.call.duration and rpc.client.call.duration in seconds with the bucket advice and exact attributes", async () => {
    const meters = testMeters();
    const { client, port } = await serve(meters);
    await client.unary({ text: "ok" });
    const all = await collected(meters, "rpc.server.call.duration", 1);

    expect([...all.keys()].sort()).toEqual(["rpc.client.call.duration", "rpc.server.call.duration"]);
    for (const name of ["rpc.server.call.duration", "rpc.client.call.duration"]) {
      expect(all.get(name)?.unit).toBe("s");
      expect(points(all, name).map((p) => p.boundaries)).toEqual([DURATION_BUCKETS]);
    }
    expect(points(all, "rpc.server.call.duration").map((p) => p.attributes)).toEqual([
      { "rpc.system.name": "grpc", "rpc.method": UNARY, "rpc.response.status_code": "OK" },
    ]);
    expect(points(all, "rpc.client.call.duration").map((p) => p.attributes)).toEqual([
      { "rpc.system.name": "grpc", "rpc.method": UNARY, "rpc.response.status_code": "OK", "server.address": "127.0.0.1", "server.port": port },
    ]);
  });

  it("give error.type to what each side counts as an error: every failure on clients, server faults on servers", async () => {
    const meters = testMeters();
    const { client } = await serve(meters);
    await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }));
    await rejection(client.unary({ behavior: Behavior.THROW }));
    const all = await collected(meters, "rpc.server.call.duration", 2);

    const statuses = (name: string) =>
      points(all, name)
        .map((p) => [p.attributes["rpc.response.status_code"], p.attributes["error.type"]])
        .sort();
    expect(statuses("rpc.server.call.duration")).toEqual([["NOT_FOUND", undefined], ["UNKNOWN", "UNKNOWN"]]);
    expect(statuses("rpc.client.call.duration")).toEqual([["NOT_FOUND", "NOT_FOUND"], ["UNKNOWN", "UNKNOWN"]]);
  });

  it("take the error codes of the options", async () => {
    const meters = testMeters();
    const telemetry = otelMetricsOnly({ meterProvider: meters.meterProvider, errorCodes: [Code.NOT_FOUND] });
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }));
    await rejection(client.unary({ behavior: Behavior.THROW }));
    const all = await collected(meters, "rpc.server.call.duration", 2);

    for (const name of ["rpc.server.call.duration", "rpc.client.call.duration"]) {
      const errors = points(all, name).map((p) => p.attributes["error.type"]).filter((e) => e !== undefined);
      expect(errors, name).toEqual(["NOT_FOUND"]);
    }
  });

  it("record exactly the span's duration: the observers' start and end instants", async () => {
    const meters = testMeters();
    const recording = new RecordingTelemetry();
    const { client } = await serve(meters, { observers: [recording] });
    await client.unary({ text: "timed" });
    const all = await collected(meters, "rpc.server.call.duration", 1);

    const duration = (call: ObservedCall): number => ((ends(call)[0]?.endTime ?? NaN) - call.start.startTime) / 1000;
    expect(points(all, "rpc.server.call.duration")[0]?.sum).toBe(duration(recording.only("server")));
    expect(points(all, "rpc.client.call.duration")[0]?.sum).toBe(duration(recording.only("client")));
  });
});

describe("OpenTelemetry call durations, legacy and dup conventions", () => {
  it("record rpc.server.duration and rpc.client.duration in milliseconds with the legacy attributes in legacy mode", async () => {
    const meters = testMeters();
    const { client } = await serve(meters, { semconv: "legacy" });
    await client.unary({ text: "old" });
    const all = await collected(meters, "rpc.server.duration", 1);

    expect([...all.keys()].sort()).toEqual(["rpc.client.duration", "rpc.server.duration"]);
    for (const name of ["rpc.server.duration", "rpc.client.duration"]) {
      expect(all.get(name)?.unit).toBe("ms");
      expect(points(all, name).map((p) => p.attributes)).toEqual([
        { "rpc.system": "grpc", "rpc.service": "tsotel.testing.v1.TestService", "rpc.method": "Unary", "rpc.grpc.status_code": 0 },
      ]);
    }
  });

  it("record both families in dup mode, the same call in seconds and in milliseconds", async () => {
    const meters = testMeters();
    const { client } = await serve(meters, { semconv: "dup" });
    await client.unary({ text: "both" });
    const all = await collected(meters, "rpc.server.duration", 1);
    await collected(meters, "rpc.server.call.duration", 1);

    expect([...all.keys()].sort()).toEqual(["rpc.client.call.duration", "rpc.client.duration", "rpc.server.call.duration", "rpc.server.duration"]);
    for (const side of ["server", "client"]) {
      const [seconds] = points(all, `rpc.${side}.call.duration`);
      const [milliseconds] = points(all, `rpc.${side}.duration`);
      expect(seconds?.sum).toBeCloseTo((milliseconds?.sum ?? NaN) / 1000, 12);
    }
  });

  it("follow OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup when no mode is given", async () => {
    const saved = process.env["OTEL_SEMCONV_STABILITY_OPT_IN"];
    process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] = "http, rpc/dup";
    try {
      const meters = testMeters();
      const { client } = await serve(meters);
      await client.unary({ text: "env" });
      const all = await collected(meters, "rpc.server.duration", 1);
      expect(all.has("rpc.server.call.duration")).toBe(true);
    } finally {
      if (saved === undefined) {
        delete process.env["OTEL_SEMCONV_STABILITY_OPT_IN"];
      } else {
        process.env["OTEL_SEMCONV_STABILITY_OPT_IN"] = saved;
      }
    }
  });
});

describe("the MeterProvider", () => {
  afterEach(() => {
    metrics.disable();
  });

  it("is the global one when none is given", async () => {
    const meters = testMeters();
    metrics.setGlobalMeterProvider(meters.meterProvider);
    const telemetry = otelMetricsOnly({});
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await client.unary({ text: "global" });
    const all = await collected(meters, "rpc.server.call.duration", 1);
    expect(points(all, "rpc.client.call.duration")).toHaveLength(1);
  });

  it("hands every call of a method and status the same attribute object, built once", async () => {
    const recorded: Attributes[] = [];
    const recording: Histogram = { record: (_value, attributes) => recorded.push(attributes ?? {}) };
    const meter: Meter = { ...createNoopMeter(), createHistogram: () => recording };
    const meterProvider: MeterProvider = { getMeter: () => meter };
    const telemetry = otelMetricsOnly({ meterProvider });
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry: false } });
    for (let i = 0; i < 3; i++) {
      await client.unary({ text: `call ${i}` });
    }
    await waitFor(() => recorded.length === 3, "three recorded calls");
    expect(new Set(recorded).size).toBe(1);
    expect(Object.isFrozen(recorded[0])).toBe(true);
  });
});

describe("the optional families", () => {
  it("are off by default", async () => {
    const meters = testMeters();
    const { client } = await serve(meters);
    await collect(client.serverStream({ text: "s", count: 3 }));
    const all = await collected(meters, "rpc.server.call.duration", 1);
    expect([...all.keys()].filter((name) => name.startsWith("grpc.") || name.endsWith(".size") || name.endsWith("_per_rpc"))).toEqual([]);
  });

  it("gRFC A66: started calls and attempts, durations and total message bytes per call, with grpc.method, grpc.status and grpc.target", async () => {
    const meters = testMeters();
    const { client, address } = await serve(meters, { a66: true });
    const request = { text: "a66" };
    await client.unary(request);
    const all = await collected(meters, "grpc.server.call.duration", 1);
    const requestBytes = toBinary(UnaryRequestSchema, create(UnaryRequestSchema, request)).length;
    const responseBytes = toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "a66", count: 1 })).length;
    const target = all.get("grpc.client.attempt.started")?.sum[0]?.attributes["grpc.target"];
    expect(String(target)).toContain(address);

    const server = { "grpc.method": UNARY };
    const client_ = { "grpc.method": UNARY, "grpc.target": target };
    expect(all.get("grpc.server.call.started")?.sum).toEqual([{ attributes: server, value: 1 }]);
    expect(all.get("grpc.client.attempt.started")?.sum).toEqual([{ attributes: client_, value: 1 }]);
    const totals = (name: string) => points(all, name).map((p) => [p.attributes, p.count, p.sum]);
    expect(totals("grpc.server.call.rcvd_total_compressed_message_size")).toEqual([[{ ...server, "grpc.status": "OK" }, 1, requestBytes]]);
    expect(totals("grpc.server.call.sent_total_compressed_message_size")).toEqual([[{ ...server, "grpc.status": "OK" }, 1, responseBytes]]);
    expect(totals("grpc.client.attempt.sent_total_compressed_message_size")).toEqual([[{ ...client_, "grpc.status": "OK" }, 1, requestBytes]]);
    expect(totals("grpc.client.attempt.rcvd_total_compressed_message_size")).toEqual([[{ ...client_, "grpc.status": "OK" }, 1, responseBytes]]);
    for (const name of ["grpc.server.call.duration", "grpc.client.attempt.duration", "grpc.client.call.duration"]) {
      expect(all.get(name)?.unit).toBe("s");
      expect(points(all, name).map((p) => p.boundaries[1])).toEqual([0.00001]);
    }
    expect(points(all, "grpc.client.attempt.duration")[0]?.sum).toBe(points(all, "grpc.client.call.duration")[0]?.sum);
  });

  it("message sizes: every message's exact serialized size, and messages per call", async () => {
    const meters = testMeters();
    const { client } = await serve(meters, { messageSizes: true });
    const request = { text: "sized", payload: new Uint8Array(100) };
    await client.unary(request);
    const all = await collected(meters, "rpc.server.call.duration", 1);
    const requestBytes = toBinary(UnaryRequestSchema, create(UnaryRequestSchema, request)).length;
    const responseBytes = toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "sized", payload: request.payload, count: 1 })).length;

    const summary = (name: string) => points(all, name).map((p) => [p.count, p.sum]);
    expect(summary("rpc.server.request.size")).toEqual([[1, requestBytes]]);
    expect(summary("rpc.server.response.size")).toEqual([[1, responseBytes]]);
    expect(summary("rpc.client.request.size")).toEqual([[1, requestBytes]]);
    expect(summary("rpc.client.response.size")).toEqual([[1, responseBytes]]);
    for (const name of ["rpc.server.requests_per_rpc", "rpc.server.responses_per_rpc", "rpc.client.requests_per_rpc", "rpc.client.responses_per_rpc"]) {
      expect(summary(name), name).toEqual([[1, 1]]);
    }
    expect(all.get("rpc.server.request.size")?.unit).toBe("By");
    expect(points(all, "rpc.server.request.size")[0]?.attributes).toEqual({ "rpc.system.name": "grpc", "rpc.method": UNARY });
    expect(points(all, "rpc.server.requests_per_rpc")[0]?.attributes).toEqual({ "rpc.system.name": "grpc", "rpc.method": UNARY, "rpc.response.status_code": "OK" });
  });
});
