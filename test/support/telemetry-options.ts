import { Registry } from "prom-client";
import type { MetricsOptions, PrometheusOptions, PrometheusRegistry, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { behaviorHandlers } from "./behavior-handlers.js";
import type { StartTestServer, TestHarness } from "./harness.js";

/** Telemetry with only the Prometheus part on, reporting to `registry`. */
export function prometheusOnly(registry: PrometheusRegistry, options: PrometheusOptions = {}): TelemetryOptions {
  return { tracing: false, metrics: false, prometheus: { ...options, registry } };
}

/** The behaviour TestService with only Prometheus on, server and client counting into one fresh registry. */
export async function servePrometheusOnly(start: StartTestServer, options: PrometheusOptions = {}): Promise<TestHarness & { registry: Registry }> {
  const registry = new Registry();
  const telemetry = prometheusOnly(registry, options);
  return { registry, ...(await start(behaviorHandlers(), { server: { telemetry }, client: { telemetry } })) };
}

/** Telemetry with only the OpenTelemetry metrics part on. */
export function otelMetricsOnly(options: MetricsOptions, semconv?: TelemetryOptions["semconv"]): TelemetryOptions {
  return { tracing: false, prometheus: false, metrics: options, ...(semconv === undefined ? {} : { semconv }) };
}

/** Telemetry with OpenTelemetry metrics (A66 and message sizes) and Prometheus (message histograms) on, tracing off. */
export function metricsEverywhere(meterProvider: NonNullable<MetricsOptions["meterProvider"]>, registry: PrometheusRegistry): TelemetryOptions {
  return {
    tracing: false,
    metrics: { meterProvider, a66: true, messageSizes: true },
    prometheus: { registry, messageHistograms: true },
  };
}
