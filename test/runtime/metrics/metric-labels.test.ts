// Metric labels lifted from enum and bool request fields (the `metric_labels` proto
// option), over real sockets: on both sides' Prometheus families, with zero series for
// every value and _OTHER from the start; _OTHER for an enum number the proto does not
// declare and for a request that does not parse; as attributes on the OpenTelemetry
// duration histograms, one cached attribute object per combination and code; and no
// label on methods that do not ask for one.
import { Client, Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import type { Attributes, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import { createNoopMeter } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { RpcError, Code } from "protoc-gen-ts-otel-runtime";
import { afterEach, describe, expect, it } from "vitest";
import { CheckoutServiceClient, CheckoutServiceDefinition, addCheckoutService } from "../../../golden/slo/slo/v1/checkout_otel.js";
import type { CheckoutServiceHandlers } from "../../../golden/slo/slo/v1/checkout_otel.js";
import { Priority } from "../../../golden/slo/slo/v1/checkout_pb.js";
import { parseExposition } from "../../support/exposition.js";
import type { ExpositionSample } from "../../support/exposition.js";
import { testMeters } from "../../support/metric-reader.js";
import { bindLocal } from "../../support/listen.js";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

const handlers: CheckoutServiceHandlers = {
  placeOrder: (request) => ({ orderId: request.cartId }),
  getCart: () => ({ skus: [] }),
  findProduct: () => {
    throw new RpcError(Code.NOT_FOUND, "no such product");
  },
  quote: () => ({ cents: 100n }),
  async *watchOrder() {
    yield { status: "shipped" };
  },
  ping: () => ({}),
};

async function serve(telemetry: Parameters<typeof addCheckoutService>[2]): Promise<string> {
  const server = new Server();
  addCheckoutService(server, handlers, telemetry);
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  cleanup.push(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

async function prometheusPair(): Promise<{ registry: Registry; client: CheckoutServiceClient; address: string }> {
  const registry = new Registry();
  const telemetry = { tracing: false as const, metrics: false as const, prometheus: { registry } };
  const address = await serve({ telemetry });
  const client = new CheckoutServiceClient(address, credentials.createInsecure(), { telemetry });
  cleanup.push(() => client.close());
  return { registry, client, address };
}

async function samples(registry: Registry, name: string, method: string): Promise<ExpositionSample[]> {
  return parseExposition(await registry.metrics()).samples.filter((s) => s.name === name && s.labels["grpc_method"] === method);
}

const PRIORITIES = ["PRIORITY_UNSPECIFIED", "PRIORITY_STANDARD", "PRIORITY_EXPRESS", "_OTHER"];
const GIFTS = ["false", "true", "_OTHER"];

describe("metric labels on the Prometheus families", () => {
  it("exist at zero for every value and _OTHER, crossed, on both sides, before any call", async () => {
    const { registry } = await prometheusPair();
    for (const side of ["server", "client"]) {
      const handled = await samples(registry, `grpc_${side}_handled_total`, "PlaceOrder");
      // 4 priorities × 3 gift values × 17 codes.
      expect(handled).toHaveLength(4 * 3 * 17);
      expect(new Set(handled.map((s) => s.labels["order_priority"]))).toEqual(new Set(PRIORITIES));
      expect(new Set(handled.map((s) => s.labels["gift"]))).toEqual(new Set(GIFTS));
      expect(handled.every((s) => s.value === 0)).toBe(true);
      const started = await samples(registry, `grpc_${side}_started_total`, "PlaceOrder");
      expect(started).toHaveLength(12);
      // Histogram series too: every bucket of every combination.
      const buckets = await samples(registry, `grpc_${side}_handling_seconds_bucket`, "PlaceOrder");
      expect(buckets.filter((s) => s.labels["le"] === "0.25")).toHaveLength(12);
    }
  });

  it("count each call under its request's values", async () => {
    const { registry, client } = await prometheusPair();
    await client.placeOrder({ cartId: "a", priority: Priority.EXPRESS, gift: true });
    await client.placeOrder({ cartId: "b", priority: Priority.EXPRESS, gift: true });
    await client.placeOrder({ cartId: "c", priority: Priority.STANDARD });
    for (const side of ["server", "client"]) {
      const ok = (await samples(registry, `grpc_${side}_handled_total`, "PlaceOrder")).filter((s) => s.labels["grpc_code"] === "OK" && s.value > 0);
      expect(ok.map((s) => [s.labels["order_priority"], s.labels["gift"], s.value]).sort()).toEqual([
        ["PRIORITY_EXPRESS", "true", 2],
        ["PRIORITY_STANDARD", "false", 1],
      ]);
      const counts = (await samples(registry, `grpc_${side}_handling_seconds_count`, "PlaceOrder")).filter((s) => s.value > 0);
      expect(counts.map((s) => [s.labels["order_priority"], s.labels["gift"], s.value]).sort()).toEqual([
        ["PRIORITY_EXPRESS", "true", 2],
        ["PRIORITY_STANDARD", "false", 1],
      ]);
    }
  });

  it("count an enum number the proto does not declare as _OTHER", async () => {
    const { registry, client } = await prometheusPair();
    await client.placeOrder({ cartId: "a", priority: 7 as Priority });
    const server = (await samples(registry, "grpc_server_started_total", "PlaceOrder")).filter((s) => s.value > 0);
    expect(server.map((s) => s.labels)).toEqual([expect.objectContaining({ order_priority: "_OTHER", gift: "false" })]);
  });

  it("count a request that does not parse as _OTHER everywhere on the server", async () => {
    const { registry, address } = await prometheusPair();
    const raw = new Client(address, credentials.createInsecure());
    cleanup.push(() => raw.close());
    const bytes = (buffer: Buffer): Buffer => buffer;
    // Field 1 (cart_id) announces 5 bytes and has none.
    const error = await new Promise<unknown>((resolve) => {
      raw.makeUnaryRequest(CheckoutServiceDefinition.methods.placeOrder.path, bytes, bytes, Buffer.from([0x0a, 0x05]), (err) => resolve(err));
    });
    expect(RpcError.from(error).code).toBe(Code.INTERNAL);
    const internal = (await samples(registry, "grpc_server_handled_total", "PlaceOrder")).filter((s) => s.value > 0);
    expect(internal.map((s) => s.labels)).toEqual([expect.objectContaining({ order_priority: "_OTHER", gift: "_OTHER", grpc_code: "Internal" })]);
  });

  it("leave methods without metric_labels as they were", async () => {
    const { registry, client } = await prometheusPair();
    await client.getCart({ cartId: "a" });
    const handled = await samples(registry, "grpc_server_handled_total", "GetCart");
    expect(handled).toHaveLength(17);
    expect(Object.keys(handled[0]?.labels ?? {}).sort()).toEqual(["grpc_code", "grpc_method", "grpc_service", "grpc_type"]);
  });
});

describe("metric labels on the OpenTelemetry duration histograms", () => {
  it("are attributes of rpc.server.call.duration and rpc.client.call.duration, not of other instruments", async () => {
    const meters = testMeters();
    const telemetry = { tracing: false as const, prometheus: false as const, metrics: { meterProvider: meters.meterProvider, messageSizes: true } };
    const address = await serve({ telemetry });
    const client = new CheckoutServiceClient(address, credentials.createInsecure(), { telemetry });
    cleanup.push(() => client.close());
    await client.placeOrder({ cartId: "a", priority: Priority.EXPRESS, gift: true });
    const collected = await meters.collect();
    for (const name of ["rpc.server.call.duration", "rpc.client.call.duration"]) {
      expect(collected.get(name)?.histogram.map((p) => p.attributes), name).toEqual([
        expect.objectContaining({ "rpc.method": "slo.v1.CheckoutService/PlaceOrder", "order.priority": "PRIORITY_EXPRESS", gift: "true" }),
      ]);
    }
    expect(collected.get("rpc.server.request.size")?.histogram[0]?.attributes).not.toHaveProperty("order.priority");
  });

  it("reach the histogram as one cached attribute object per combination and code, never built per call", async () => {
    const recorded: Attributes[] = [];
    const histogram = { record: (_value: number, attributes?: Attributes) => recorded.push(attributes ?? {}) } as unknown as Histogram;
    // The API's no-op meter, but for the histograms, which record what they are given.
    const meter: Meter = Object.assign(Object.create(createNoopMeter()) as Meter, { createHistogram: () => histogram });
    const meterProvider: MeterProvider = { getMeter: () => meter };
    const telemetry = { tracing: false as const, prometheus: false as const, metrics: { meterProvider } };
    const address = await serve({ telemetry });
    const client = new CheckoutServiceClient(address, credentials.createInsecure(), { telemetry: false });
    cleanup.push(() => client.close());
    await client.placeOrder({ cartId: "a", priority: Priority.EXPRESS });
    await client.placeOrder({ cartId: "b", priority: Priority.EXPRESS });
    await client.placeOrder({ cartId: "c", priority: Priority.STANDARD });
    expect(recorded).toHaveLength(3);
    expect(recorded[0]).toBe(recorded[1]);
    expect(recorded[2]).not.toBe(recorded[0]);
    expect(recorded[2]).toMatchObject({ "order.priority": "PRIORITY_STANDARD", gift: "false" });
  });
});
