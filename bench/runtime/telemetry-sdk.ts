// The OpenTelemetry SDK of the instrumented variants, the same in every one of them:
// what an application registers at startup, with an exporter that counts spans
// instead of sending them, so the benchmark measures the instrumentation and not a
// network exporter, and can check afterwards that every call made its span.
import { SpanKind, metrics } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ExportResultCode } from "@opentelemetry/core";
import type { ExportResult } from "@opentelemetry/core";
import { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { AlwaysOnSampler, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** Counts exported spans by kind and drops them. */
export class CountingSpanExporter implements SpanExporter {
  private readonly counts = new Map<SpanKind, number>();

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const span of spans) {
      this.counts.set(span.kind, (this.counts.get(span.kind) ?? 0) + 1);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  count(kind: SpanKind): number {
    return this.counts.get(kind) ?? 0;
  }

  total(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A pull reader read once, at the end: recording costs what it costs under any
 * reader, and nothing is exported while the benchmark runs.
 */
export class CollectingMetricReader extends MetricReader {
  /** The sum of the counts of every histogram point named `name`. */
  async histogramCount(name: string): Promise<number> {
    const { resourceMetrics } = await this.collect();
    let count = 0;
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name === name && metric.dataPointType === DataPointType.HISTOGRAM) {
          for (const point of metric.dataPoints) count += point.value.count;
        }
      }
    }
    return count;
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface InstalledSdk {
  readonly spans: CountingSpanExporter;
  readonly metricReader: CollectingMetricReader;
  /** Exports the spans still in the batch processor. */
  flush(): Promise<void>;
}

let installed: InstalledSdk | undefined;

/**
 * Registers the SDK globally (tracer provider, meter provider, AsyncLocalStorage
 * context manager, W3C propagator), once per process: the instrumentation-grpc
 * preload and the process's main module share it.
 */
export function installSdk(): InstalledSdk {
  if (installed !== undefined) {
    return installed;
  }
  const spans = new CountingSpanExporter();
  const tracerProvider = new NodeTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(spans)],
  });
  tracerProvider.register({ contextManager: new AsyncLocalStorageContextManager() });
  const metricReader = new CollectingMetricReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [metricReader] }));
  installed = { spans, metricReader, flush: () => tracerProvider.forceFlush() };
  return installed;
}

export function installedSdk(): InstalledSdk | undefined {
  return installed;
}
