import type { Message } from "@bufbuild/protobuf";
import { TraceFlags, isSpanContextValid, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { now } from "../../clock.js";
import type { CallObserver, CallResult, MethodObserver } from "../../observer.js";
import type { LabelCombinations } from "../metric-labels.js";
import type { MethodSeries } from "./method-series.js";

/**
 * The observer of every call of one method into its Prometheus series, made once when
 * the method was set up: those of the combination of metric label values the call's
 * request has.
 */
export function seriesObserver<S extends { readonly context: Context; readonly startTime: number; readonly request?: Message | undefined }>(
  seriesByLabels: readonly MethodSeries[],
  labels: LabelCombinations,
  exemplars: boolean,
): MethodObserver<S> {
  return {
    start(call) {
      const series = seriesByLabels[seriesByLabels.length === 1 ? 0 : labels.of(call.request)] as MethodSeries;
      const traceId = exemplars ? sampledTraceId(call.context) : undefined;
      series.started.inc(traceId, call.startTime);
      if (series.inFlight !== undefined) series.inFlight.value += 1;
      return new PrometheusCall(call.context, series, call.startTime, traceId);
    },
  };
}

/**
 * One call, counted by the rules of go-grpc-prometheus: every message the runtime
 * reports as written or read counts (for a unary server, received before the handler
 * and sent only on success, as the runtime reports them); the end counts `handled`
 * once, with the status code, and times the call. Per event this adds to numbers in the
 * method's series and allocates nothing.
 */
class PrometheusCall implements CallObserver {
  // For the client's per-message histograms: when the previous message went or came.
  private lastSent: number;
  private lastReceived: number;

  constructor(
    readonly context: Context,
    private readonly series: MethodSeries,
    private readonly startTime: number,
    /** The call's sampled trace, for exemplars. */
    private readonly traceId: string | undefined,
  ) {
    this.lastSent = startTime;
    this.lastReceived = startTime;
  }

  messageSent(): void {
    const { series, traceId } = this;
    const histogram = series.sendHandling;
    const time = traceId !== undefined || histogram !== undefined ? now() : 0;
    series.sent.inc(traceId, time);
    if (histogram !== undefined) {
      histogram.observe((time - this.lastSent) / 1000, traceId, time);
      this.lastSent = time;
    }
  }

  messageReceived(): void {
    const { series, traceId } = this;
    const histogram = series.receiveHandling;
    const time = traceId !== undefined || histogram !== undefined ? now() : 0;
    series.received.inc(traceId, time);
    if (histogram !== undefined) {
      histogram.observe((time - this.lastReceived) / 1000, traceId, time);
      this.lastReceived = time;
    }
  }

  end(result: CallResult): void {
    const { series, traceId } = this;
    series.handledFor(result.code).inc(traceId, result.endTime);
    if (series.inFlight !== undefined) series.inFlight.value -= 1;
    // The same instants as the call's span, so the two durations agree.
    series.handling?.observe((result.endTime - this.startTime) / 1000, traceId, result.endTime);
  }
}

/**
 * The trace id of the span a call's context carries, when that span is sampled: the
 * exemplar that links a metric to a trace someone can open. Tracing runs before the
 * metrics parts, so on both sides the context carries the call's own span.
 */
function sampledTraceId(context: Context): string | undefined {
  const span = trace.getSpanContext(context);
  if (span === undefined || (span.traceFlags & TraceFlags.SAMPLED) === 0 || !isSpanContextValid(span)) {
    return undefined;
  }
  return span.traceId;
}
