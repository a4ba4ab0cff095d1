// Cardinality and privacy (docs/telemetry.md#cardinality-and-privacy): every label and attribute value comes from
// the generated method set, the status code or the configured target; a method the
// server does not serve makes no series; no payload, metadata or peer address reaches
// a metric.
import { Metadata, Server, credentials } from "@grpc/grpc-js";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Code, addService, defineService } from "protoc-gen-ts-otel-runtime";
import type { ServerContext, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { UserServiceClient } from "../../../golden/user/user/v1/user_otel.js";
import { GetUserRequestSchema, UserSchema } from "../../../golden/user/user/v1/user_pb.js";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, expectRpcError, rejection, useTestServer } from "../../support/harness.js";
import { parseExposition } from "../../support/exposition.js";
import { CANONICAL_CODES, DEFAULT_BUCKETS, GO_CODES } from "../../support/grpc-codes.js";
import { scrape, settledScrape } from "../../support/grpc-counts.js";
import { testMeters } from "../../support/metric-reader.js";
import type { CollectedMetric } from "../../support/metric-reader.js";
import { metricsEverywhere } from "../../support/telemetry-options.js";
import { KINDS } from "../../support/call-kinds.js";

const start = useTestServer();

const SERVICE = "tsotel.testing.v1.TestService";

/** Every value a Prometheus label may take for the TestService. */
const PROMETHEUS_VALUES: Record<string, readonly string[]> = {
  grpc_type: KINDS.map((k) => k.type),
  grpc_service: [SERVICE],
  grpc_method: KINDS.map((k) => k.method),
  grpc_code: GO_CODES,
  le: DEFAULT_BUCKETS,
};

/** Every attribute an OpenTelemetry metric may carry, with the values it may take (undefined: any number). */
function otelValues(port: number, target: string): Record<string, readonly (string | number)[] | undefined> {
  return {
    "rpc.system.name": ["grpc"],
    "rpc.method": KINDS.map((k) => `${SERVICE}/${k.method}`),
    "rpc.response.status_code": CANONICAL_CODES,
    "error.type": CANONICAL_CODES,
    "server.address": ["127.0.0.1"],
    "server.port": [port],
    "grpc.method": KINDS.map((k) => `${SERVICE}/${k.method}`),
    "grpc.status": CANONICAL_CODES,
    "grpc.target": [target],
  };
}

function otelAttributes(metrics: Map<string, CollectedMetric>): [string, string, unknown][] {
  return [...metrics.values()].flatMap((metric) =>
    [...metric.histogram, ...metric.sum].flatMap((point) => Object.entries(point.attributes).map(([key, value]): [string, string, unknown] => [metric.name, key, value])),
  );
}

