import { diag, trace } from "@opentelemetry/api";
import type { Attributes, Tracer } from "@opentelemetry/api";
import { reportOnce } from "../../process-state.js";
import type { Side, TelemetryObserver } from "../../observer.js";
import type { MethodDefinition } from "../../service.js";
import { conventionsOf, statusAttributes } from "../attributes.js";
import type { Conventions } from "../attributes.js";
import { PerCode, errorTable } from "../code-tables.js";
import type { TracingOptions } from "../options.js";
import { SCOPE_NAME, SCOPE_VERSION } from "../semconv.js";
import type { SemconvMode } from "../semconv.js";
import { clientSpans } from "./client-spans.js";
import { MetadataCapture } from "./metadata-capture.js";
import { serverSpans } from "./server-spans.js";

/** Client and server spans for every call (docs/telemetry.md#spans). */
export function createTracing(options: TracingOptions, mode: SemconvMode): TelemetryObserver {
  // A client uses one side, a server the other: each is set up on first use.
  let client: SideSettings | undefined;
  let server: SideSettings | undefined;
  return {
    observeClientMethod(facts) {
      client ??= sideSettings(options, mode, "client");
      return clientSpans(client, facts, messageEventsFor(client, facts.method));
    },
    observeServerMethod(facts) {
      server ??= sideSettings(options, mode, "server");
      return serverSpans(server, facts.method, messageEventsFor(server, facts.method));
    },
  };
}

/** Everything the spans of one side share, built once when a client or server is created. */
export interface SideSettings {
  readonly tracer: Tracer;
  readonly conventions: Conventions;
  /** `rpc.message` events for every method (the option); the proto may ask for them per method. */
  readonly messageEvents: boolean;
  readonly requestMetadata: MetadataCapture;
  readonly responseMetadata: MetadataCapture;
  /** Whether a status code marks this side's span as an error, by code. */
  readonly isError: readonly boolean[];
  /** The status attributes of each code. */
  readonly statusAttributes: PerCode<Attributes>;
  /** Reports a propagator that threw; the call keeps its span and goes on. */
  readonly reportPropagationFailure: (err: unknown) => void;
}

function sideSettings(options: TracingOptions, mode: SemconvMode, side: Side): SideSettings {
  const conventions = conventionsOf(mode);
  const isError = errorTable(side, options.errorCodes);
  return {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME, SCOPE_VERSION),
    conventions,
    messageEvents: options.messageEvents === true,
    requestMetadata: new MetadataCapture(options.requestMetadata ?? [], "request", conventions),
    responseMetadata: new MetadataCapture(options.responseMetadata ?? [], "response", conventions),
    isError,
    statusAttributes: new PerCode((code) => statusAttributes(code, isError[code] === true, conventions)),
    reportPropagationFailure: (err) => {
      reportOnce(`trace propagation on the ${side} side failed`, () => {
        diag.error(`protoc-gen-ts-otel-runtime: trace propagation failed on the ${side} side; calls go on unpropagated`, err);
      });
    },
  };
}

/** Whether a method's spans get `rpc.message` events. */
function messageEventsFor(settings: SideSettings, method: MethodDefinition): boolean {
  return settings.messageEvents || method.telemetry?.messageEvents === true;
}
