import { ROOT_CONTEXT, context as otelContext, createContextKey, isSpanContextValid, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import type { MethodDefinition } from "./service.js";
import { ATTR } from "./telemetry/semconv.js";

// A registered symbol (createContextKey is Symbol.for): the ESM and CommonJS builds,
// and other versions of this package, set and read the same key. Its value is a string.
const RPC_METHOD_KEY = createContextKey("protoc-gen-ts-otel-runtime rpc.method");

/** `trace_flags` for the two values W3C trace context defines, built once. */
const TRACE_FLAGS_HEX = ["00", "01"] as const;

/**
 * What correlates a log record with the call it was written in, under the names of
 * OpenTelemetry's log correlation (those of `@opentelemetry/instrumentation-pino` and
 * `-winston`). Only the fields that exist are present.
 */
export interface LogFields {
  /** The active span's trace id: 32 lowercase hex digits. */
  trace_id?: string;
  /** The active span's id: 16 lowercase hex digits. */
  span_id?: string;
  /** The active span's W3C trace flags as two hex digits: `01` when sampled, `00` when not. */
  trace_flags?: string;
  /** The server call's method, `package.Service/Method`: the span attribute `rpc.method` of the stable conventions. */
  [ATTR.RPC_METHOD]?: string;
}

/**
 * The log correlation fields of `ctx`, by default the active context, as a fresh
 * object a logger may keep or change: the ids of the active span, if it is valid
 * (none when tracing is off for the method or the call is not traced), and the method
 * of the server call whose handler code runs in `ctx` (every handler kind, whatever the
 * telemetry options). Outside any call and span it is `{}`.
 *
 * After an `await` the active context is the handler's only under a context manager
 * that follows async work, such as `AsyncLocalStorageContextManager` (which the Node
 * SDK registers); see docs/logging.md.
 */
export function logFields(ctx: Context = otelContext.active()): LogFields {
  const fields: LogFields = {};
  const span = trace.getSpan(ctx);
  if (span !== undefined) {
    const spanContext = span.spanContext();
    if (isSpanContextValid(spanContext)) {
      const flags = spanContext.traceFlags;
      fields.trace_id = spanContext.traceId;
      fields.span_id = spanContext.spanId;
      fields.trace_flags = TRACE_FLAGS_HEX[flags] ?? flags.toString(16).padStart(2, "0");
    }
  }
  const method = ctx.getValue(RPC_METHOD_KEY);
  if (typeof method === "string") {
    fields[ATTR.RPC_METHOD] = method;
  }
  return fields;
}

/**
 * The root context marked with each method, built once per method: a server call whose
 * handler context would start from the root (no SDK, or server spans extracted from
 * it) starts from this one instead of copying the root's values once more per call.
 */
const methodRoots = new WeakMap<MethodDefinition, Context>();

/** The root context marked as the context of a call of `method`, for `logFields`. */
export function methodRootContext(method: MethodDefinition): Context {
  let root = methodRoots.get(method);
  if (root === undefined) {
    root = ROOT_CONTEXT.setValue(RPC_METHOD_KEY, method.fullName);
    methodRoots.set(method, root);
  }
  return root;
}

/** `ctx` marked as the context of a call of `method`, for `logFields`: `ctx` itself if it already is. */
export function withCallMethod(ctx: Context, method: MethodDefinition): Context {
  if (ctx === ROOT_CONTEXT) {
    return methodRootContext(method);
  }
  return ctx.getValue(RPC_METHOD_KEY) === method.fullName ? ctx : ctx.setValue(RPC_METHOD_KEY, method.fullName);
}
