import type { Telemetry } from "../observer.js";
import type { MetricsOptions } from "./otel-metrics/metrics-options.js";
import type { PrometheusOptions } from "./prometheus/prometheus-options.js";
import type { SemconvMode } from "./semconv.js";
import type { TracingOptions } from "./tracing/tracing-options.js";

export type { MetricsOptions, PrometheusOptions, TracingOptions };
export type { PrometheusRegistry } from "./prometheus/prometheus-options.js";

/**
 * What generated clients and servers emit. Everything is optional: the defaults give
 * traces and OpenTelemetry metrics through the globally registered providers, and
 * Prometheus metrics in prom-client's global registry when prom-client is installed.
 * `false` for a part turns it off; `telemetry: false` turns everything off.
 */
export interface TelemetryOptions {
  /** Conventions to emit; default from `OTEL_SEMCONV_STABILITY_OPT_IN`, else the new ones. */
  semconv?: SemconvMode | undefined;
  tracing?: TracingOptions | false | undefined;
  metrics?: MetricsOptions | false | undefined;
  prometheus?: PrometheusOptions | false | undefined;
  /** Further implementations of the telemetry seam, called after the built-in ones. */
  observers?: readonly Telemetry[] | undefined;
}
