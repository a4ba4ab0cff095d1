import type { ExemplarSample, Labels } from "./cells.js";
import type { CounterFamily, GaugeFamily, HistogramFamily, MetricFamily } from "./metric-families.js";
import type { MethodSeries } from "./method-series.js";

// What a prom-client registry reads from a registered metric when it renders the
// exposition (`registry.metrics()`) or JSON (`getMetricsAsJSON()`): the object `get()`
// resolves to, prom-client's `MetricObjectWithValues`.

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

/**
 * One metric family as a prom-client registry sees it. It is registered like
 * prom-client's own metrics and read the same way, through `get()`, when the registry
 * renders a scrape; the numbers stay in the MethodSeries, which calls update by adding
 * to plain fields. So nothing reaches prom-client per call: no label object, no label
 * hashing, no string building (prom-client's `inc`/`observe` hash the labels on every
 * call, and its histograms cannot take counts in bulk).
 */
export class FamilyCollector {
  /** Not readonly: prom-client's OpenMetrics rendering drops a counter's `_total` here. */
  name: string;
  readonly help: string;
  readonly type: MetricFamily["type"];
  readonly aggregator = "sum";

  constructor(
    private readonly family: MetricFamily,
    private readonly seriesOf: () => Iterable<MethodSeries>,
    private readonly exemplarLabel: string | undefined,
  ) {
    this.name = family.name;
    this.help = family.help;
    this.type = family.type;
  }

  /** The family's samples now; what prom-client renders. */
  get(): Promise<FamilySnapshot> {
    const values: Sample[] = [];
    for (const series of this.seriesOf()) {
      if (this.family.type !== "histogram") {
        this.counterSamples(this.family, series, values);
      } else {
        this.histogramSamples(this.family, series, values);
      }
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /**
   * `registry.resetMetrics()`: this family's numbers go back to zero; its series stay.
   * A gauge of calls in flight keeps its value: those calls are still in flight, and
   * their ends would take it below zero.
   */
  reset(): void {
    const { family } = this;
    if (family.type === "gauge") {
      return;
    }
    for (const series of this.seriesOf()) {
      if (family.type === "counter") {
        for (const cell of family.cells(series)) {
          cell.reset();
        }
      } else {
        family.cell(series)?.reset();
      }
    }
  }

  private counterSamples(family: CounterFamily | GaugeFamily, series: MethodSeries, out: Sample[]): void {
    // A gauge that went back to 0 stays shown, as the counters of its calls do.
    const shown = series.zeroSeries || (family.type === "gauge" && series.started.value > 0);
    for (const cell of family.cells(series)) {
      if (cell.value === 0 && !shown) {
        continue;
      }
      const exemplar = this.exemplarLabel === undefined ? undefined : cell.exemplar?.sample(this.exemplarLabel);
      out.push(exemplar === undefined ? { labels: cell.labels, value: cell.value } : { labels: cell.labels, value: cell.value, exemplar });
    }
  }

  private histogramSamples(family: HistogramFamily, series: MethodSeries, out: Sample[]): void {
    const cell = family.cell(series);
    if (cell === undefined || (cell.count === 0 && !series.zeroSeries)) {
      return;
    }
    const bucketName = `${family.name}_bucket`;
    let cumulative = 0;
    cell.bucketLabels.forEach((labels, bucket) => {
      cumulative += cell.counts[bucket] ?? 0;
      const exemplar = this.exemplarLabel === undefined ? undefined : cell.exemplars?.[bucket]?.sample(this.exemplarLabel);
      out.push(
        exemplar === undefined
          ? { labels, value: cumulative, metricName: bucketName }
          : { labels, value: cumulative, metricName: bucketName, exemplar },
      );
    });
    out.push({ labels: cell.labels, value: cell.sum, metricName: `${family.name}_sum` });
    out.push({ labels: cell.labels, value: cell.count, metricName: `${family.name}_count` });
  }
}
