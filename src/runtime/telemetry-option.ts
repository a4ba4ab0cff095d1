import { combineTelemetry } from "./observer.js";
import type { Telemetry } from "./observer.js";

/** The `telemetry` option of clients and servers: one implementation or several. */
export type TelemetryOption = Telemetry | readonly Telemetry[];

export function resolveTelemetry(option: TelemetryOption | undefined): Telemetry | undefined {
  if (option === undefined) {
    return undefined;
  }
  return isTelemetryList(option) ? combineTelemetry(option) : option;
}

function isTelemetryList(option: TelemetryOption): option is readonly Telemetry[] {
  return Array.isArray(option);
}
