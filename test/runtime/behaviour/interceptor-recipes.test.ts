// The recipes of docs/interceptors.md, as the page shows them, run on the four kinds of the
// canonical TestService with tracing on both sides.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { ClientInterceptor, ServerInterceptor } from "protoc-gen-ts-otel-runtime";
import { Behavior } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import type { BehaviorHooks } from "../../support/behavior-handlers.js";
import { KINDS } from "../../support/call-kinds.js";
import { collect, expectRpcError } from "../../support/harness.js";
import { bearerAuth } from "../../support/interceptor-recipes/bearer-auth.js";
import { defaultTimeout } from "../../support/interceptor-recipes/default-timeout.js";
import { requestLogging } from "../../support/interceptor-recipes/request-logging.js";
import type { CallLine } from "../../support/interceptor-recipes/request-logging.js";
import { requireBearer } from "../../support/interceptor-recipes/require-bearer.js";
import { fencedBlocks } from "../../support/markdown.js";
import { repoRoot } from "../../support/paths.js";
import { onlySpan, useTracedServer, useTracing } from "../../support/tracing-harness.js";

const tracing = useTracing();
const startTraced = useTracedServer(tracing);

const start = (client: ClientInterceptor[], server: ServerInterceptor[] = [], hooks: BehaviorHooks = {}) =>
  startTraced(behaviorHandlers(hooks), { harness: { client: { interceptors: client }, server: { interceptors: server } } });

describe("docs/interceptors.md", () => {
  it.each(["bearer-auth", "require-bearer", "request-logging", "default-timeout"])("shows %s.ts as it is", (name) => {
    const page = readFileSync(join(repoRoot, "docs/interceptors.md"), "utf8");
    const source = readFileSync(join(repoRoot, `test/support/interceptor-recipes/${name}.ts`), "utf8");
    expect(fencedBlocks(page, "ts")).toContain(source);
  });
});

describe.each(KINDS)("$method", (kind) => {
  it("auth header and server-side check: a valid token reaches the handler, another is answered UNAUTHENTICATED", async () => {
    const seen: string[] = [];
    let token = "good";
    const { client } = await start([bearerAuth(() => Promise.resolve(token))], [requireBearer((t) => t === "good")], {
      onCall: (context) => seen.push(String(context.metadata.get("authorization")[0])),
    });
    const ok = await collect(kind.call(client, [{ text: "x" }]));
    expect(ok.error).toBeUndefined();
    expect(seen).toEqual(["Bearer good"]);
    await tracing.ended(2);
    tracing.exporter.reset();

    token = "stale";
    const denied = await collect(kind.call(client, [{ text: "x" }]));
    expect(expectRpcError(denied.error, Code.UNAUTHENTICATED).rawMessage).toBe("a valid bearer token is required");
    expect(seen).toEqual(["Bearer good"]);
    const spans = await tracing.ended(2);
    expect(onlySpan(spans, SpanKind.SERVER).attributes["rpc.response.status_code"]).toBe("UNAUTHENTICATED");
    expect(onlySpan(spans, SpanKind.CLIENT).attributes["rpc.response.status_code"]).toBe("UNAUTHENTICATED");
  });

  it("request logging: one line per call, with its status, responses and the client span's ids", async () => {
    const lines: CallLine[] = [];
    const { client } = await start([requestLogging((line) => lines.push(line))]);
    const ok = await collect(kind.call(client, [{ text: "x", count: 2 }, { text: "y", count: 1 }]));
    expect(ok.error).toBeUndefined();
    const clientSpan = onlySpan(await tracing.ended(2), SpanKind.CLIENT).spanContext();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: kind.fullName, code: "OK", responses: ok.messages.length, trace_id: clientSpan.traceId, span_id: clientSpan.spanId });
    expect(lines[0]?.ms).toBeGreaterThanOrEqual(0);

    const failed = await collect(kind.call(client, [{ text: "x", behavior: Behavior.FAIL_STATUS, statusCode: Code.NOT_FOUND }]));
    expectRpcError(failed.error, Code.NOT_FOUND);
    expect(lines[1]).toMatchObject({ method: kind.fullName, code: "NOT_FOUND", responses: 0 });
  });

  it("timeout default: a call without a deadline gets one; a call's own deadline wins", async () => {
    const deadlines: number[] = [];
    const { client } = await start([defaultTimeout(200)], [], { onCall: (context) => deadlines.push(Number(context.deadline)) });
    const before = Date.now();
    const timedOut = await collect(kind.call(client, [{ text: "x", behavior: Behavior.WAIT_FOR_CANCEL }]));
    expectRpcError(timedOut.error, Code.DEADLINE_EXCEEDED);
    const own = Date.now() + 60_000;
    const ok = await collect(kind.call(client, [{ text: "x" }], { deadline: own }));
    expect(ok.error).toBeUndefined();
    expect(deadlines).toHaveLength(2);
    // The server's deadline is the client's, give or take the wire's rounding and the time the headers took.
    expect(deadlines[0]).toBeGreaterThan(before);
    expect(deadlines[0]).toBeLessThan(before + 200 + 1_000);
    expect(deadlines[1]).toBeGreaterThan(own - 1_000);
  });
});

describe.each(KINDS.filter((kind) => kind.streamsResponses))("$method", (kind) => {
  it("request logging: a stream the caller leaves early is logged CANCELLED with the responses it read", async () => {
    const lines: CallLine[] = [];
    const { client } = await start([requestLogging((line) => lines.push(line))]);
    for await (const message of kind.call(client, [{ text: "x", count: 1, behavior: Behavior.WAIT_FOR_CANCEL }])) {
      expect(message.index).toBe(0);
      break;
    }
    expect(lines).toEqual([expect.objectContaining({ method: kind.fullName, code: "CANCELLED", responses: 1 })]);
  });
});
