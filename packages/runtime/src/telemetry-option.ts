import { createTelemetry } from "./telemetry/create-telemetry.js";
import type { TelemetryOption } from "./telemetry/create-telemetry.js";
import type { Telemetry } from "./observer.js";

export type { TelemetryOption };

/** Resolves a client's or server's `telemetry` option once, at its creation. */
export function resolveTelemetry(option: TelemetryOption | undefined): Telemetry | undefined {
  return createTelemetry(option);
}
