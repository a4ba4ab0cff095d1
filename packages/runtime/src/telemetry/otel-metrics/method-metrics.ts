import type { Attributes, Context, UpDownCounter } from "@opentelemetry/api";
import { a66Attributes, a66StatusAttributes, metricAttributes, metricStatusAttributes } from "../attributes.js";
import { PerCode } from "../code-tables.js";
import type { MethodFacts } from "../method-facts.js";
import type { SideMetrics } from "./create-otel-metrics.js";

/** What one call has carried, counted by its observer and handed over at its end. */
export interface CallTotals {
  readonly sentMessages: number;
  readonly receivedMessages: number;
  readonly sentBytes: number;
  readonly receivedBytes: number;
}

/**
 * The instruments and attribute sets of one method on one side. The attribute sets
 * per status code are built the first time the code ends a call and kept, so a call
 * passes the instruments ready objects and builds none.
 */
export class MethodMetrics {
  private readonly status: PerCode<Attributes>;
  private readonly legacyStatus: PerCode<Attributes>;
  /**
   * The duration histograms' attribute sets, per combination of the method's metric
   * label values (the status sets themselves for a method without labels).
   */
  private readonly durationStatus: readonly PerCode<Attributes>[];
  private readonly legacyDurationStatus: readonly PerCode<Attributes>[];
  /** Per-message sizes and active requests carry the method's attributes only: the status is not known yet. */
  private readonly sizeAttributes: Attributes;
  private readonly a66Started: Attributes;
  private readonly a66Status: PerCode<Attributes>;

  constructor(
    private readonly side: SideMetrics,
    facts: MethodFacts,
  ) {
    const { instruments, isError } = side;
    const current = metricAttributes(facts, false);
    const legacy = metricAttributes(facts, true);
    this.status = new PerCode((code) => metricStatusAttributes(current, code, isError[code] === true, false));
    this.legacyStatus = new PerCode((code) => metricStatusAttributes(legacy, code, false, true));
    const { attributes: byLabels } = facts.labels;
    this.durationStatus =
      byLabels.length === 1
        ? [this.status]
        : byLabels.map((labels) => new PerCode((code) => metricStatusAttributes({ ...current, ...labels }, code, isError[code] === true, false)));
    this.legacyDurationStatus =
      byLabels.length === 1
        ? [this.legacyStatus]
        : byLabels.map((labels) => new PerCode((code) => metricStatusAttributes({ ...legacy, ...labels }, code, false, true)));
    this.sizeAttributes = instruments.duration === undefined ? legacy : current;
    this.a66Started = a66Attributes(facts);
    this.a66Status = new PerCode((code) => a66StatusAttributes(this.a66Started, code));
    // The method's series at 0 before its first call, as the Prometheus zero series are.
    instruments.activeRequests?.add(0, this.sizeAttributes);
  }

  /**
   * Records a call's start; returns the active-requests counter it added to, which the
   * call's end must take from, even if an SDK registered in between replaced it.
   */
  started(context: Context): UpDownCounter | undefined {
    this.side.refresh();
    const { a66, activeRequests } = this.side.instruments;
    a66?.started.add(1, this.a66Started, context);
    activeRequests?.add(1, this.sizeAttributes, context);
    return activeRequests;
  }

  /** Takes an ended call off the counter its start added to. */
  stopped(activeRequests: UpDownCounter, context: Context): void {
    activeRequests.add(-1, this.sizeAttributes, context);
  }

  sent(size: number, context: Context): void {
    this.side.instruments.messageSizes?.sentSize.record(size, this.sizeAttributes, context);
  }

  received(size: number, context: Context): void {
    this.side.instruments.messageSizes?.receivedSize.record(size, this.sizeAttributes, context);
  }

  /**
   * Records a call that ended with `code`; `startTime` and `endTime` are the span's
   * instants (epoch ms), `labels` the combination of metric label values of its request.
   */
  ended(code: number, startTime: number, endTime: number, labels: number, totals: CallTotals, context: Context): void {
    const { duration, legacyDuration, a66, messageSizes } = this.side.instruments;
    const milliseconds = endTime - startTime;
    duration?.record(milliseconds / 1000, (this.durationStatus[labels] ?? this.status).get(code), context);
    legacyDuration?.record(milliseconds, (this.legacyDurationStatus[labels] ?? this.legacyStatus).get(code), context);
    if (a66 !== undefined) {
      const attributes = this.a66Status.get(code);
      for (const histogram of a66.durations) {
        histogram.record(milliseconds / 1000, attributes, context);
      }
      a66.sentTotal.record(totals.sentBytes, attributes, context);
      a66.receivedTotal.record(totals.receivedBytes, attributes, context);
    }
    if (messageSizes !== undefined) {
      const attributes = duration === undefined ? this.legacyStatus.get(code) : this.status.get(code);
      messageSizes.sentPerCall.record(totals.sentMessages, attributes, context);
      messageSizes.receivedPerCall.record(totals.receivedMessages, attributes, context);
    }
  }
}
