import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerInterceptor } from "protoc-gen-ts-otel-runtime";

/**
 * Answers UNAUTHENTICATED, before any handler of the registration runs, a call whose
 * `authorization` header is not `Bearer <token>` with a token `isValid` accepts.
 */
export function requireBearer(isValid: (token: string) => boolean | Promise<boolean>): ServerInterceptor {
  return (next) => async (request) => {
    const [header] = request.metadata.get("authorization");
    const token = typeof header === "string" && header.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
    if (token === undefined || !(await isValid(token))) {
      throw new RpcError(Code.UNAUTHENTICATED, "a valid bearer token is required");
    }
    return await next(request);
  };
}
