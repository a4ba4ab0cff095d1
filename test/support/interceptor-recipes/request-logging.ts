import { Code, RpcError, codeName, logFields } from "protoc-gen-ts-otel-runtime";
import type { ClientInterceptor, LogFields } from "protoc-gen-ts-otel-runtime";

/** One line per call: its method and status, how long it took, and how many responses came. */
export interface CallLine extends LogFields {
  method: string;
  code: string;
  ms: number;
  responses: number;
}

/**
 * Logs every call once it is over: for a response stream, when the caller has read it
 * to its end or its error. The line carries the call's trace and span ids: interceptors
 * run inside the call's span.
 */
export function requestLogging(log: (line: CallLine) => void): ClientInterceptor {
  return (next) => async (request) => {
    const start = performance.now();
    const fields = logFields();
    const done = (code: Code, responses: number): void => {
      log({ ...fields, method: request.method.fullName, code: codeName(code), ms: performance.now() - start, responses });
    };
    try {
      const response = await next(request);
      if (response.kind === "unary" || response.kind === "client_streaming") {
        done(Code.OK, 1);
        return response;
      }
      return { ...response, responses: counted(response.responses, done) };
    } catch (err) {
      done(RpcError.from(err).code, 0);
      throw err;
    }
  };
}

async function* counted<M>(responses: AsyncIterable<M>, done: (code: Code, responses: number) => void): AsyncGenerator<M> {
  let count = 0;
  // What the call ends with when the caller leaves the loop early.
  let code: Code = Code.CANCELLED;
  try {
    for await (const response of responses) {
      count += 1;
      yield response;
    }
    code = Code.OK;
  } catch (err) {
    code = RpcError.from(err).code;
    throw err;
  } finally {
    done(code, count);
  }
}
