// The proto's per-method switches (tsotel.v1 options) as tracing honours them: message
// events for one method, no spans for another, and the registration that keeps a
// grpc-js instrumentation off the traced methods only.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import type { UntypedHandleCall } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ServiceClient, addService, defineService } from "protoc-gen-ts-otel-runtime";
import type { ServiceHandlers } from "protoc-gen-ts-otel-runtime";
import {
  UnaryRequestSchema,
  UnaryResponseSchema,
} from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { useTracing } from "../../support/tracing-harness.js";
import { bindLocal } from "../../support/listen.js";

const tracing = useTracing();

const Switched = defineService("tsotel.testing.v1.Switched", {
  withEvents: { name: "WithEvents", kind: "unary", input: UnaryRequestSchema, output: UnaryResponseSchema, telemetry: { messageEvents: true } },
  untraced: { name: "Untraced", kind: "unary", input: UnaryRequestSchema, output: UnaryResponseSchema, telemetry: { tracing: false } },
  plain: { name: "Plain", kind: "unary", input: UnaryRequestSchema, output: UnaryResponseSchema },
});

const handlers: ServiceHandlers<typeof Switched.methods> = {
  withEvents: () => ({ text: "events" }),
  untraced: () => ({ text: "untraced" }),
  plain: () => ({ text: "plain" }),
};

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const close of cleanup.splice(0)) close();
});

async function serve(server: Server): Promise<ServiceClient> {
  addService(server, Switched, handlers, { telemetry: tracing.telemetry() });
  const port = await bindLocal(server, ServerCredentials.createInsecure());
  const client = new ServiceClient(Switched, `127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: tracing.telemetry() });
  cleanup.push(() => {
    client.close();
    server.forceShutdown();
  });
  return client;
}

describe("per-method switches", () => {
  it("give one method message events and another no spans at all", async () => {
    const client = await serve(new Server());
    await client.unary(Switched.methods.withEvents, {});
    await client.unary(Switched.methods.untraced, {});
    await client.unary(Switched.methods.plain, {});

    const spans = await tracing.ended(4);
    expect(spans.map((s) => s.name).sort()).toEqual([
      "tsotel.testing.v1.Switched/Plain",
      "tsotel.testing.v1.Switched/Plain",
      "tsotel.testing.v1.Switched/WithEvents",
      "tsotel.testing.v1.Switched/WithEvents",
    ]);
    for (const span of spans) {
      const events = span.events.map((e) => e.attributes?.["rpc.message.type"]).sort();
      expect(events, span.name).toEqual(span.name.endsWith("WithEvents") ? ["RECEIVED", "SENT"] : []);
    }
  });

  it("register around a shimmer-style wrapper of Server.register only the methods tracing covers", async () => {
    const server = new Server();
    const wrappedPaths: string[] = [];
    const original = Reflect.get(server, "register") as (this: Server, path: string, ...rest: unknown[]) => boolean;
    // What @opentelemetry/instrumentation's shimmer leaves on a wrapper it installs.
    const wrapper = Object.assign(
      function register(this: Server, path: string, handler: UntypedHandleCall, ...rest: unknown[]): boolean {
        wrappedPaths.push(path);
        return original.call(this, path, handler, ...rest);
      },
      { __wrapped: true, __original: original, __unwrap: () => undefined },
    );
    Object.defineProperty(server, "register", { value: wrapper });
    const client = await serve(server);

    expect(wrappedPaths).toEqual(["/tsotel.testing.v1.Switched/Untraced"]);
    expect(await client.unary(Switched.methods.plain, {})).toMatchObject({ text: "plain" });
    expect(await client.unary(Switched.methods.untraced, {})).toMatchObject({ text: "untraced" });
  });

  it("still refuses a service registered twice", () => {
    const server = new Server();
    addService(server, Switched, handlers, { telemetry: tracing.telemetry() });
    expect(() => addService(server, Switched, handlers, { telemetry: tracing.telemetry() })).toThrow(
      "Method handler for /tsotel.testing.v1.Switched/WithEvents already provided.",
    );
    server.forceShutdown();
  });
});
