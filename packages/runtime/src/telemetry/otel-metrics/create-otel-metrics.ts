import { createNoopMeter, metrics } from "@opentelemetry/api";
import type { Meter } from "@opentelemetry/api";
import type { Side, TelemetryObserver } from "../../observer.js";
import { errorTable } from "../code-tables.js";
import type { MethodFacts } from "../method-facts.js";
import type { MetricsOptions } from "../options.js";
import { SCOPE_NAME, SCOPE_VERSION } from "../semconv.js";
import type { SemconvMode } from "../semconv.js";
import { createSideInstruments } from "./instruments.js";
import type { SideInstruments } from "./instruments.js";
import { MethodMetrics } from "./method-metrics.js";
import { instrumentsObserver } from "./otel-metrics-call.js";

/**
 * What every method of one side shares: the instruments, and whether a code is an error.
 *
 * Without a `meterProvider` option the instruments come from the global provider. The
 * metrics API has no proxy, so a client or server made before the SDK is registered
 * (at import time, say) would get the API's no-op meter for good; instead, as long as
 * the meter is the no-op one, each call looks again, and once an SDK is registered its
 * instruments take over from the next call on. With an SDK in place from the start
 * there is nothing to look for.
 */
export class SideMetrics {
  instruments: SideInstruments;
  private waiting: boolean;

  constructor(
    private readonly meter: () => Meter,
    private readonly build: (meter: Meter) => SideInstruments,
    /** `isError[code]`: whether the code gets an `error.type` on this side. */
    readonly isError: readonly boolean[],
  ) {
    const first = meter();
    this.instruments = build(first);
    this.waiting = first === createNoopMeter();
  }

  /** Called as each call starts. */
  refresh(): void {
    if (this.waiting) {
      const meter = this.meter();
      if (meter !== createNoopMeter()) {
        this.waiting = false;
        this.instruments = this.build(meter);
      }
    }
  }
}

/**
 * OpenTelemetry metrics for every call (docs/telemetry.md#opentelemetry-metrics): the call duration histograms
 * of the conventions `mode` selects, and the opt-in gRFC A66 and message size families.
 * Instruments are made for a side when its first method is set up; attribute sets per
 * method and status code when first needed.
 */
export function createOtelMetrics(options: MetricsOptions, mode: SemconvMode): TelemetryObserver {
  const provider = options.meterProvider;
  const meter = (): Meter => (provider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME, SCOPE_VERSION);
  const sides: Partial<Record<Side, SideMetrics>> = {};
  const methodMetrics = (facts: MethodFacts): MethodMetrics => {
    const { side } = facts;
    const sideMetrics = (sides[side] ??= new SideMetrics(
      meter,
      (m) => createSideInstruments(m, side, mode, options),
      errorTable(side, options.errorCodes),
    ));
    return new MethodMetrics(sideMetrics, facts);
  };
  return {
    observeClientMethod: (facts) => instrumentsObserver(methodMetrics(facts), facts.labels),
    observeServerMethod: (facts) => instrumentsObserver(methodMetrics(facts), facts.labels),
  };
}
