import { createContextKey } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";

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
