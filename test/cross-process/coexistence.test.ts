// @opentelemetry/instrumentation-grpc in the same process: generated calls still make
// one client span and one server span each, and generated peers interoperate with
// plain grpc-js peers it instruments, in both directions. The instrumentation must
// patch grpc-js before grpc-js is loaded, so this runs in a child process.
import { beforeAll, describe, expect, it } from "vitest";
import { runTypeScript } from "./support/child-process.js";

interface ExportedSpan {
  readonly name: string;
  readonly kind: "CLIENT" | "SERVER" | "INTERNAL";
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
}

interface FixtureOutput {
  readonly patched: boolean;
  readonly plainReceived: string;
  readonly spans: readonly ExportedSpan[];
}

const OURS = "protoc-gen-ts-otel-runtime";
const INSTRUMENTATION = "@opentelemetry/instrumentation-grpc";

let output: FixtureOutput;
beforeAll(async () => {
  const { stdout } = await runTypeScript("test/cross-process/peers/instrumented-peers.ts");
  output = JSON.parse(stdout) as FixtureOutput;
}, 90_000);

/** The spans of one scenario, without its root span, and a way to find a span's parent. */
function scenario(name: string): { spans: ExportedSpan[]; parentOf: (span: ExportedSpan) => ExportedSpan | undefined } {
  const root = output.spans.find((s) => s.name === `scenario ${name}`);
  if (root === undefined) {
    throw new Error(`no scenario ${name}`);
  }
  const spans = output.spans.filter((s) => s.traceId === root.traceId && s !== root);
  return { spans, parentOf: (span) => output.spans.find((s) => s.spanId === span.parentSpanId) };
}

const only = (spans: readonly ExportedSpan[], kind: ExportedSpan["kind"], scope: string): ExportedSpan => {
  const matching = spans.filter((s) => s.kind === kind && s.scope === scope);
  expect(matching, `${kind} spans of ${scope}`).toHaveLength(1);
  return matching[0] as ExportedSpan;
};

describe("with @opentelemetry/instrumentation-grpc enabled", () => {
  it("grpc-js really is patched in the fixture", () => {
    expect(output.patched).toBe(true);
  });

  it("a generated call of each kind makes one client span and one server span, both ours", () => {
    const { spans, parentOf } = scenario("generated to generated");
    expect(spans.filter((s) => s.scope !== OURS)).toEqual([]);
    for (const method of ["Unary", "ServerStream", "ClientStream", "BidiStream"]) {
      const ofMethod = spans.filter((s) => s.name === `tsotel.testing.v1.TestService/${method}`);
      const client = only(ofMethod, "CLIENT", OURS);
      const server = only(ofMethod, "SERVER", OURS);
      expect(ofMethod).toHaveLength(2);
      expect(parentOf(server)).toBe(client);
    }
  });

  it("a plain grpc-js client's span is the parent of the generated server's span", () => {
    const { spans, parentOf } = scenario("plain client to generated server");
    expect(spans).toHaveLength(2);
    const client = only(spans, "CLIENT", INSTRUMENTATION);
    const server = only(spans, "SERVER", OURS);
    expect(parentOf(server)).toBe(client);
  });

  it("the generated client's span is the parent of a plain grpc-js server's span", () => {
    const { spans, parentOf } = scenario("generated client to plain server");
    expect(spans).toHaveLength(2);
    const client = only(spans, "CLIENT", OURS);
    const server = only(spans, "SERVER", INSTRUMENTATION);
    expect(parentOf(server)).toBe(client);
    expect(output.plainReceived).toBe(`00-${client.traceId}-${client.spanId}-01`);
  });

  it("traces generated calls whose own tracing is off, so nothing goes untraced", () => {
    const { spans, parentOf } = scenario("generated, tracing off");
    expect(spans).toHaveLength(2);
    const client = only(spans, "CLIENT", INSTRUMENTATION);
    const server = only(spans, "SERVER", INSTRUMENTATION);
    expect(parentOf(server)).toBe(client);
  });
});
