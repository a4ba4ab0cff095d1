// An OpenTelemetry MeterProvider whose metrics a test collects on demand, reduced to
// the parts tests assert on.
import type { Attributes } from "@opentelemetry/api";
import { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { MetricData } from "@opentelemetry/sdk-metrics";

class OnDemandReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One histogram data point: its attributes, count, sum and bucket boundaries. */
export interface HistogramPoint {
  readonly attributes: Attributes;
  readonly count: number;
  readonly sum: number;
  readonly boundaries: readonly number[];
}

/** One counter data point. */
export interface SumPoint {
  readonly attributes: Attributes;
  readonly value: number;
}

export interface CollectedMetric {
  readonly name: string;
  readonly unit: string;
  readonly histogram: readonly HistogramPoint[];
  readonly sum: readonly SumPoint[];
}

export interface TestMeters {
  readonly meterProvider: MeterProvider;
  /** Every metric recorded so far, by name. */
  collect(): Promise<Map<string, CollectedMetric>>;
}

export function testMeters(): TestMeters {
  const { reader, collect } = testMetricReader();
  return { meterProvider: new MeterProvider({ readers: [reader] }), collect };
}

/** A metric reader to hand to an SDK (NodeSDK's `metricReader`), collected on demand. */
export function testMetricReader(): { reader: MetricReader; collect: TestMeters["collect"] } {
  const reader = new OnDemandReader();
  return {
    reader,
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) {
        throw new AggregateError(errors, "collecting metrics failed");
      }
      const metrics = new Map<string, CollectedMetric>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          metrics.set(metric.descriptor.name, reduce(metric));
        }
      }
      return metrics;
    },
  };
}

function reduce(metric: MetricData): CollectedMetric {
  const { name, unit } = metric.descriptor;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    const histogram = metric.dataPoints.map((p) => ({
      attributes: p.attributes,
      count: p.value.count,
      sum: p.value.sum ?? NaN,
      boundaries: p.value.buckets.boundaries,
    }));
    return { name, unit, histogram, sum: [] };
  }
  if (metric.dataPointType === DataPointType.SUM) {
    return { name, unit, histogram: [], sum: metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })) };
  }
  throw new Error(`unexpected data point type of ${name}`);
}
