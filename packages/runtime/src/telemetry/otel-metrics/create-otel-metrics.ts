import { metrics } from "@opentelemetry/api";
import type { Meter } from "@opentelemetry/api";
import type { ClientCallStart, MethodObserver, ServerCallStart, Telemetry } from "../../observer.js";
import type { MethodDefinition } from "../../service.js";
import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES, errorCodeTable } from "../error-codes.js";
import { parseTarget } from "../parse-target.js";
import type { SemconvMode } from "../semconv.js";
import { MethodMetrics } from "./method-metrics.js";
import type { ClientTarget } from "./method-metrics.js";
import type { MetricsOptions } from "./metrics-options.js";
import { observeMethod } from "./otel-metrics-call.js";
import { createSideInstruments } from "./side-instruments.js";
import type { SideInstruments } from "./side-instruments.js";
import type { Side } from "./side.js";
import { SCOPE_NAME, SCOPE_VERSION } from "../instrumentation-scope.js";

/** What every method of one side shares. */
interface SideMetrics {
  readonly instruments: SideInstruments;
  /** `isError[code]`: whether the code gets an `error.type` on this side. */
  readonly isError: readonly boolean[];
}

/**
 * OpenTelemetry metrics for every call (TELEMETRY.md §2): the call duration histograms
 * of the conventions `mode` selects, and the opt-in gRFC A66 and message size families.
 * Instruments are made for a side when its first method is set up; attribute sets per
 * method and status code when first needed.
 */
export function createOtelMetrics(options: MetricsOptions, mode: SemconvMode): Telemetry {
  let meter: Meter | undefined;
  const sides: Partial<Record<Side, SideMetrics>> = {};
  const methodMetrics = (side: Side, method: MethodDefinition, client: ClientTarget | undefined): MethodMetrics => {
    meter ??= (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME, SCOPE_VERSION);
    const { instruments, isError } = (sides[side] ??= {
      instruments: createSideInstruments(meter, side, mode, options),
      isError: errorCodeTable(options.errorCodes ?? (side === "client" ? CLIENT_ERROR_CODES : SERVER_ERROR_CODES)),
    });
    return new MethodMetrics(instruments, method, isError, client);
  };
  return {
    clientMethod(method, target): MethodObserver<ClientCallStart> {
      return observeMethod(methodMetrics("client", method, { target, server: parseTarget(target) }));
    },
    serverMethod(method): MethodObserver<ServerCallStart> {
      return observeMethod(methodMetrics("server", method, undefined));
    },
  };
}
