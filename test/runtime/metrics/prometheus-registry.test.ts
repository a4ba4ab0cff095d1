// Registry handling: injectable, prom-client's global `register` by default, `false`
// for none; any number of clients and servers, re-created or reloaded, share one set of
// families and never throw "already been registered" nor split a count.
import { Server, credentials } from "@grpc/grpc-js";
import { AggregatorRegistry, Counter, Registry, register } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestServiceClient, addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, startTestServer, useTestServer } from "../../support/harness.js";
import { captureDiag } from "../../support/diag-capture.js";
import { parseExposition, samplesOf, valueOf } from "../../support/exposition.js";
import { countsOf, scrape, settledScrape, testMethod } from "../../support/grpc-counts.js";
import { prometheusOnly } from "../../support/telemetry-options.js";

const start = useTestServer();
const diagnostics = captureDiag();

const OUR_FAMILIES = [
  "grpc_server_started_total",
  "grpc_server_handled_total",
  "grpc_server_msg_received_total",
  "grpc_server_msg_sent_total",
  "grpc_server_handling_seconds",
  "grpc_client_started_total",
  "grpc_client_handled_total",
  "grpc_client_msg_received_total",
  "grpc_client_msg_sent_total",
  "grpc_client_handling_seconds",
];

describe("the default registry", () => {
  // prom-client's global registry outlives a test: start and end each test without ours.
  const removeOurs = (): void => OUR_FAMILIES.forEach((name) => register.removeSingleMetric(name));
  beforeEach(removeOurs);
  afterEach(removeOurs);

  it("is prom-client's global register", async () => {
    const { client } = await start(behaviorHandlers(), {
      server: { telemetry: { tracing: false, metrics: false } },
      client: { telemetry: { tracing: false, metrics: false } },
    });
    await client.unary({ text: "global" });
    const exposition = await settledScrape(register, "Unary");
    expect(countsOf(exposition, "server", "Unary")).toEqual({ started: 1, received: 1, sent: 1, handled: { OK: 1 }, timed: 1 });
    expect(countsOf(exposition, "client", "Unary")).toEqual({ started: 1, received: 1, sent: 1, handled: { OK: 1 }, timed: 1 });
  });

  it("gets nothing with `prometheus: false` or `telemetry: false`", async () => {
    const { client } = await start(behaviorHandlers(), {
      server: { telemetry: { tracing: false, metrics: false, prometheus: false } },
      client: { telemetry: false },
    });
    await client.unary({ text: "quiet" });
    expect(OUR_FAMILIES.map((name) => register.getSingleMetric(name))).toEqual(OUR_FAMILIES.map(() => undefined));
  });
});

