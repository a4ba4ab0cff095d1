// The tsotel.v1 proto options at work: request fields lifted into attributes on both
// spans, at span start, and the per-method switches (tracing, metrics, message events)
// taking effect over a real socket.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan, Sampler, SamplingResult } from "@opentelemetry/sdk-trace-base";
import { SamplingDecision } from "@opentelemetry/sdk-trace-base";
import type { Attributes, Context, Link, SpanKind as SpanKindType } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { OrderServiceClient, addOrderService } from "../../golden/options/shop/v1/orders_otel.js";
import { OrderStatus } from "../../golden/options/shop/v1/orders_pb.js";
import { LegacyOrderServiceClient, addLegacyOrderService } from "../../golden/options/shop/v1/legacy_orders_otel.js";
import { useTracing } from "../support/tracing-harness.js";
import { bindLocal } from "../support/listen.js";

const tracing = useTracing();
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

async function listen(server: Server): Promise<string> {
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  cleanup.push(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

async function orders(registry: Registry): Promise<OrderServiceClient> {
  const telemetry = { tracing: { tracerProvider: tracing.provider }, metrics: false as const, prometheus: { registry } };
  const server = new Server();
  addOrderService(
    server,
    {
      getOrder: (request) => ({ orderId: request.orderId, status: OrderStatus.OPEN }),
      async *watchOrder() {
        yield { status: OrderStatus.OPEN };
        yield { status: OrderStatus.SHIPPED };
      },
      async uploadItems(requests) {
        let count = 0;
        for await (const _ of requests) count++;
        return { count };
      },
      ping: () => ({}),
    },
    { telemetry },
  );
  const client = new OrderServiceClient(await listen(server), credentials.createInsecure(), { telemetry });
  cleanup.push(() => client.close());
  return client;
}

const sides = (spans: ReadableSpan[], name: string) => ({
  client: spans.find((s) => s.name === name && s.kind === SpanKind.CLIENT),
  server: spans.find((s) => s.name === name && s.kind === SpanKind.SERVER),
});

describe("span attributes from the proto", () => {
  it("lift scalars, int64 as a string, enums by name, nested and oneof fields onto both spans", async () => {
    const client = await orders(new Registry());
    await client.getOrder({
      orderId: "o-1",
      customerId: 9007199254740993n,
      status: OrderStatus.SHIPPED,
      filter: { region: "eu-west", channel: "web" },
      lookup: { case: "sku", value: "SKU-7" },
      cardNumber: "4111 1111 1111 1111",
    });
    const { client: clientSpan, server: serverSpan } = sides(await tracing.ended(2), "shop.v1.OrderService/GetOrder");
    for (const span of [clientSpan, serverSpan]) {
      expect(span?.attributes).toMatchObject({
        "order.id": "o-1",
        "customer.id": "9007199254740993",
        "order.status": "ORDER_STATUS_SHIPPED",
        "order.region": "eu-west",
        "order.channel": "web",
        "order.lookup_sku": "SKU-7",
      });
      // Unset proto3 optional: no attribute. Redacted field: never.
      expect(span?.attributes).not.toHaveProperty("order.coupon");
      expect(JSON.stringify(span?.attributes)).not.toContain("4111");
    }
  });

  it("leave unset fields, unset messages and other oneof cases out", async () => {
    const client = await orders(new Registry());
    await client.getOrder({ orderId: "o-2", lookup: { case: "line", value: 3 }, coupon: "SAVE" });
    const { server } = sides(await tracing.ended(2), "shop.v1.OrderService/GetOrder");
    expect(server?.attributes).toMatchObject({ "order.id": "o-2", "order.coupon": "SAVE", "order.status": "ORDER_STATUS_UNSPECIFIED" });
    for (const absent of ["order.region", "order.channel", "order.lookup_sku"]) {
      expect(server?.attributes).not.toHaveProperty(absent);
    }
  });

  it("are there when the sampler decides", async () => {
    const seen: Attributes[] = [];
    const recording: Sampler = {
      shouldSample(_context: Context, _traceId: string, _name: string, _kind: SpanKindType, attributes: Attributes, _links: Link[]): SamplingResult {
        seen.push(attributes);
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      },
      toString: () => "recording",
    };
    tracing.useProvider({ sampler: recording });
    const client = await orders(new Registry());
    await client.getOrder({ orderId: "o-3" });
    await tracing.ended(2);
    expect(seen.filter((a) => a["order.id"] === "o-3")).toHaveLength(2);
  });

  it("honour explicit presence in proto2 (isFieldSet)", async () => {
    const telemetry = { tracing: { tracerProvider: tracing.provider }, metrics: false as const, prometheus: false as const };
    const server = new Server();
    addLegacyOrderService(server, { findOrder: (request) => ({ id: String(request.number) }) }, { telemetry });
    const client = new LegacyOrderServiceClient(await listen(server), credentials.createInsecure(), { telemetry });
    cleanup.push(() => client.close());
    await client.findOrder({ number: 5 });
    const { server: span } = sides(await tracing.ended(2), "shop.v1.LegacyOrderService/FindOrder");
    expect(span?.attributes["order.number"]).toBe(5);
    // `limit` has a default of 10 but was not sent: no attribute.
    expect(span?.attributes).not.toHaveProperty("order.limit");
  });
});

describe("switches from the proto", () => {
  it("a method with tracing and metrics off emits no span and no series", async () => {
    const registry = new Registry();
    const client = await orders(registry);
    await client.ping({});
    await client.getOrder({ orderId: "o-4" });
    const spans = await tracing.ended(2);
    expect(spans.map((s) => s.name)).toEqual(expect.not.arrayContaining(["shop.v1.OrderService/Ping"]));
    const exposition = await registry.metrics();
    expect(exposition).toContain('grpc_method="GetOrder"');
    expect(exposition).not.toContain('grpc_method="Ping"');
    // metrics off only: spans yes, series no.
    await client.uploadItems([{ sku: "a" }, { sku: "b" }]);
    await tracing.ended(4);
    expect(tracing.spans().map((s) => s.name)).toContain("shop.v1.OrderService/UploadItems");
    expect(await registry.metrics()).not.toContain('grpc_method="UploadItems"');
  });

  it("message events: on for the service, off for the method that says so", async () => {
    const client = await orders(new Registry());
    await client.getOrder({ orderId: "o-5" });
    for await (const _ of client.watchOrder({ orderId: "o-5" })) {
      // drain
    }
    const spans = await tracing.ended(4);
    const get = sides(spans, "shop.v1.OrderService/GetOrder");
    const watch = sides(spans, "shop.v1.OrderService/WatchOrder");
    expect(get.client?.events.map((e) => e.attributes?.["rpc.message.type"])).toEqual(["SENT", "RECEIVED"]);
    expect(get.server?.events.map((e) => e.attributes?.["rpc.message.type"])).toEqual(["RECEIVED", "SENT"]);
    expect(watch.client?.events).toEqual([]);
    expect(watch.server?.events).toEqual([]);
  });
});

