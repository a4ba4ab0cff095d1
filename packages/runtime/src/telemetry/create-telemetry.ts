import { combineTelemetry } from "../observer.js";
import type { Telemetry } from "../observer.js";
import type { MethodDefinition } from "../service.js";
import { guardTelemetry } from "./guard.js";
import { createOtelMetrics } from "./otel-metrics/create-otel-metrics.js";
import type { TelemetryOptions } from "./options.js";
import { createPrometheus } from "./prometheus/create-prometheus.js";
import { semconvMode } from "./semconv-mode.js";
import { createTracing } from "./tracing/create-tracing.js";

/** The `telemetry` option of clients and servers: options for the built-in parts, or `false` for none. */
export type TelemetryOption = TelemetryOptions | false;

/**
 * Builds what a client or server reports to, once at its creation. Tracing comes
 * first: the context it returns carries the span that the metrics parts read (for
 * exemplars) and that handlers run in.
 */
export function createTelemetry(option: TelemetryOption | undefined): Telemetry | undefined {
  if (option === false) {
    return undefined;
  }
  const options = option ?? {};
  const mode = semconvMode(options.semconv);
  const parts: Telemetry[] = [];
  if (options.tracing !== false) {
    const tracing = createTracing(options.tracing ?? {}, mode);
    parts.push(onlyFor(tracedMethods, guardTelemetry(tracing, "tracing")));
  }
  if (options.metrics !== false) {
    const metrics = createOtelMetrics(options.metrics ?? {}, mode);
    parts.push(onlyFor(measuredMethods, guardTelemetry(metrics, "OpenTelemetry metrics")));
  }
  if (options.prometheus !== false) {
    const prometheus = createPrometheus(options.prometheus ?? {});
    if (prometheus !== undefined) {
      parts.push(onlyFor(measuredMethods, guardTelemetry(prometheus, "Prometheus metrics")));
    }
  }
  for (const observer of options.observers ?? []) {
    parts.push(guardTelemetry(observer, "a telemetry observer"));
  }
  return combineTelemetry(parts);
}

const tracedMethods = (method: MethodDefinition): boolean => method.telemetry?.tracing !== false;
const measuredMethods = (method: MethodDefinition): boolean => method.telemetry?.metrics !== false;

/**
 * A part that never hears of the methods the proto options switched off, so they
 * get no spans, or no series (zero series included).
 */
function onlyFor(include: (method: MethodDefinition) => boolean, telemetry: Telemetry): Telemetry {
  return {
    clientMethod: (method, target) => (include(method) ? telemetry.clientMethod?.(method, target) : undefined),
    serverMethod: (method) => (include(method) ? telemetry.serverMethod?.(method) : undefined),
  };
}
