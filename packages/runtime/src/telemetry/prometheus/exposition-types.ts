// What a prom-client registry reads from a registered metric when it renders the
// exposition (`registry.metrics()`) or JSON (`getMetricsAsJSON()`): the object `get()`
// resolves to, prom-client's `MetricObjectWithValues`.

/** Label names to values. */
export type Labels = Readonly<Record<string, string | number>>;

/** An OpenMetrics exemplar as prom-client renders it: `# {labels} value timestamp`. */
export interface ExemplarSample {
  readonly labelSet: Labels;
  readonly value: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

/** One line of the exposition. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** The line's metric name when it differs from the family's (`…_bucket`, `…_sum`, `…_count`). */
  readonly metricName?: string;
  readonly exemplar?: ExemplarSample;
}

/** One metric family at one scrape. */
export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** How prom-client's cluster mode combines workers: counts add up. */
  readonly aggregator: "sum";
  readonly values: readonly Sample[];
}
