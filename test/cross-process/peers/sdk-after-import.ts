// An application that makes its generated server and client at import time, and starts
// the OpenTelemetry SDK (NodeSDK) afterwards, as many do: the calls made once the SDK
// runs must show in its metrics and traces. Prints what the SDK collected, as JSON.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { TestServiceClient, addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { testMetricReader } from "../../support/metric-reader.js";
import { bindLocal } from "../../support/listen.js";

// Made before any SDK exists: telemetry comes from the global providers, which are the
// API's no-op ones at this point.
const server = new Server();
addTestService(server, {
  unary: (request) => ({ text: request.text }),
  async *serverStream(request) {
    yield { text: request.text };
  },
  async clientStream(requests) {
    let count = 0;
    for await (const _ of requests) count += 1;
    return { count };
  },
  async *bidiStream(requests) {
    for await (const request of requests) yield { text: request.text };
  },
});
const port = await bindLocal(server, ServerCredentials.createInsecure());
const client = new TestServiceClient(`127.0.0.1:${String(port)}`, credentials.createInsecure());

const reader = testMetricReader();
const spans = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(spans);
const sdk = new NodeSDK({ metricReader: reader.reader, spanProcessors: [processor], instrumentations: [] });
sdk.start();

await client.unary({ text: "a" });
for await (const _ of client.serverStream({ text: "b" })) {
  // Drained.
}
await client.clientStream([{ text: "c" }]);
for await (const _ of client.bidiStream([{ text: "d" }])) {
  // Drained.
}

// Every call over on both sides before anything is counted: a server call ends when
// grpc-js reports it over, after the client already has its answer; and the SDK
// exports a span only once its resource's detectors have finished.
client.close();
await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
await processor.forceFlush();
const collected = await reader.collect();
const count = (name: string): number => (collected.get(name)?.histogram ?? []).reduce((n, point) => n + point.count, 0);
console.log(
  JSON.stringify({
    serverDurations: count("rpc.server.call.duration"),
    clientDurations: count("rpc.client.call.duration"),
    spans: spans.getFinishedSpans().length,
  }),
);
await sdk.shutdown();
