import { diag } from "@opentelemetry/api";
import { processState, reportOnce } from "../../process-state.js";
import type { MethodDefinition } from "../../service.js";
import { FamilyCollector } from "./family-collector.js";
import { familiesOf } from "./metric-families.js";
import { MethodSeries } from "./method-series.js";
import type { LabelCombinations } from "../metric-labels.js";
import type { Side } from "../../observer.js";
import type { SeriesShape } from "./method-series.js";
import type { PrometheusRegistry } from "../options.js";

const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text";

/**
 * The gRPC metric families of one registry and the series behind them: one per
 * registry and process, found again by every client and server created later (two
 * servers, re-creation in tests, hot reload, the other build of the runtime). They
 * share its families and per-method series, so nothing is registered twice and no
 * count splits.
 */
export class RegistryMetrics {
  /** By side and method path: one MethodSeries per combination of the method's metric label values. */
  private readonly series: Record<Side, Map<string, readonly MethodSeries[]>> = { server: new Map(), client: new Map() };
  private readonly collectors = new Map<string, FamilyCollector>();

  private constructor(
    private readonly registry: PrometheusRegistry,
    /** Set by the first client or server that reported to this registry. */
    readonly shape: SeriesShape,
  ) {
    if (shape.exemplarLabel !== undefined && registry.contentType?.startsWith(OPENMETRICS_CONTENT_TYPE) !== true) {
      reportOnce("exemplars without OpenMetrics", () => {
        diag.warn(
          "protoc-gen-ts-otel-runtime: Prometheus exemplars are on, but the registry renders the Prometheus text format, which has no exemplars; use an OpenMetrics registry",
        );
      });
    }
  }

  /**
   * The registry's gRPC metrics: those this process already made for it (in either
   * build of the runtime), or new ones of `shape` when there are none or the registry
   * was cleared of them (`registry.clear()` starts the counts afresh).
   */
  static of(registry: PrometheusRegistry, shape: SeriesShape): RegistryMetrics {
    const { registries } = processState();
    // Made by this version of the runtime (the state is per version), so of this class.
    const existing = registries.get(registry) as RegistryMetrics | undefined;
    if (existing?.isRegistered() === true) {
      existing.warnIfShapeDiffers(shape);
      return existing;
    }
    const metrics = new RegistryMetrics(registry, shape);
    registries.set(registry, metrics);
    return metrics;
  }

  /**
   * The series of a method on one side, one per combination of its metric label values, registering the side's families first if the
   * registry does not hold them (the first time, or after `registry.clear()` removed
   * them). Throws when the registry holds another metric under one of their names.
   */
  methodSeries(side: Side, method: MethodDefinition, labels: LabelCombinations, zeroSeries: boolean): readonly MethodSeries[] {
    this.registerFamilies(side);
    const bySide = this.series[side];
    let series = bySide.get(method.path);
    if (series === undefined) {
      series = labels.labels.map((requestLabels) => new MethodSeries(side, method, this.shape, requestLabels));
      bySide.set(method.path, series);
    }
    if (zeroSeries) {
      for (const one of series) one.zeroSeries = true;
    }
    return series;
  }

  /** Whether the registry still holds any of the families registered there. */
  private isRegistered(): boolean {
    for (const [name, collector] of this.collectors) {
      if (this.registry.getSingleMetric(name) === collector) {
        return true;
      }
    }
    return false;
  }

  private registerFamilies(side: Side): void {
    for (const family of familiesOf(side, this.shape)) {
      let collector = this.collectors.get(family.name);
      if (collector === undefined) {
        collector = new FamilyCollector(family, () => allSeries(this.series[side]), this.shape.exemplarLabel);
        this.collectors.set(family.name, collector);
      }
      const registered = this.registry.getSingleMetric(family.name);
      if (registered === collector) {
        continue;
      }
      if (registered !== undefined) {
        throw new Error(
          `the Prometheus registry already holds a metric named ${family.name} that this version of protoc-gen-ts-otel-runtime did not create; gRPC metrics of this ${side} are not reported there`,
        );
      }
      this.registry.registerMetric(collector as never);
    }
  }

  private warnIfShapeDiffers(shape: SeriesShape): void {
    if (JSON.stringify(shape) !== JSON.stringify(this.shape)) {
      reportOnce("Prometheus options differ", () => {
        diag.warn(
          `protoc-gen-ts-otel-runtime: Prometheus options differ from those the gRPC metrics of this registry were created with; they keep ${JSON.stringify(this.shape)}`,
        );
      });
    }
  }
}

function* allSeries(byMethod: ReadonlyMap<string, readonly MethodSeries[]>): Iterable<MethodSeries> {
  for (const series of byMethod.values()) yield* series;
}
