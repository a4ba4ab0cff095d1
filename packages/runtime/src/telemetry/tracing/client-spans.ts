import { SpanKind, propagation, trace } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import type { ClientCallStart, MethodObserver } from "../../observer.js";
import type { MethodDefinition } from "../../service.js";
import { parseTarget } from "../parse-target.js";
import { CallSpan } from "./call-span.js";
import { metadataSetter } from "./metadata-carrier.js";
import { messageEventsFor } from "./side-settings.js";
import type { SideSettings } from "./side-settings.js";
import { withRequestAttributes } from "./request-attributes.js";
import { suppressTracing } from "./suppress-tracing.js";
import { methodAttributes, peerAttributesOf, serverAttributes } from "./span-conventions.js";

/**
 * CLIENT spans for one method of a client on `target`. The span is a child of the
 * context the call was made in, starts with the attributes samplers need, and is
 * propagated in the request metadata with the global propagator. grpc-js starts the
 * call with tracing suppressed below the span: it is the call's one client span, and
 * an instrumentation of grpc-js such as @opentelemetry/instrumentation-grpc must
 * neither start a second nor replace the trace headers already in the metadata.
 */
export function clientSpans(settings: SideSettings, method: MethodDefinition, target: string): MethodObserver<ClientCallStart> {
  const { tracer, conventions } = settings;
  const attributes: Attributes = {
    ...methodAttributes(method, conventions),
    ...serverAttributes(parseTarget(target), "client", conventions),
  };
  const messageEvents = messageEventsFor(settings, method);
  const peer = peerAttributesOf("client", conventions);
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
      return new CallSpan(span, context, settings, messageEvents, peer, suppressTracing(context));
    },
  };
}
