import type { ClientInterceptor } from "protoc-gen-ts-otel-runtime";

/** Sends `authorization: Bearer <token>` with every call, asking `getToken` each time. */
export function bearerAuth(getToken: () => string | Promise<string>): ClientInterceptor {
  return (next) => async (request) => {
    request.metadata.set("authorization", `Bearer ${await getToken()}`);
    return await next(request);
  };
}
