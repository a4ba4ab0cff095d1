import type { Telemetry } from "../../observer.js";
import type { SemconvMode } from "../semconv.js";
import { clientSpans } from "./client-spans.js";
import { serverSpans } from "./server-spans.js";
import { sideSettings } from "./side-settings.js";
import type { SideSettings } from "./side-settings.js";
import type { TracingOptions } from "./tracing-options.js";

/** Client and server spans for every call (TELEMETRY.md §1). */
export function createTracing(options: TracingOptions, mode: SemconvMode): Telemetry {
  // A client uses one side, a server the other: each is set up on first use.
  let client: SideSettings | undefined;
  let server: SideSettings | undefined;
  return {
    clientMethod(method, target) {
      client ??= sideSettings(options, mode, "client");
      return clientSpans(client, method, target);
    },
    serverMethod(method) {
      server ??= sideSettings(options, mode, "server");
      return serverSpans(server, method);
    },
  };
}