describe("one registry, many clients and servers", () => {
  it("adds up the calls of two servers and two clients of the same methods", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const a = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    const b = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await a.client.unary({ text: "a" });
    await b.client.unary({ text: "b" });
    await b.client.unary({ text: "b again" });

    const exposition = await settledScrape(registry, "Unary", 3);
    expect(countsOf(exposition, "server", "Unary")).toEqual({ started: 3, received: 3, sent: 3, handled: { OK: 3 }, timed: 3 });
    expect(countsOf(exposition, "client", "Unary")).toEqual({ started: 3, received: 3, sent: 3, handled: { OK: 3 }, timed: 3 });
    // One series per method and code, not one per server.
    expect(samplesOf(exposition, "grpc_server_handled_total", testMethod("Unary"))).toHaveLength(17);
  });

  it("keeps counting across re-creation: the counts of the old server and client stay, the new ones add", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const first = await startTestServer(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await first.client.unary({ text: "before" });
    first.close();
    const second = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await second.client.unary({ text: "after" });

    const exposition = await settledScrape(registry, "Unary", 2);
    expect(countsOf(exposition, "server", "Unary").handled).toEqual({ OK: 2 });
    expect(countsOf(exposition, "client", "Unary").handled).toEqual({ OK: 2 });
  });

  it("survives a hot reload loop without registering anything twice", () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    for (let reload = 0; reload < 50; reload++) {
      const server = new Server();
      expect(() => addTestService(server, behaviorHandlers(), { telemetry })).not.toThrow();
      new TestServiceClient("127.0.0.1:1", credentials.createInsecure(), { telemetry }).close();
      server.forceShutdown();
    }
    expect(diagnostics).toEqual([]);
    expect(registry.getMetricsAsArray()).toHaveLength(OUR_FAMILIES.length);
  });

  it("registers the families again after registry.clear(), with fresh counts", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const first = await startTestServer(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await first.client.unary({ text: "cleared" });
    first.close();
    registry.clear();
    expect((await scrape(registry)).samples).toEqual([]);

    const second = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await second.client.unary({ text: "fresh" });
    const exposition = await settledScrape(registry, "Unary");
    expect(countsOf(exposition, "server", "Unary").handled).toEqual({ OK: 1 });
  });

  it("goes back to zero on registry.resetMetrics(), keeping the series", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await client.unary({ text: "one" });
    await settledScrape(registry, "Unary");
    registry.resetMetrics();

    const reset = await scrape(registry);
    expect(countsOf(reset, "server", "Unary")).toEqual({ started: 0, received: 0, sent: 0, handled: {}, timed: 0 });
    expect(samplesOf(reset, "grpc_server_handled_total", testMethod("Unary"))).toHaveLength(17);
    await client.unary({ text: "two" });
    expect(countsOf(await settledScrape(registry, "Unary"), "server", "Unary").handled).toEqual({ OK: 1 });
  });

  it("reports a name taken by someone else's metric once through diag, and the calls go on", async () => {
    const registry = new Registry();
    new Counter({ name: "grpc_server_started_total", help: "not ours", labelNames: ["x"], registers: [registry] });
    const telemetry = prometheusOnly(registry);
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry: false } });
    await expect(client.unary({ text: "still works" })).resolves.toMatchObject({ text: "still works" });
    await expect(collect(client.serverStream({ text: "and this" }))).resolves.toMatchObject({ error: undefined });

    expect(diagnostics.filter((d) => d.level === "error")).toHaveLength(1);
    expect(diagnostics[0]?.message).toContain("Prometheus");
  });

  it("warns once when a later client or server asks for another shape, and keeps the first", async () => {
    const registry = new Registry();
    const first = await start(behaviorHandlers(), { server: { telemetry: prometheusOnly(registry) }, client: { telemetry: false } });
    const other = prometheusOnly(registry, { codeNames: "canonical", buckets: [1] });
    const second = await start(behaviorHandlers(), { server: { telemetry: other }, client: { telemetry: false } });
    const third = await start(behaviorHandlers(), { server: { telemetry: other }, client: { telemetry: false } });
    await first.client.unary({ text: "w" });
    await second.client.unary({ text: "x" });
    await third.client.unary({ text: "y" });

    expect(diagnostics.filter((d) => d.level === "warn")).toHaveLength(1);
    const exposition = await scrape(registry);
    expect(valueOf(exposition, "grpc_server_handled_total", { ...testMethod("Unary"), grpc_code: "OK" })).toBe(3);
    expect(samplesOf(exposition, "grpc_server_handling_seconds_bucket", testMethod("Unary"))).toHaveLength(12);
  });

  it("aggregates across cluster workers like prom-client's own metrics", async () => {
    const registry = new Registry();
    const telemetry = prometheusOnly(registry);
    const { client } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    await client.unary({ text: "worker" });
    await settledScrape(registry, "Unary");
    const worker = await registry.getMetricsAsJSON();
    const aggregated = AggregatorRegistry.aggregate([worker, worker]);

    const exposition = parseExposition(await aggregated.metrics());
    expect(valueOf(exposition, "grpc_server_handled_total", { ...testMethod("Unary"), grpc_code: "OK" })).toBe(2);
    expect(valueOf(exposition, "grpc_server_handling_seconds_count", testMethod("Unary"))).toBe(2);
    expect(valueOf(exposition, "grpc_server_handled_total", { ...testMethod("Unary"), grpc_code: "NotFound" })).toBe(0);
  });
});
