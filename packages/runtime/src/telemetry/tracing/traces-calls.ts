import type { MethodDefinition } from "../../service.js";
import type { TelemetryOption } from "../create-telemetry.js";

/**
 * Whether the built-in tracing traces a method's calls: it is on unless the client's or
 * server's `telemetry` option turns it off, or the method's proto options do.
 */
export function tracesCalls(option: TelemetryOption | undefined, method: MethodDefinition): boolean {
  return option !== false && option?.tracing !== false && method.telemetry?.tracing !== false;
}
