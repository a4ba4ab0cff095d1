import type { MetricsOptions, PrometheusOptions, PrometheusRegistry, TelemetryOptions } from "protoc-gen-ts-otel-runtime";

/** Telemetry with only the Prometheus part on, reporting to `registry`. */
export function prometheusOnly(registry: PrometheusRegistry, options: PrometheusOptions = {}): TelemetryOptions {
  return { tracing: false, metrics: false, prometheus: { ...options, registry } };
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
