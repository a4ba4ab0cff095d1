import type { ClientInterceptor } from "protoc-gen-ts-otel-runtime";

/** Gives every call that has no deadline of its own one `ms` milliseconds from when it starts. */
export function defaultTimeout(ms: number): ClientInterceptor {
  return (next) => (request) => {
    request.options.deadline ??= Date.now() + ms;
    return next(request);
  };
}
