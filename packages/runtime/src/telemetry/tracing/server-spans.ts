import { SpanKind, propagation, trace } from "@opentelemetry/api";
import type { Attributes, Context } from "@opentelemetry/api";
import type { MethodObserver, ServerCallStart } from "../../observer.js";
import { methodRootContext } from "../../log-fields.js";
import type { MethodDefinition } from "../../service.js";
import { memoLast, methodAttributes, peerAttributesOf, serverAttributes, withRequestAttributes } from "../attributes.js";
import { parseTarget } from "../parse-target.js";
import { CallSpan, HeaderCapturingSpan } from "./call-span.js";
import { metadataGetter } from "./metadata-carrier.js";
import type { SideSettings } from "./tracing.js";

/**
 * SERVER spans for one method. The parent is what the request metadata carries
 * (extracted from a fresh root, so nothing of the server's own context leaks in); a
 * request without trace headers, or with malformed ones, starts a new trace. The root
 * is the method's, marked for `logFields` once: the span's context is then the
 * handler's as it is, without a copy per call to mark it.
 */
export function serverSpans(settings: SideSettings, method: MethodDefinition, messageEvents: boolean): MethodObserver<ServerCallStart> {
  const { tracer, conventions } = settings;
  const common = methodAttributes(method, conventions);
  const startAttributes = memoLast(
    (authority): Attributes =>
      authority === "" ? common : { ...common, ...serverAttributes(parseTarget(authority), "server", conventions) },
  );
  const peer = peerAttributesOf("server", conventions);
  const root = methodRootContext(method);
  const SpanObserver = settings.responseMetadata.isEmpty ? CallSpan : HeaderCapturingSpan;
  return {
    ownsSpans: true,
    start(call) {
      let parent: Context;
      try {
        parent = propagation.extract(root, call.metadata, metadataGetter);
      } catch (err) {
        settings.reportPropagationFailure(err);
        parent = root;
      }
      const span = tracer.startSpan(
        method.fullName,
        {
          kind: SpanKind.SERVER,
          attributes: withRequestAttributes(startAttributes(call.host ?? ""), method, call.request),
          startTime: call.startTime,
        },
        parent,
      );
      if (span.isRecording()) {
        span.setAttributes(peer(call.peer));
        if (!settings.requestMetadata.isEmpty) {
          span.setAttributes(settings.requestMetadata.attributes(call.metadata));
        }
      }
      return new SpanObserver(span, trace.setSpan(parent, span), settings, messageEvents);
    },
  };
}
