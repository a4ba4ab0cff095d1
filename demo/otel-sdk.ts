// The demo's OpenTelemetry SDK, started when this module is imported: import it before
// anything else. NodeSDK configured from the OTEL_* environment, as an application would:
// OTEL_SERVICE_NAME (default "protoc-gen-ts-otel-demo"), OTEL_TRACES_SAMPLER and
// OTEL_PROPAGATORS are read by NodeSDK itself. With OTEL_EXPORTER_OTLP_ENDPOINT set, spans
// go over OTLP as the OTEL_EXPORTER_OTLP_* variables say; without it they are kept in
// memory for `memorySpans`. The OpenTelemetry metrics are pulled by a PrometheusExporter
// that starts no server of its own: the demo's /metrics endpoint serves them next to
// prom-client's families. Generated clients and servers need nothing more: they report
// through the global providers by default, even if created before this runs.
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** Where spans are exported over OTLP; "" keeps them in memory. */
export const otlpEndpoint = process.env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "";

/** The finished spans, when they are not exported over OTLP. */
export const memorySpans = otlpEndpoint === "" ? new InMemorySpanExporter() : undefined;

/** The OpenTelemetry metrics, collected when /metrics is scraped. */
export const otelMetrics = new PrometheusExporter({ preventServerStart: true });

export const sdk = new NodeSDK({
  serviceName: process.env["OTEL_SERVICE_NAME"] ?? "protoc-gen-ts-otel-demo",
  // Without span processors NodeSDK builds them from OTEL_TRACES_EXPORTER (default otlp).
  ...(memorySpans === undefined ? {} : { spanProcessors: [new SimpleSpanProcessor(memorySpans)] }),
  metricReaders: [otelMetrics],
});
sdk.start();
