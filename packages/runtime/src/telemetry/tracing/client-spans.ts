import { SpanKind, createContextKey, propagation, trace } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import type { ClientCallStart, MethodObserver } from "../../observer.js";
import { methodAttributes, peerAttributesOf, serverAttributes, withRequestAttributes } from "../attributes.js";
import type { ClientMethodFacts } from "../method-facts.js";
import { CallSpan, HeaderCapturingSpan } from "./call-span.js";
import { metadataSetter } from "./metadata-carrier.js";
import type { SideSettings } from "./tracing.js";

/**
 * CLIENT spans for one method of a client on `target`. The span is a child of the
 * context the call was made in, starts with the attributes samplers need, and is
 * propagated in the request metadata with the global propagator. grpc-js starts the
 * call with tracing suppressed below the span: it is the call's one client span, and
 * an instrumentation of grpc-js such as @opentelemetry/instrumentation-grpc must
 * neither start a second nor replace the trace headers already in the metadata.
 */
export function clientSpans(
  settings: SideSettings,
  { method, client }: ClientMethodFacts,
  messageEvents: boolean,
): MethodObserver<ClientCallStart> {
  const { tracer, conventions } = settings;
  const attributes: Attributes = {
    ...methodAttributes(method, conventions),
    ...serverAttributes(client.server, "client", conventions),
  };
  const peer = peerAttributesOf("client", conventions);
  const SpanObserver = settings.responseMetadata.isEmpty ? CallSpan : HeaderCapturingSpan;
  return {
    ownsSpans: true,
    start(call) {
      const span = tracer.startSpan(
        method.fullName,
        { kind: SpanKind.CLIENT, attributes: withRequestAttributes(attributes, method, call.request), startTime: call.startTime },
        call.context,
      );
      const context = trace.setSpan(call.context, span);
      if (!settings.requestMetadata.isEmpty && span.isRecording()) {
        span.setAttributes(settings.requestMetadata.attributes(call.metadata));
      }
      try {
        propagation.inject(context, call.metadata, metadataSetter);
      } catch (err) {
        settings.reportPropagationFailure(err);
      }
      return new SpanObserver(span, context, settings, messageEvents, peer, suppressTracing(context));
    },
  };
}

// The key of @opentelemetry/core's suppressTracing(). Context keys are registered
// symbols (Symbol.for), so the same description gives the same key without depending
// on @opentelemetry/core, which applications need not install.
const SUPPRESS_TRACING_KEY = createContextKey("OpenTelemetry SDK Context Key SUPPRESS_TRACING");

/**
 * Marks a context so that instrumentations running in it start no spans and inject no
 * trace headers (the SDK's tracer and the standard propagators honour the mark).
 */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
