// The demo's OpenTelemetry SDK: a tracer provider registered globally (with an
// AsyncLocalStorage context manager and the W3C propagators), whose spans are kept in
// memory and printed as a tree at the end, or, when OTEL_EXPORTER_OTLP_ENDPOINT is
// set, exported over OTLP/HTTP instead. Generated clients and servers need nothing
// more: they trace through the global provider by default.
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { TracerProvider } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

export interface DemoTracing {
  /** The registered provider; generated clients and servers use it through the global API. */
  readonly tracerProvider: TracerProvider;
  /** Where spans go: `"memory"` (printed by `finish`) or the OTLP endpoint. */
  readonly destination: string;
  /** Flushes and shuts the provider down; in memory mode, prints the collected traces first. */
  finish(): Promise<void>;
}

/** Sets up and registers the demo's SDK; call before creating clients and servers. */
export function startDemoTracing(serviceName = "protoc-gen-ts-otel-demo"): DemoTracing {
  const endpoint = process.env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const memory = endpoint === undefined || endpoint === "" ? new InMemorySpanExporter() : undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": process.env["OTEL_SERVICE_NAME"] ?? serviceName }),
    // The OTLP exporter reads the endpoint (and headers) from the environment itself.
    spanProcessors: [memory === undefined ? new BatchSpanProcessor(new OTLPTraceExporter()) : new SimpleSpanProcessor(memory)],
  });
  provider.register();
  return {
    tracerProvider: provider,
    destination: memory === undefined ? (endpoint ?? "") : "memory",
    async finish() {
      await provider.forceFlush();
      if (memory === undefined) {
        console.log(`\nTraces exported over OTLP/HTTP to ${endpoint ?? ""}`);
      } else {
        console.log(`\n${formatTraces(memory.getFinishedSpans())}`);
      }
      await provider.shutdown();
    },
  };
}

/**
 * The spans as one tree per trace, children under their parents in start order:
 *
 *     └─ user.v1.UserService/GetUser CLIENT OK 2.1 ms server=127.0.0.1:50051
 *        └─ user.v1.UserService/GetUser SERVER OK 0.6 ms peer=127.0.0.1:53412
 */
export function formatTraces(spans: readonly ReadableSpan[]): string {
  const byStart = [...spans].sort((a, b) => millis(a.startTime) - millis(b.startTime));
  const ids = new Set(byStart.map((s) => s.spanContext().spanId));
  // A span whose parent is not among them (remote, or not exported) is a root here.
  const roots = byStart.filter((s) => s.parentSpanContext === undefined || !ids.has(s.parentSpanContext.spanId));
  const children = (parent: ReadableSpan): ReadableSpan[] =>
    byStart.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  const lines: string[] = [`Traces (${spans.length} spans)`];
  const print = (span: ReadableSpan, indent: string, last: boolean): void => {
    lines.push(`${indent}${last ? "└─" : "├─"} ${describe(span)}`);
    const below = children(span);
    below.forEach((child, i) => print(child, `${indent}${last ? "   " : "│  "}`, i === below.length - 1));
  };
  for (const root of roots) {
    lines.push(`\ntrace ${root.spanContext().traceId}`);
    print(root, "", true);
  }
  return lines.join("\n");
}

function describe(span: ReadableSpan): string {
  const a = span.attributes;
  const code = a["rpc.response.status_code"] ?? a["rpc.grpc.status_code"];
  const status =
    span.status.code === SpanStatusCode.ERROR
      ? `ERROR(${String(code)}${span.status.message === undefined ? "" : `: ${span.status.message}`})`
      : code === undefined
        ? ""
        : String(code);
  const details = [
    address("server", a["server.address"], a["server.port"]),
    address("peer", a["network.peer.address"] ?? a["net.peer.ip"], a["network.peer.port"] ?? a["net.peer.port"]),
    a["error.type"] === undefined ? undefined : `error.type=${String(a["error.type"])}`,
    span.events.length === 0 ? undefined : `events=${span.events.map((e) => e.name).join(",")}`,
  ].filter((d) => d !== undefined);
  const duration = `${(millis(span.duration)).toFixed(1)} ms`;
  return [span.name, SpanKind[span.kind], status, duration, ...details].filter((part) => part !== "").join(" ");
}

function address(label: string, host: unknown, port: unknown): string | undefined {
  if (host === undefined) {
    return undefined;
  }
  return port === undefined ? `${label}=${String(host)}` : `${label}=${String(host)}:${String(port)}`;
}

function millis([seconds, nanos]: readonly [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
