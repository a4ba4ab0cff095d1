import { diag } from "@opentelemetry/api";
import type { MethodDefinition } from "../../service.js";
import { FamilyCollector } from "./family-collector.js";
import { ALL_FAMILY_NAMES, familiesOf } from "./metric-families.js";
import { MethodSeries } from "./method-series.js";
import type { SeriesShape, Side } from "./method-series.js";
import type { PrometheusRegistry } from "./prometheus-options.js";

const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text";

/**
 * The gRPC metric families of one registry and the series behind them: one per
 * registry, found again through its registered collectors by every client and server
 * created later (two servers, re-creation in tests, hot reload). They share its
 * families and per-method series, so nothing is registered twice and no count splits.
 */
export class RegistryMetrics {
  private readonly series: Record<Side, Map<string, MethodSeries>> = { server: new Map(), client: new Map() };
  private readonly collectors = new Map<string, FamilyCollector>();
  private warnedShape = false;

  private constructor(
    private readonly registry: PrometheusRegistry,
    /** Set by the first client or server that reported to this registry. */
    readonly shape: SeriesShape,
  ) {
    if (shape.exemplarLabel !== undefined && registry.contentType?.startsWith(OPENMETRICS_CONTENT_TYPE) !== true) {
      diag.warn(
        "protoc-gen-ts-otel: Prometheus exemplars are on, but the registry renders the Prometheus text format, which has no exemplars; use an OpenMetrics registry",
      );
    }
  }

  /** The registry's gRPC metrics: those already registered there, or new ones of `shape`. */
  static of(registry: PrometheusRegistry, shape: SeriesShape): RegistryMetrics {
    for (const name of ALL_FAMILY_NAMES) {
      const owner = ownerOf(registry.getSingleMetric(name));
      if (owner !== undefined) {
        owner.warnIfShapeDiffers(shape);
        return owner;
      }
    }
    return new RegistryMetrics(registry, shape);
  }

  /**
   * The series of a method on one side, registering the side's families first if the
   * registry does not hold them (the first time, or after `registry.clear()` removed
   * them). Throws when the registry holds another metric under one of their names.
   */
  methodSeries(side: Side, method: MethodDefinition, zeroSeries: boolean): MethodSeries {
    this.registerFamilies(side);
    const bySide = this.series[side];
    let series = bySide.get(method.path);
    if (series === undefined) {
      series = new MethodSeries(side, method, this.shape);
      bySide.set(method.path, series);
    }
    if (zeroSeries) {
      series.zeroSeries = true;
    }
    return series;
  }

  private registerFamilies(side: Side): void {
    for (const family of familiesOf(side, this.shape)) {
      let collector = this.collectors.get(family.name);
      if (collector === undefined) {
        collector = new FamilyCollector(family, () => this.series[side].values(), this.shape.exemplarLabel, this);
        this.collectors.set(family.name, collector);
      }
      const registered = this.registry.getSingleMetric(family.name);
      if (registered === collector) {
        continue;
      }
      if (registered !== undefined) {
        throw new Error(
          `the Prometheus registry already holds a metric named ${family.name} that protoc-gen-ts-otel did not create; gRPC metrics of this ${side} are not reported there`,
        );
      }
      this.registry.registerMetric(collector as never);
    }
  }

  private warnIfShapeDiffers(shape: SeriesShape): void {
    if (this.warnedShape || JSON.stringify(shape) === JSON.stringify(this.shape)) {
      return;
    }
    this.warnedShape = true;
    diag.warn(
      `protoc-gen-ts-otel: Prometheus options differ from those the gRPC metrics of this registry were created with; they keep ${JSON.stringify(this.shape)}`,
    );
  }
}

// The collectors carry their RegistryMetrics as `owner`; anything else under one of
// our names is someone else's metric.
function ownerOf(metric: unknown): RegistryMetrics | undefined {
  if (metric instanceof FamilyCollector && metric.owner instanceof RegistryMetrics) {
    return metric.owner;
  }
  return undefined;
}
