// The demo's metrics endpoint, served at /metrics on 127.0.0.1 with node:http: one
// scrape gets both kinds of metrics the generated code emits, a prom-client registry
// (the go-grpc-prometheus families, grpc_*) followed by the OpenTelemetry metrics a
// PrometheusExporter collects from the SDK (rpc_server_call_duration_seconds, …).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { Registry } from "prom-client";

export interface MetricsEndpoint {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

export interface MetricsSources {
  /** A registry of the Prometheus text format (not OpenMetrics): the two are concatenated. */
  readonly registry: Registry;
  /** A reader of the SDK's MeterProvider, made with `preventServerStart: true`. */
  readonly otelMetrics: PrometheusExporter;
}

export async function serveMetrics(port: number, { registry, otelMetrics }: MetricsSources): Promise<MetricsEndpoint> {
  const serializer = new PrometheusSerializer();
  // No family is in both, so the two expositions concatenate into one.
  const exposition = async (): Promise<string> => {
    const [grpc, { resourceMetrics }] = await Promise.all([registry.metrics(), otelMetrics.collect()]);
    const otel = serializer.serialize(withUnitSuffixes(resourceMetrics));
    // The serializer ends its "# no registered metrics" line without a newline.
    return `${grpc}${otel}${otel.endsWith("\n") ? "" : "\n"}`;
  };
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    exposition().then(
      (text) => response.writeHead(200, { "Content-Type": registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The suffixes the OpenTelemetry specification's Prometheus compatibility rules add for a
 * unit, as the OpenTelemetry Collector's prometheus exporter adds them:
 * `rpc.server.call.duration` in `s` becomes `rpc_server_call_duration_seconds`, the name
 * the dashboards query. The JavaScript PrometheusExporter (0.223) adds none.
 */
const UNIT_SUFFIXES: Readonly<Record<string, string>> = { s: "seconds", ms: "milliseconds", By: "bytes" };

/**
 * The metrics named for the text format: the unit's suffix added, and the unit itself
 * dropped, since the serializer would print it as a `# UNIT` line, which only OpenMetrics
 * has.
 */
function withUnitSuffixes(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric) => {
        const { name, unit } = metric.descriptor;
        const suffix = UNIT_SUFFIXES[unit];
        const named = suffix === undefined || name.endsWith(`_${suffix}`) ? name : `${name}_${suffix}`;
        return { ...metric, descriptor: { ...metric.descriptor, name: named, unit: "" } };
      }),
    })),
  };
}
