// The server a real Prometheus scrapes in metrics-endpoint.test.ts, in a process of its
// own: a generated TestService with exemplars on, counting into prom-client's global
// register (of the text format, as every process starts with it), spans sampled and
// continued from the caller's traceparent, and that register served twice with
// serveMetrics: as it comes (`/metrics`, OpenMetrics to a scraper that prefers it) and
// with OpenMetrics off (`/text-only`). Prints one JSON line: the gRPC port and both URLs.
import type { AddressInfo } from "node:net";
import { ServerCredentials } from "@grpc/grpc-js";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createServer, serveMetrics } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { bindLocal } from "../../support/listen.js";

new NodeTracerProvider().register();

const server = createServer();
const handlers: Partial<TestServiceHandlers> = { unary: ({ text }) => ({ text }) };
addTestService(server, handlers as TestServiceHandlers, { telemetry: { prometheus: { exemplars: true } } });
const port = await bindLocal(server, ServerCredentials.createInsecure());
const url = async (path: string, openMetrics: boolean): Promise<string> => {
  const metrics = await serveMetrics({ port: 0, host: "127.0.0.1", path, openMetrics });
  return `http://127.0.0.1:${String((metrics.address() as AddressInfo).port)}${path}`;
};
console.log(JSON.stringify({ grpc: `127.0.0.1:${String(port)}`, metrics: await url("/metrics", true), textOnly: await url("/text-only", false) }));
