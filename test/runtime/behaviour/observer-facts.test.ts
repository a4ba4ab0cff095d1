// The one observer seam as users meet it: every observer in `telemetry.observers` gets
// each method's facts once, the same facts as the others; the contexts observers return
// chain in order; and whatever an observer throws, at any point of a call, changes
// neither the call nor what the observers after it see, and is reported once.
import { DiagLogLevel, createContextKey, diag } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import type { CallObserver, ClientMethodFacts, MethodFacts, ServerMethodFacts, TelemetryObserver, TelemetryOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { resetProcessState } from "../../support/process-state.js";
import { behaviorHandlers } from "../../support/behavior-handlers.js";
import { useTestServer, waitFor } from "../../support/harness.js";
import { RecordingTelemetry, ends, sizes } from "../../support/recording-telemetry.js";
import type { ObservedCall } from "../../support/recording-telemetry.js";

const start = useTestServer();

const errors: string[] = [];
beforeEach(() => {
  resetProcessState();
  errors.length = 0;
  const ignore = (): void => undefined;
  diag.setLogger({ error: (message) => errors.push(message), warn: ignore, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.ERROR);
});
afterEach(() => {
  diag.disable();
});

/** Only the given observers, the built-in parts off. */
function only(...observers: TelemetryObserver[]): TelemetryOptions {
  return { tracing: false, metrics: false, prometheus: false, observers };
}

/** An observer that keeps the facts it was given and observes nothing. */
class FactsKeeper implements TelemetryObserver {
  readonly client: ClientMethodFacts[] = [];
  readonly server: ServerMethodFacts[] = [];
  observeClientMethod(facts: ClientMethodFacts): undefined {
    this.client.push(facts);
  }
  observeServerMethod(facts: ServerMethodFacts): undefined {
    this.server.push(facts);
  }
}

describe("the facts of each method", () => {
  it("are handed to every observer once per method, the same object to each", async () => {
    const first = new FactsKeeper();
    const second = new FactsKeeper();
    const { port } = await start(behaviorHandlers(), { client: { telemetry: only(first, second) }, server: { telemetry: only(first, second) } });
    const methods = TestServiceDefinition.methodList.map((m) => m.fullName);

    expect(first.server.map((f) => f.method.fullName)).toEqual(methods);
    expect(first.server.map((f) => f.side)).toEqual(methods.map(() => "server"));
    expect(first.client.map((f) => f.method.fullName)).toEqual(methods);
    for (const facts of first.client) {
      expect(facts.side).toBe("client");
      expect(facts.client.target).toContain(`127.0.0.1:${port}`);
      expect(facts.client.server).toEqual({ address: "127.0.0.1", port });
    }
    const same = (a: readonly MethodFacts[], b: readonly MethodFacts[]): void => {
      expect(a).toHaveLength(b.length);
      a.forEach((facts, i) => {
        expect(facts).toBe(b[i]);
      });
    };
    same(first.server, second.server);
    same(first.client, second.client);
  });
});

const KEY = createContextKey("observer-facts test");

/** Starts every call in a context that says which observer made it. */
function marking(mark: string, seen: unknown[]): TelemetryObserver {
  const observer = {
    start(call: { readonly context: Context }): CallObserver {
      seen.push(call.context.getValue(KEY));
      return {
        context: call.context.setValue(KEY, mark),
        headers: () => undefined,
        messageSent: () => undefined,
        messageReceived: () => undefined,
        end: () => undefined,
      };
    },
  };
  return { observeClientMethod: () => observer, observeServerMethod: () => observer };
}

describe("the contexts observers return", () => {
  it("chain in order: each observer starts from the one before's", async () => {
    const seen: unknown[] = [];
    const options = only(marking("first", seen), marking("second", seen), marking("third", seen));
    const { client } = await start(behaviorHandlers(), { server: { telemetry: options } });
    await client.unary({ text: "a" });
    expect(seen).toEqual([undefined, "first", "second"]);
  });
});

type Fault = "observeServerMethod" | "observeClientMethod" | "start" | "headers" | "messageSent" | "messageReceived" | "end";

/** An observer that throws at `fault`, wherever the call meets it. */
function throwing(fault: Fault): TelemetryObserver {
  const fail = (at: Fault): void => {
    if (at === fault) throw new Error(`observer broke in ${at}`);
  };
  const observer = {
    start(call: { readonly context: Context }): CallObserver {
      fail("start");
      return {
        context: call.context,
        headers: () => fail("headers"),
        messageSent: () => fail("messageSent"),
        messageReceived: () => fail("messageReceived"),
        end: () => fail("end"),
      };
    },
  };
  return {
    observeClientMethod() {
      fail("observeClientMethod");
      return observer;
    },
    observeServerMethod() {
      fail("observeServerMethod");
      return observer;
    },
  };
}

/** Waits until `count` calls were observed and every one of them ended (a server's end may come after its client's). */
async function allEnded(recording: RecordingTelemetry, count: number): Promise<void> {
  await waitFor(() => recording.calls.length === count && recording.calls.every((c) => ends(c).length > 0), `${count} ended calls`);
}

/** What an observer saw of one call, without the instants. */
function seenOf(call: ObservedCall): unknown {
  return { sent: sizes(call, "sent"), received: sizes(call, "received"), codes: ends(call).map((e) => e.code), events: call.events.map((e) => e.type) };
}

describe("an observer that throws", () => {
  const faults: readonly Fault[] = ["observeServerMethod", "observeClientMethod", "start", "headers", "messageSent", "messageReceived", "end"];
  it.each(faults)("in %s: the call and the observers after it go on as without it, reported once", async (fault) => {
    const alone = new RecordingTelemetry();
    const unbroken = await start(behaviorHandlers(), { client: { telemetry: only(alone) }, server: { telemetry: only(alone) } });
    const expected = await unbroken.client.unary({ text: "a" });
    await allEnded(alone, 2);

    const after = new RecordingTelemetry();
    const broken = throwing(fault);
    const { client } = await start(behaviorHandlers(), { client: { telemetry: only(broken, after) }, server: { telemetry: only(broken, after) } });
    // Twice, on both sides: still one report.
    expect(await client.unary({ text: "a" })).toEqual(expected);
    expect(await client.unary({ text: "a" })).toEqual(expected);
    await allEnded(after, 4);

    for (const side of ["server", "client"] as const) {
      const calls = after.calls.filter((c) => c.side === side);
      expect(calls).toHaveLength(2);
      const reference = seenOf(side === "server" ? alone.only("server") : alone.only("client"));
      for (const call of calls) {
        expect(seenOf(call), side).toEqual(reference);
        expect(ends(call).map((e) => e.code)).toEqual([Code.OK]);
      }
    }
    const ours = errors.filter((message) => message.startsWith("protoc-gen-ts-otel"));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain("a telemetry observer failed");
  });
});
