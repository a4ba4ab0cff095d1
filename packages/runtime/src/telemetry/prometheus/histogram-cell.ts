import { ExemplarCell } from "./exemplar-cell.js";
import type { Labels } from "./exposition-types.js";

/**
 * One histogram series: a count per bucket (the last one is `+Inf`), the sum and the
 * count. Observing walks the bounds and adds to numbers; the cumulative `_bucket`
 * lines and their label sets are made at scrape time and setup time respectively.
 */
export class HistogramCell {
  /** Observations per bucket, not cumulative; index `bounds.length` is `+Inf`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** The label set of each `_bucket` line, `le` included, in bucket order. */
  readonly bucketLabels: readonly Labels[];
  /** One per bucket when exemplars are on. */
  readonly exemplars: readonly ExemplarCell[] | undefined;

  constructor(
    readonly labels: Labels,
    readonly bounds: readonly number[],
    exemplars: boolean,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.bucketLabels = [...bounds, "+Inf" as const].map((le) => Object.freeze({ ...labels, le }));
    this.exemplars = exemplars ? Array.from({ length: bounds.length + 1 }, () => new ExemplarCell()) : undefined;
  }

  observe(seconds: number, traceId: string | undefined, timestampMs: number): void {
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] ?? Infinity)) {
      bucket += 1;
    }
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.sum += seconds;
    this.count += 1;
    if (traceId !== undefined) {
      this.exemplars?.[bucket]?.set(traceId, seconds, timestampMs);
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    for (const exemplar of this.exemplars ?? []) {
      exemplar.clear();
    }
  }
}
