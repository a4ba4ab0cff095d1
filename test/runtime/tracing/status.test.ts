// docs/telemetry.md#span-status: which codes make a span an error on each side, error.type, the
// status description, and exceptions recorded on the span.
import { SpanStatusCode } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { Code, RpcError, codeName } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { SECRET, behaviorHandlers } from "../../support/behavior-handlers.js";
import { collect, deferred, expectRpcError, rejection } from "../../support/harness.js";
import { callSpans, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const start = useTracedServer(tracing);

const SERVER_ERRORS: readonly number[] = [
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.UNIMPLEMENTED,
  Code.INTERNAL,
  Code.UNAVAILABLE,
  Code.DATA_LOSS,
];

function exceptionEvents(span: ReadableSpan): (Attributes | undefined)[] {
  return span.events.filter((e) => e.name === "exception").map((e) => e.attributes);
}

describe("span status", () => {
  it("is ERROR for every code but OK on the client, and for six codes only on the server", async () => {
    const { client } = await start(behaviorHandlers());
    for (let code = 1; code <= 16; code++) {
      tracing.exporter.reset();
      const error = await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: code, text: "x" }));
      expectRpcError(error, code);
      const { client: clientSpan, server: serverSpan } = callSpans(await tracing.ended(2));
      const name = codeName(code);

      expect(clientSpan.status, `client, ${name}`).toEqual({ code: SpanStatusCode.ERROR, message: "failed as asked: x" });
      expect(clientSpan.attributes).toMatchObject({ "rpc.response.status_code": name, "error.type": name });

      const serverError = SERVER_ERRORS.includes(code);
      expect(serverSpan.status, `server, ${name}`).toEqual(
        serverError ? { code: SpanStatusCode.ERROR, message: "failed as asked: x" } : { code: SpanStatusCode.UNSET },
      );
      expect(serverSpan.attributes["rpc.response.status_code"]).toBe(name);
      expect(serverSpan.attributes["error.type"]).toBe(serverError ? name : undefined);
      expect(exceptionEvents(clientSpan)).toEqual([]);
      expect(exceptionEvents(serverSpan)).toEqual([]);
    }
  });

  it("follows the error codes configured for each side", async () => {
    const { client } = await start(behaviorHandlers(), {
      tracing: { errorCodes: [Code.NOT_FOUND] },
    });
    await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }));
    const notFound = callSpans(await tracing.ended(2));
    expect(notFound.client.status.code).toBe(SpanStatusCode.ERROR);
    expect(notFound.server.status.code).toBe(SpanStatusCode.ERROR);
    expect(notFound.server.attributes["error.type"]).toBe("NOT_FOUND");

    tracing.exporter.reset();
    await rejection(client.unary({ behavior: Behavior.FAIL_STATUS, statusCode: Code.UNAVAILABLE }));
    const unavailable = callSpans(await tracing.ended(2));
    expect(unavailable.client.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(unavailable.server.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(unavailable.client.attributes).not.toHaveProperty("error.type");
    expect(unavailable.server.attributes).toMatchObject({ "rpc.response.status_code": "UNAVAILABLE" });
  });

  it("records a handler's exception on the server span only, with its message as the description", async () => {
    const thrown = deferred<Error>();
    const { client } = await start(behaviorHandlers({ onThrow: (error) => thrown.resolve(error) }));
    expectRpcError(await rejection(client.unary({ behavior: Behavior.THROW })), Code.UNKNOWN);
    const { client: clientSpan, server: serverSpan } = callSpans(await tracing.ended(2));
    const error = await thrown.promise;

    expect(serverSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: SECRET });
    expect(exceptionEvents(serverSpan)).toEqual([
      expect.objectContaining({ "exception.type": "Error", "exception.message": SECRET, "exception.stacktrace": error.stack }),
    ]);
    expect(serverSpan.attributes).toMatchObject({ "rpc.response.status_code": "UNKNOWN", "error.type": "UNKNOWN" });
    // The client sees only the generic status the server answered with.
    expect(clientSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: "Unknown server error" });
    expect(exceptionEvents(clientSpan)).toEqual([]);
    expect(JSON.stringify([clientSpan.attributes, clientSpan.events, clientSpan.status])).not.toContain(SECRET);
  });

  it("records the exception a client's request stream throws on the client span", async () => {
    const received = deferred();
    const { client } = await start({
      async clientStream(requests) {
        for await (const _ of requests) {
          received.resolve();
        }
        return {};
      },
    });
    const boom = new Error("request source broke");
    async function* failing() {
      yield { text: "first" };
      await received.promise;
      throw boom;
    }
    expectRpcError(await rejection(client.clientStream(failing())), Code.CANCELLED);
    const { client: clientSpan, server: serverSpan } = callSpans(await tracing.ended(2));
    expect(clientSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: "request source broke" });
    expect(exceptionEvents(clientSpan)).toEqual([expect.objectContaining({ "exception.message": "request source broke" })]);
    // CANCELLED is not a server error.
    expect(serverSpan.status).toEqual({ code: SpanStatusCode.UNSET });
  });

  it("never repeats the code in the description", async () => {
    const { client } = await start({
      async *serverStream() {
        yield { text: "one" };
        throw new RpcError(Code.UNAVAILABLE, "try later");
      },
    });
    const { error } = await collect(client.serverStream({}));
    expect(expectRpcError(error, Code.UNAVAILABLE).message).toBe("[UNAVAILABLE] try later");
    const spans = callSpans(await tracing.ended(2));
    expect(spans.client.status.message).toBe("try later");
    expect(spans.server.status.message).toBe("try later");
  });
});
