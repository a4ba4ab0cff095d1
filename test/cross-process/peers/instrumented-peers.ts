// Run by coexistence.test.ts in a child process (node --import tsx): enables
// @opentelemetry/instrumentation-grpc before @grpc/grpc-js is loaded, as applications
// that use it must, then makes calls between generated and plain grpc-js peers and
// prints every span as JSON on stdout. Each scenario runs under a root span of its
// own, so the test can tell the scenarios' spans apart by trace id.
import { SpanKind, trace } from "@opentelemetry/api";
import { isWrapped, registerInstrumentations } from "@opentelemetry/instrumentation";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type * as Grpc from "@grpc/grpc-js";
import { createRequire } from "node:module";
import { setImmediate as tick } from "node:timers/promises";
import { bindLocal } from "../../support/listen.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });

// Loaded after the instrumentation hooked `require`, so it is patched; the generated
// code imported below gets this same, patched module.
const grpc = createRequire(import.meta.url)("@grpc/grpc-js") as typeof Grpc;
const { TestServiceClient, addTestService } = await import("../../../golden/test_service/tsotel/testing/v1/test_service_otel.js");
const { behaviorHandlers } = await import("../../support/behavior-handlers.js");
const { KINDS: kinds } = await import("../../support/call-kinds.js");
const { collect } = await import("../../support/harness.js");

const UNARY = "/tsotel.testing.v1.TestService/Unary";
const passThrough = (bytes: Buffer): Buffer => bytes;
const tracer = provider.getTracer("scenarios");
const ourTelemetry = { metrics: false, prometheus: false } as const;

async function listen(server: Grpc.Server): Promise<string> {
  const port = await bindLocal(server, grpc.ServerCredentials.createInsecure());
  return `127.0.0.1:${port}`;
}

/** Runs `body` under a root span named `scenario <name>`. */
async function scenario(name: string, body: () => Promise<void>): Promise<void> {
  await tracer.startActiveSpan(`scenario ${name}`, { kind: SpanKind.INTERNAL }, async (root) => {
    try {
      await body();
    } finally {
      root.end();
    }
  });
}

// A generated server with tracing on, and one with it off.
const ours = new grpc.Server();
addTestService(ours, behaviorHandlers(), { telemetry: ourTelemetry });
const oursAddress = await listen(ours);
const untraced = new grpc.Server();
addTestService(untraced, behaviorHandlers(), { telemetry: { ...ourTelemetry, tracing: false } });
const untracedAddress = await listen(untraced);

// A plain grpc-js server, instrumented by instrumentation-grpc, that answers an empty
// Unary response and remembers the traceparent it received.
let plainReceived: unknown;
const plain = new grpc.Server();
plain.addService(
  {
    Unary: {
      path: UNARY,
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  },
  {
    Unary: (call: Grpc.ServerUnaryCall<Buffer, Buffer>, callback: Grpc.sendUnaryData<Buffer>) => {
      plainReceived = call.metadata.get("traceparent")[0];
      callback(null, Buffer.alloc(0));
    },
  },
);
const plainAddress = await listen(plain);

const client = new TestServiceClient(oursAddress, grpc.credentials.createInsecure(), { telemetry: ourTelemetry });
const toPlain = new TestServiceClient(plainAddress, grpc.credentials.createInsecure(), { telemetry: ourTelemetry });
const untracedClient = new TestServiceClient(untracedAddress, grpc.credentials.createInsecure(), {
  telemetry: { ...ourTelemetry, tracing: false },
});
const plainClient = new grpc.Client(oursAddress, grpc.credentials.createInsecure());

let expectedSpans = 0;
await scenario("generated to generated", async () => {
  for (const kind of kinds) {
    await collect(kind.call(client, [{ text: "a", count: 2 }]));
  }
});
expectedSpans += 1 + kinds.length * 2;
await scenario("plain client to generated server", async () => {
  await new Promise<void>((resolve, reject) => {
    plainClient.makeUnaryRequest(UNARY, passThrough, passThrough, Buffer.alloc(0), (err) => (err === null ? resolve() : reject(err)));
  });
});
expectedSpans += 3;
await scenario("generated client to plain server", async () => {
  await toPlain.unary({});
});
expectedSpans += 3;
await scenario("generated, tracing off", async () => {
  await untracedClient.unary({});
});
expectedSpans += 3;

// Server spans end as their responses go out; give them the time to be exported.
const giveUp = Date.now() + 10_000;
while (exporter.getFinishedSpans().length < expectedSpans && Date.now() < giveUp) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
for (let i = 0; i < 5; i++) {
  await tick();
}

const spans = exporter.getFinishedSpans().map((span) => ({
  name: span.name,
  kind: SpanKind[span.kind],
  scope: span.instrumentationScope.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
}));
console.log(
  JSON.stringify({
    patched: isWrapped(Reflect.get(grpc.Server.prototype, "register")) && isWrapped(Reflect.get(grpc.Client.prototype, "makeUnaryRequest")),
    plainReceived,
    activeAfter: trace.getActiveSpan() === undefined,
    spans,
  }),
);

client.close();
toPlain.close();
untracedClient.close();
plainClient.close();
for (const server of [ours, untraced, plain]) {
  server.forceShutdown();
}
