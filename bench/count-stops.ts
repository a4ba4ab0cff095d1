// Counts the "function stops" of one unary call: how many times functions of the
// built runtime (packages/runtime/dist) run for one server call to its ended span and
// counted status, and for one client call, with every telemetry part on (tracing into
// a registered SDK tracer provider with an in-memory exporter, OpenTelemetry metrics
// into an SDK meter provider with a reader, Prometheus into a fresh registry).
//
//   npm run build && TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/count-stops.ts
//
// How it counts: V8's precise coverage with call counts (node:inspector,
// Profiler.startPreciseCoverage({ callCount: true, detailed: false })) runs across a
// warm-up call, is read and reset, and then read again after exactly one measured call;
// the stops are the sum of the call counts of every function in the runtime's files
// (class constructors, getters and arrow functions included), by file. The other side
// of each call is plain grpc-js, so only the side measured runs runtime code; the end
// is waited for on the span processor's `onEnd`, whose continuation runs after the
// parts that follow tracing have ended too.
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Server, credentials } from "@grpc/grpc-js";
import { SpanKind, context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { createServer } from "protoc-gen-ts-otel-runtime";
import type { TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient, addTestService } from "../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { assertDistFresh } from "./dist-freshness.js";
import { repoRoot } from "./paths.js";
import { bareClient } from "./runtime/stacks/bare-client.js";
import { bareServer } from "./runtime/stacks/bare-server.js";
import { listen, stopServer } from "./runtime/stacks/grpc-server.js";
import { bidiReply, clientStreamReply, streamItem, unaryReply } from "./runtime/stacks/messages.js";
import { CollectingMetricReader } from "./runtime/telemetry-sdk.js";

/** Resolves a waiter when a span of its kind ends. */
class SpanEnds implements SpanProcessor {
  private readonly waiting = new Map<SpanKind, () => void>();

  next(kind: SpanKind): Promise<void> {
    return new Promise((resolve) => this.waiting.set(kind, resolve));
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const resolve = this.waiting.get(span.kind);
    this.waiting.delete(span.kind);
    resolve?.();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface FunctionCount {
  readonly file: string;
  readonly name: string;
  readonly count: number;
}

const runtimeDist = join(repoRoot, "packages/runtime/dist/");

/** What one call ran: the runtime's functions, and the OpenTelemetry contexts made (each a copy of its parent's values). */
interface CallCounts {
  readonly runtime: FunctionCount[];
  readonly contexts: number;
}

/** The call counts of the runtime's functions, and the contexts made, since the last take (which resets them). */
async function takeRuntimeCounts(session: Session): Promise<CallCounts> {
  const { result } = await session.post("Profiler.takePreciseCoverage");
  const counts: FunctionCount[] = [];
  let contexts = 0;
  for (const script of result) {
    const path = script.url.startsWith("file:") ? fileURLToPath(script.url) : script.url;
    if (/@opentelemetry\/api\/build\/src\/context\/context\.js$/.test(path)) {
      contexts += script.functions.find((fn) => fn.functionName === "BaseContext")?.ranges[0]?.count ?? 0;
    }
    if (!path.startsWith(runtimeDist)) continue;
    // dist/esm/telemetry/hub.js → telemetry/hub.js: the same source file in either format.
    const file = relative(runtimeDist, path).replace(/^(esm|cjs)\//, "");
    for (const fn of script.functions) {
      const count = fn.ranges[0]?.count ?? 0;
      if (count > 0) counts.push({ file, name: fn.functionName || "(anonymous)", count });
    }
  }
  return { runtime: counts, contexts };
}

function report(title: string, { runtime: counts, contexts }: CallCounts): number {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const byFile = new Map<string, FunctionCount[]>();
  for (const c of counts) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const files = [...byFile].map(([file, fns]) => ({ file, stops: fns.reduce((s, f) => s + f.count, 0), fns }));
  files.sort((a, b) => b.stops - a.stops || a.file.localeCompare(b.file));
  console.log(`\n${title}: ${String(total)} function stops, ${String(contexts)} OpenTelemetry contexts made`);
  for (const { file, stops, fns } of files) {
    const top = [...fns].sort((a, b) => b.count - a.count).map((f) => `${f.name}×${String(f.count)}`);
    console.log(`  ${String(stops).padStart(4)}  ${file}  (${top.join(", ")})`);
  }
  return total;
}

assertDistFresh();
const spanEnds = new SpanEnds();
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), spanEnds] });
trace.setGlobalTracerProvider(tracerProvider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const reader = new CollectingMetricReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const registry = new Registry();
const telemetry: TelemetryOptions = { tracing: { tracerProvider }, metrics: { meterProvider }, prometheus: { registry } };

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });

/** One warm-up call, then the counts of exactly one more. */
async function measure(call: () => Promise<void>): Promise<CallCounts> {
  await call();
  await takeRuntimeCounts(session);
  await call();
  return takeRuntimeCounts(session);
}

const results: Record<string, number> = {};

for (const kind of ["createServer()", "new Server()"] as const) {
  const server = kind === "createServer()" ? createServer() : new Server();
  addTestService(
    server,
    {
      unary: (request) => unaryReply(request),
      // Not called; the service needs every method.
      *serverStream(request) {
        for (let i = 0; i < request.count; i++) yield streamItem(i);
      },
      async clientStream(requests) {
        let received = 0;
        for await (const _ of requests) received++;
        return clientStreamReply(received);
      },
      async *bidiStream(requests) {
        for await (const request of requests) yield bidiReply(request);
      },
    },
    { telemetry },
  );
  const port = await listen(server);
  const client = bareClient(`127.0.0.1:${String(port)}`);
  const counts = await measure(async () => {
    const ended = spanEnds.next(SpanKind.SERVER);
    await client.unary(new Uint8Array(100));
    await ended;
  });
  results[`server, ${kind}`] = report(`One unary server call on ${kind} (bare grpc-js client)`, counts);
  client.close();
  await stopServer(server);
}

{
  const server = await bareServer();
  const client = new TestServiceClient(`127.0.0.1:${String(server.port)}`, credentials.createInsecure(), { telemetry });
  const counts = await measure(async () => {
    const ended = spanEnds.next(SpanKind.CLIENT);
    await client.unary({ payload: new Uint8Array(100) });
    await ended;
  });
  results["client"] = report("One unary client call (bare grpc-js server)", counts);
  client.close();
  await server.stop();
}

await session.post("Profiler.stopPreciseCoverage");
session.disconnect();

// What was measured did record: four spans per side measured (two calls each), and the
// Prometheus counters of both sides.
const spans = exporter.getFinishedSpans();
const handled = (await registry.getMetricsAsJSON()).filter((m) => m.name.endsWith("_handled_total"));
const handledCount = handled.flatMap((m) => m.values).reduce((sum, v) => sum + v.value, 0);
console.log(`\nspans ended: ${String(spans.length)} (server ${String(spans.filter((s) => s.kind === SpanKind.SERVER).length)}, client ${String(spans.filter((s) => s.kind === SpanKind.CLIENT).length)}); Prometheus handled: ${String(handledCount)}`);
console.log(JSON.stringify(results));
await meterProvider.shutdown();
