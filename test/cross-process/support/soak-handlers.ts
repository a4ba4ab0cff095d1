// The handlers of the cross-process soak and its benchmark: they do what each call's
// `x-scenario` metadata asks (support/scenarios.ts), and tell `hooks` what each saw.
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";

/** What one handler saw. */
export interface HandlerRecord {
  readonly callId: string;
  readonly scenario: string;
  readonly method: string;
  /** How the handler ended: `returned`, or `threw <CODE>`. */
  outcome: string;
  /** The code of the reason its signal fired with, if it fired. */
  signal: string | undefined;
  /** The message of that reason. */
  signalMessage: string | undefined;
}

/** What the server holding the handlers wants to hear of each. */
export interface HandlerHooks {
  /** A handler started; the record changes as it runs and ends. */
  begin?(record: HandlerRecord): void;
  /** It ended (`record.outcome` says how). */
  settle?(record: HandlerRecord): void;
}

/** The TestService's handlers, as every scenario asks. */
export function soakHandlers(hooks: HandlerHooks = {}): TestServiceHandlers {
  function aborted(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
      const fire = (): void => {
        reject(RpcError.from(signal.reason));
      };
      if (signal.aborted) fire();
      signal.addEventListener("abort", fire, { once: true });
    });
  }

  /** What the waiting scenarios do: headers out, so the client knows the handler runs, then wait for the end. */
  const waits = (scenario: string): boolean =>
    scenario === "abort-early" || scenario === "abort-mid" || scenario === "deadline" || scenario === "wait";

  /** `slow`: headers out, then the answer a little later, whatever else happens (a graceful shutdown, say). */
  async function slow(scenario: string, context: ServerContext): Promise<void> {
    if (scenario === "slow") {
      context.sendHeader();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** Starts the record of a handler. */
  function begin(method: string, context: ServerContext): HandlerRecord {
    const scenario = String(context.metadata.get("x-scenario")[0] ?? "ok");
    const record: HandlerRecord = {
      callId: String(context.metadata.get("x-call-id")[0] ?? "?"),
      scenario,
      method,
      outcome: "running",
      signal: undefined,
      signalMessage: undefined,
    };
    hooks.begin?.(record);
    const fired = (): void => {
      const reason = RpcError.from(context.signal.reason);
      record.signal = Code[reason.code];
      record.signalMessage = reason.rawMessage;
    };
    // grpc-js may start a handler for a call it already reported over: its signal has fired.
    if (context.signal.aborted) fired();
    else context.signal.addEventListener("abort", fired);
    return record;
  }

  /** Fails as the scenario asks, if it asks. */
  function failAsAsked(scenario: string): void {
    if (scenario.startsWith("status:")) {
      throw new RpcError(Number(scenario.slice("status:".length)), "failed as asked");
    }
    if (scenario === "throw") {
      throw new Error("soak secret");
    }
  }

  function settle(record: HandlerRecord, err?: unknown): void {
    if (record.outcome === "running") {
      record.outcome = err === undefined ? "returned" : `threw ${Code[RpcError.from(err).code]}`;
    }
    hooks.settle?.(record);
  }

  /** A unary or client-streaming handler, recorded. */
  async function observed<T>(method: string, context: ServerContext, body: (scenario: string) => Promise<T>): Promise<T> {
    const record = begin(method, context);
    try {
      failAsAsked(record.scenario);
      const result = await body(record.scenario);
      settle(record);
      return result;
    } catch (err) {
      settle(record, err);
      throw err;
    }
  }

  /** A streaming handler, recorded; a stream the runtime closes early counts as `closed`. */
  async function* observedStream<T>(method: string, context: ServerContext, body: (scenario: string) => AsyncGenerator<T>): AsyncGenerator<T> {
    const record = begin(method, context);
    let failure: unknown;
    try {
      failAsAsked(record.scenario);
      yield* body(record.scenario);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      if (record.outcome === "running" && failure === undefined && context.signal.aborted) {
        record.outcome = "closed";
      }
      settle(record, failure);
    }
  }

  async function* endless(text: string, signal: AbortSignal): AsyncGenerator<{ text: string; index: number }> {
    for (let index = 0; !signal.aborted; index++) {
      yield { text, index };
    }
    throw RpcError.from(signal.reason);
  }

  return {
      unary: (request, context) =>
        observed("Unary", context, async (scenario) => {
          await slow(scenario, context);
          if (waits(scenario)) {
            context.sendHeader();
            await aborted(context.signal);
          }
          return { text: request.text };
        }),
      serverStream: (request, context) =>
        observedStream("ServerStream", context, async function* (scenario) {
          await slow(scenario, context);
          if (waits(scenario)) {
            context.sendHeader();
            await aborted(context.signal);
          }
          if (scenario === "break-early") {
            yield* endless(request.text, context.signal);
          }
          yield { text: request.text, index: 0 };
          yield { text: request.text, index: 1 };
        }),
      clientStream: (requests, context) =>
        observed("ClientStream", context, async (scenario) => {
          await slow(scenario, context);
          if (waits(scenario)) {
            context.sendHeader();
          }
          let count = 0;
          for await (const request of requests) {
            count += request.count;
          }
          if (waits(scenario)) {
            await aborted(context.signal);
          }
          return { count };
        }),
      bidiStream: (requests, context) =>
        observedStream("BidiStream", context, async function* (scenario) {
          await slow(scenario, context);
          if (scenario === "break-early") {
            yield* endless("endless", context.signal);
          }
          if (waits(scenario)) {
            context.sendHeader();
          }
          let index = 0;
          for await (const request of requests) {
            if (!waits(scenario)) {
              yield { text: request.text, index: index++ };
            }
          }
          if (waits(scenario)) {
            await aborted(context.signal);
          }
        }),
    };
}
