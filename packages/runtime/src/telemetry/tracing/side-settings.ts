import { diag, trace } from "@opentelemetry/api";
import type { Attributes, Tracer } from "@opentelemetry/api";
import type { MethodDefinition } from "../../service.js";
import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES, errorCodeTable } from "../error-codes.js";
import type { SemconvMode } from "../semconv.js";
import { MetadataCapture } from "./metadata-capture.js";
import { conventionsOf, statusAttributes } from "./span-conventions.js";
import type { Conventions } from "./span-conventions.js";
import { SCOPE_NAME, SCOPE_VERSION } from "../instrumentation-scope.js";
import { reportOnce } from "../../process-state.js";
import type { Side } from "../../observer.js";
import type { TracingOptions } from "./tracing-options.js";

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
  /** The status attributes of each code 0…16, by code. */
  readonly statusAttributes: readonly Attributes[];
  /** Reports a propagator that threw; the call keeps its span and goes on. */
  readonly reportPropagationFailure: (err: unknown) => void;
}

export function sideSettings(options: TracingOptions, mode: SemconvMode, side: Side): SideSettings {
  const conventions = conventionsOf(mode);
  const isError = errorCodeTable(options.errorCodes ?? (side === "client" ? CLIENT_ERROR_CODES : SERVER_ERROR_CODES));
  return {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME, SCOPE_VERSION),
    conventions,
    messageEvents: options.messageEvents === true,
    requestMetadata: new MetadataCapture(options.requestMetadata ?? [], "request", conventions),
    responseMetadata: new MetadataCapture(options.responseMetadata ?? [], "response", conventions),
    isError,
    statusAttributes: isError.map((error, code) => statusAttributes(code, error, conventions)),
    reportPropagationFailure: (err) => {
      reportOnce(`trace propagation on the ${side} side failed`, () => {
        diag.error(`protoc-gen-ts-otel-runtime: trace propagation failed on the ${side} side; calls go on unpropagated`, err);
      });
    },
  };
}

/** Whether a method's spans get `rpc.message` events. */
export function messageEventsFor(settings: SideSettings, method: MethodDefinition): boolean {
  return settings.messageEvents || method.telemetry?.messageEvents === true;
}
