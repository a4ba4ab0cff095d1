// The numbers behind the Prometheus families: plain fields that calls add to, read by
// the family collectors when a registry renders a scrape.

/** Label names to values. */
export type Labels = Readonly<Record<string, string | number>>;

/** An OpenMetrics exemplar as prom-client renders it: `# {labels} value timestamp`. */
export interface ExemplarSample {
  readonly labelSet: Labels;
  readonly value: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

/**
 * The latest exemplar of one counter or histogram bucket: the trace id of the last
 * sampled call that moved it. Overwritten in place, so recording allocates nothing;
 * the exemplar object is built at scrape time.
 */
export class ExemplarCell {
  private traceId = "";
  private value = 0;
  private timestampMs = 0;

  set(traceId: string, value: number, timestampMs: number): void {
    this.traceId = traceId;
    this.value = value;
    this.timestampMs = timestampMs;
  }

  clear(): void {
    this.traceId = "";
  }

  /** The exemplar under `label`, or undefined when no sampled call has moved this cell. */
  sample(label: string): ExemplarSample | undefined {
    if (this.traceId === "") {
      return undefined;
    }
    return { labelSet: { [label]: this.traceId }, value: this.value, timestamp: this.timestampMs / 1000 };
  }
}

/** One counter series: its labels, fixed when the method is set up, and its value. */
export class CounterCell {
  value = 0;
  /** Present when exemplars are on. */
  readonly exemplar: ExemplarCell | undefined;

  constructor(
    readonly labels: Labels,
    exemplars: boolean,
  ) {
    this.exemplar = exemplars ? new ExemplarCell() : undefined;
  }

  /** Adds one; `traceId` is the call's sampled trace, if any, for the exemplar. */
  inc(traceId: string | undefined, timestampMs: number): void {
    this.value += 1;
    if (traceId !== undefined) {
      this.exemplar?.set(traceId, 1, timestampMs);
    }
  }

  reset(): void {
    this.value = 0;
    this.exemplar?.clear();
  }
}

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
