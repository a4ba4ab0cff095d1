import { TraceFlags, isSpanContextValid, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";

/**
 * The trace id of the span a call's context carries, when that span is sampled: the
 * exemplar that links a metric to a trace someone can open. Tracing runs before the
 * metrics parts, so on both sides the context carries the call's own span.
 */
export function sampledTraceId(context: Context): string | undefined {
  const span = trace.getSpanContext(context);
  if (span === undefined || (span.traceFlags & TraceFlags.SAMPLED) === 0 || !isSpanContextValid(span)) {
    return undefined;
  }
  return span.traceId;
}