describe("cardinality", () => {
  it("a call to a method the server does not serve creates no series and no attribute", async () => {
    const registry = new Registry();
    const meters = testMeters();
    const telemetry: TelemetryOptions = { tracing: false, metrics: { meterProvider: meters.meterProvider, a66: true }, prometheus: { registry } };
    const { address } = await start(behaviorHandlers(), { server: { telemetry } });
    const stranger = new UserServiceClient(address, credentials.createInsecure(), { telemetry: false });
    try {
      expectRpcError(await rejection(stranger.getUser({ userId: 1 })), Code.UNIMPLEMENTED);
    } finally {
      stranger.close();
    }

    const text = await registry.metrics();
    expect(text).not.toContain("user.v1");
    expect(text).not.toContain("GetUser");
    const exposition = parseExposition(text);
    for (const sample of exposition.samples) {
      expect(sample.value, `${sample.name} ${JSON.stringify(sample.labels)}`).toBe(0);
    }
    expect([...(await meters.collect()).values()].flatMap((m) => [...m.histogram, ...m.sum])).toEqual([]);
  });

  it("every label and attribute value comes from the generated methods, the status codes or the target", async () => {
    const registry = new Registry();
    const meters = testMeters();
    const telemetry = metricsEverywhere(meters.meterProvider, registry);
    const { client, port, address } = await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } });
    for (const kind of KINDS) {
      await collect(kind.call(client, [{ text: "a" }]));
      await collect(kind.call(client, [{ behavior: Behavior.FAIL_STATUS, statusCode: Code.PERMISSION_DENIED }]));
      await collect(kind.call(client, [{ behavior: Behavior.THROW }]));
    }
    const exposition = await settledScrape(registry, "BidiStream", 3);

    expect(exposition.samples.length).toBeGreaterThan(0);
    for (const sample of exposition.samples) {
      for (const [label, value] of Object.entries(sample.labels)) {
        expect(PROMETHEUS_VALUES[label], `${sample.name} label ${label}`).toContain(value);
      }
    }
    const metrics = await meters.collect();
    // The one target allowed is the address the client was built for, as grpc-js names the
    // channel target (the default dns: scheme), not whatever the metric under test says.
    const allowed = otelValues(port, `dns:${address}`);
    const attributes = otelAttributes(metrics);
    expect(attributes.length).toBeGreaterThan(0);
    for (const [metric, key, value] of attributes) {
      expect(Object.keys(allowed), `${metric} attribute ${key}`).toContain(key);
      expect(allowed[key], `${metric} ${key}`).toContain(value);
    }
  });

  it("a method whose proto turns metrics off gets no series, not even zero ones", async () => {
    const service = defineService("quiet.v1.Quiet", {
      loud: { name: "Loud", kind: "unary", input: GetUserRequestSchema, output: UserSchema },
      hushed: { name: "Hushed", kind: "unary", input: GetUserRequestSchema, output: UserSchema, telemetry: { metrics: false } },
    });
    const registry = new Registry();
    const meters = testMeters();
    const server = new Server();
    try {
      addService(server, service, { loud: () => ({}), hushed: () => ({}) }, {
        telemetry: { tracing: false, metrics: { meterProvider: meters.meterProvider }, prometheus: { registry } },
      });
      const exposition = await scrape(registry);
      expect(new Set(exposition.samples.map((s) => s.labels["grpc_method"]))).toEqual(new Set(["Loud"]));
    } finally {
      server.forceShutdown();
    }
  });
});

describe("privacy", () => {
  it("no payload, metadata value, status message or peer address reaches a metric", async () => {
    const registry = new Registry();
    const meters = testMeters();
    const telemetry = metricsEverywhere(meters.meterProvider, registry);
    const peers: string[] = [];
    const { client } = await start(behaviorHandlers({ onCall: (context: ServerContext) => peers.push(context.peer) }), {
      server: { telemetry },
      client: { telemetry },
    });
    const metadata = new Metadata();
    metadata.set("x-secret", "META-VALUE-b7e1");
    metadata.set("x-secret-bin", Buffer.from("META-BINARY-c9d4"));
    const payload = new TextEncoder().encode("PAYLOAD-BYTES-5a2f");
    for (const kind of KINDS) {
      await collect(kind.call(client, [{ text: "PAYLOAD-TEXT-3e8d", payload }], { metadata }));
      await collect(kind.call(client, [{ text: "STATUS-TEXT-1c6b", behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }], { metadata }));
    }
    await settledScrape(registry, "BidiStream", 2);

    const prometheusText = await registry.metrics();
    const otelText = JSON.stringify(otelAttributes(await meters.collect()));
    const [peer] = peers;
    const peerPort = peer?.split(":").at(-1) ?? "no peer seen";
    expect(peers).toHaveLength(8);
    for (const secret of ["META-VALUE", "META-BINARY", "x-secret", "PAYLOAD", "STATUS-TEXT", "failed as asked", `:${peerPort}`]) {
      expect(prometheusText, secret).not.toContain(secret);
      expect(otelText, secret).not.toContain(secret);
    }
    // The server side has no address at all: its only address would be the peer's.
    expect(prometheusText).not.toContain("127.0.0.1");
    const serverAttributes = otelAttributes(await meters.collect()).filter(([metric]) => metric.includes(".server.") || metric.startsWith("grpc.server"));
    expect(serverAttributes.length).toBeGreaterThan(0);
    expect(JSON.stringify(serverAttributes)).not.toContain("127.0.0.1");
  });
});
