import type { Message } from "@bufbuild/protobuf";
import type { Context, UpDownCounter } from "@opentelemetry/api";
import type { LabelCombinations } from "../metric-labels.js";
import type { CallObserver, CallResult, MethodObserver } from "../../observer.js";
import type { CallTotals, MethodMetrics } from "./method-metrics.js";

/** The observer of every call of one method into the method's OpenTelemetry instruments. */
export function instrumentsObserver<S extends { readonly context: Context; readonly startTime: number; readonly request?: Message | undefined }>(
  metrics: MethodMetrics,
  labels: LabelCombinations,
): MethodObserver<S> {
  return {
    start(call) {
      const active = metrics.started(call.context);
      return new OtelMetricsCall(call.context, metrics, call.startTime, labels.of(call.request), active);
    },
  };
}

/**
 * One call: counts its messages and bytes as they pass and records at the end, in the
 * call's context (so an SDK exemplar filter sees the call's span).
 */
class OtelMetricsCall implements CallObserver, CallTotals {
  sentMessages = 0;
  receivedMessages = 0;
  sentBytes = 0;
  receivedBytes = 0;

  constructor(
    readonly context: Context,
    private readonly metrics: MethodMetrics,
    private readonly startTime: number,
    /** The combination of metric label values of the call's request. */
    private readonly labels: number,
    private readonly active: UpDownCounter | undefined,
  ) {}

  messageSent(size: number): void {
    this.sentMessages += 1;
    this.sentBytes += size;
    this.metrics.sent(size, this.context);
  }

  messageReceived(size: number): void {
    this.receivedMessages += 1;
    this.receivedBytes += size;
    this.metrics.received(size, this.context);
  }

  end(result: CallResult): void {
    this.metrics.ended(result.code, this.startTime, result.endTime, this.labels, this, this.context);
    if (this.active !== undefined) this.metrics.stopped(this.active, this.context);
  }
}
