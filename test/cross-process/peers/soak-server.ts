// The server of the cross-process tests: the canonical TestService with handlers that
// do what each call's `x-scenario` asks (support/scenarios.ts), full telemetry, and a
// record of what every handler saw. `--plain` serves on grpc-js's own Server instead
// of createServer(); `--max-receive N` / `--max-send N` set grpc-js's size limits.
//
// Commands: `report` (handlers seen, still open, and the telemetry summary),
// `force-shutdown`, `try-shutdown`.
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { ServerOptions } from "@grpc/grpc-js";
import { Code, RpcError, createServer } from "protoc-gen-ts-otel-runtime";
import type { ServerContext } from "protoc-gen-ts-otel-runtime";
import { addTestService } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";
import type { Fault } from "../support/peer-telemetry.js";

const { values } = parseArgs({
  options: {
    plain: { type: "boolean", default: false },
    "max-receive": { type: "string" },
    "max-send": { type: "string" },
    fault: { type: "string" },
  },
});
const grpcOptions: ServerOptions = {
  ...(values["max-receive"] === undefined ? {} : { "grpc.max_receive_message_length": Number(values["max-receive"]) }),
  ...(values["max-send"] === undefined ? {} : { "grpc.max_send_message_length": Number(values["max-send"]) }),
};
const server = values.plain ? new Server(grpcOptions) : createServer(grpcOptions);
const { telemetry, summary } = peerTelemetry("server", values.fault as Fault | undefined);

/** What one handler saw. */
interface HandlerRecord {
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

const handlers: HandlerRecord[] = [];
let open = 0;

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
  handlers.push(record);
  open += 1;
  context.signal.addEventListener("abort", () => {
    const reason = RpcError.from(context.signal.reason);
    record.signal = Code[reason.code];
    record.signalMessage = reason.rawMessage;
  });
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
  open -= 1;
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

addTestService(
  server,
  {
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
  },
  { telemetry },
);

const port = await new Promise<number>((resolve, reject) => {
  server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
});

answerCommands(
  { port },
  {
    report: async () => ({ handlers, open, summary: await summary() }),
    "force-shutdown": () => {
      server.forceShutdown();
    },
    "try-shutdown": () =>
      new Promise<void>((resolve, reject) => {
        server.tryShutdown((err) => (err === undefined ? resolve() : reject(err)));
      }),
  },
);
