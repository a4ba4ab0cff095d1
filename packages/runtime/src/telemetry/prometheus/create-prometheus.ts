import { diag } from "@opentelemetry/api";
import type { ClientCallStart, MethodObserver, ServerCallStart, TelemetryObserver } from "../../observer.js";
import { reportOnce } from "../../process-state.js";
import type { MethodFacts } from "../method-facts.js";
import type { PrometheusOptions } from "../options.js";
import { PROMETHEUS_BUCKETS_SECONDS, PY_PROMETHEUS_BUCKETS_SECONDS } from "../semconv.js";
import { defaultRegistry } from "./default-registry.js";
import type { SeriesShape } from "./method-series.js";
import { seriesObserver } from "./prometheus-call.js";
import { RegistryMetrics } from "./registry-metrics.js";

/** The exemplar label when `exemplars: true`. */
const DEFAULT_EXEMPLAR_LABEL = "trace_id";

/**
 * go-grpc-prometheus compatible metrics for every call (docs/telemetry.md#prometheus-metrics); undefined
 * when no registry was given and prom-client failed to load. prom-client itself is
 * loaded only for its global `register`, and only then.
 */
export function createPrometheus(options: PrometheusOptions): TelemetryObserver | undefined {
  const registry = options.registry ?? defaultRegistry();
  if (registry === undefined) {
    return undefined;
  }
  const shape = seriesShape(options);
  const zeroSeries = options.zeroSeries ?? true;
  // Looked up at the first method, inside the guard that reports a registry conflict.
  let metrics: RegistryMetrics | undefined;
  const observe = <S extends ClientCallStart | ServerCallStart>({ side, method, labels }: MethodFacts): MethodObserver<S> => {
    metrics ??= RegistryMetrics.of(registry, shape);
    return seriesObserver(metrics.methodSeries(side, method, labels, zeroSeries), labels, metrics.shape.exemplarLabel !== undefined);
  };
  return { observeClientMethod: observe, observeServerMethod: observe };
}

function seriesShape(options: PrometheusOptions): SeriesShape {
  const legacyNames = options.legacyNames ?? false;
  return {
    legacyNames,
    codeNames: legacyNames ? "canonical" : (options.codeNames ?? "go"),
    buckets: bucketBounds(options.buckets ?? (legacyNames ? PY_PROMETHEUS_BUCKETS_SECONDS : PROMETHEUS_BUCKETS_SECONDS)),
    handlingHistogram: options.handlingHistogram ?? true,
    messageHistograms: !legacyNames && (options.messageHistograms ?? false),
    inFlight: options.inFlight ?? false,
    exemplarLabel: exemplarLabel(options.exemplars),
  };
}

// Upper bounds in increasing order, each once; +Inf is always the last bucket anyway.
function bucketBounds(buckets: readonly number[]): readonly number[] {
  return [...new Set(buckets.filter((b) => Number.isFinite(b)))].sort((a, b) => a - b);
}

function exemplarLabel(exemplars: PrometheusOptions["exemplars"]): string | undefined {
  if (exemplars === undefined || exemplars === false) {
    return undefined;
  }
  if (exemplars === true) {
    return DEFAULT_EXEMPLAR_LABEL;
  }
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(exemplars.label)) {
    const label = exemplars.label;
    reportOnce(`exemplar label ${label}`, () => {
      diag.warn(`protoc-gen-ts-otel-runtime: "${label}" is not a Prometheus label name; exemplars use ${DEFAULT_EXEMPLAR_LABEL}`);
    });
    return DEFAULT_EXEMPLAR_LABEL;
  }
  return exemplars.label;
}
