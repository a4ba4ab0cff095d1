// The client of the cross-process soak: `run` makes a seeded mix of calls (support/
// scenarios.ts) over several channels, each its own HTTP/2 connection, and returns the
// status each call ended with for the caller; `report` gives the telemetry summary.
import { parseArgs } from "node:util";
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { answerCommands } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";
import type { Fault } from "../support/peer-telemetry.js";
import { plan } from "../support/scenarios.js";
import type { PlannedCall } from "../support/scenarios.js";

const { values } = parseArgs({ options: { fault: { type: "string" } } });
const { telemetry, summary } = peerTelemetry("client", values.fault as Fault | undefined);

/** What the caller saw of one call. */
export interface ObservedCall extends PlannedCall {
  readonly code: string;
}

const DEADLINE_MS = 60;

/** Resolves when `signal` fires; request streams that must stay open wait on it. */
function until(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function makeCall(client: TestServiceClient, call: PlannedCall): Promise<string> {
  const abort = new AbortController();
  const metadata = new Metadata();
  metadata.set("x-call-id", call.callId);
  metadata.set("x-scenario", call.scenario);
  const options: CallOptions = {
    metadata,
    signal: abort.signal,
    ...(call.scenario === "deadline" ? { deadline: Date.now() + DEADLINE_MS } : {}),
    ...(call.scenario === "abort-mid" ? { onHeader: () => abort.abort() } : {}),
  };
  // Requests: one, or (abort-mid, break-early) two and then an open stream until the call ends.
  const ended = new AbortController();
  async function* requests(): AsyncGenerator<{ text: string; count: number }> {
    yield { text: call.callId, count: 1 };
    if (call.scenario === "half-close-early") return;
    yield { text: call.callId, count: 1 };
    if (call.scenario === "abort-mid" || call.scenario === "break-early" || call.scenario === "deadline" || call.scenario === "abort-early") {
      await until(ended.signal);
    }
  }
  const single = { text: call.callId, count: 1 };
  try {
    switch (call.kind) {
      case "Unary": {
        const response = client.unary(single, options);
        if (call.scenario === "abort-early") abort.abort();
        await response;
        break;
      }
      case "ClientStream": {
        const response = client.clientStream(requests(), options);
        if (call.scenario === "abort-early") abort.abort();
        await response;
        break;
      }
      case "ServerStream":
      case "BidiStream": {
        const responses = call.kind === "ServerStream" ? client.serverStream(single, options) : client.bidiStream(requests(), options);
        const iterator = responses[Symbol.asyncIterator]();
        const first = iterator.next();
        if (call.scenario === "abort-early") abort.abort();
        let received = 0;
        for (let result = await first; result.done !== true; result = await iterator.next()) {
          received += 1;
          if (call.scenario === "break-early" && received === 2) {
            await iterator.return?.();
            return "CANCELLED";
          }
        }
        break;
      }
    }
    return "OK";
  } catch (err) {
    return Code[RpcError.from(err).code];
  } finally {
    ended.abort();
  }
}

async function run(args: Record<string, unknown>): Promise<ObservedCall[]> {
  const port = Number(args["port"]);
  const calls = plan(Number(args["seed"]), Number(args["calls"]));
  const channels = Array.from({ length: Number(args["channels"] ?? 3) }, () =>
    new TestServiceClient(`127.0.0.1:${String(port)}`, credentials.createInsecure(), {
      // Each its own connection: Node's HTTP/2 server drops a connection after about 1,000 stream resets.
      channelOptions: { "grpc.use_local_subchannel_pool": 1 },
      telemetry,
    }),
  );
  const observed: ObservedCall[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const call = calls[next++];
      if (call === undefined) break;
      const client = channels[next % channels.length];
      if (client === undefined) break;
      observed.push({ ...call, code: await makeCall(client, call) });
    }
  };
  await Promise.all(Array.from({ length: Number(args["concurrency"] ?? 16) }, worker));
  for (const client of channels) client.close();
  return observed;
}

/**
 * Calls one after another on one new connection, each sending two requests and then
 * cancelling without half-closing, as grpc-node's interop test
 * cancel_after_first_response does; grpc-js then sends END_STREAM and RST_STREAM, and
 * an echoing handler races the reset. The calls' HTTP/2 streams are 1, 3, 5, … in order.
 */
async function race(args: Record<string, unknown>): Promise<{ callId: string; code: string }[]> {
  // Connected first, so that every call makes a stream, in order.
  const channel = new Client(`127.0.0.1:${String(args["port"])}`, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  await new Promise<void>((resolve, reject) => {
    channel.waitForReady(Date.now() + 10_000, (err) => (err === undefined ? resolve() : reject(err)));
  });
  const client = new TestServiceClient(channel, { telemetry });
  const results: { callId: string; code: string }[] = [];
  for (let i = 0; i < Number(args["calls"]); i++) {
    const callId = `race-${String(i)}`;
    const metadata = new Metadata();
    metadata.set("x-call-id", callId);
    metadata.set("x-scenario", "ok");
    const abort = new AbortController();
    let sent: () => void = () => undefined;
    const twoSent = new Promise<void>((resolve) => (sent = resolve));
    async function* requests(): AsyncGenerator<{ text: string; count: number }> {
      yield { text: callId, count: 1 };
      yield { text: callId, count: 1 };
      sent();
      await until(abort.signal);
    }
    const options = { metadata, signal: abort.signal };
    const done =
      args["kind"] === "BidiStream"
        ? (async () => {
            for await (const _ of client.bidiStream(requests(), options)) {
              // Echoes, until the cancel.
            }
          })()
        : client.clientStream(requests(), options);
    await twoSent;
    await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    results.push({ callId, code: await done.then(() => "OK", (err: unknown) => Code[RpcError.from(err).code]) });
  }
  channel.close();
  return results;
}

/** Calls started by `start`, finished by `finish`. */
const started: Promise<{ callId: string; code: string }>[] = [];

/**
 * Starts one call of each kind with `scenario` and answers once each has its response
 * headers, i.e. its handler runs; `finish` then waits for their ends.
 */
async function start(args: Record<string, unknown>): Promise<null> {
  const client = new TestServiceClient(`127.0.0.1:${String(args["port"])}`, credentials.createInsecure(), { telemetry });
  const scenario = String(args["scenario"]);
  const headers: Promise<void>[] = [];
  for (const kind of ["Unary", "ServerStream", "ClientStream", "BidiStream"] as const) {
    const callId = `${scenario}-${kind}`;
    const metadata = new Metadata();
    metadata.set("x-call-id", callId);
    metadata.set("x-scenario", scenario);
    let headed: () => void = () => undefined;
    headers.push(new Promise((resolve) => (headed = resolve)));
    const ended = new AbortController();
    async function* requests(): AsyncGenerator<{ text: string; count: number }> {
      yield { text: callId, count: 1 };
      if (scenario === "wait") await until(ended.signal);
    }
    const options: CallOptions = { metadata, onHeader: () => headed() };
    const call = async (): Promise<void> => {
      switch (kind) {
        case "Unary":
          await client.unary({ text: callId }, options);
          return;
        case "ClientStream":
          await client.clientStream(requests(), options);
          return;
        case "ServerStream":
          for await (const _ of client.serverStream({ text: callId }, options)) {
            // Drained.
          }
          return;
        case "BidiStream":
          for await (const _ of client.bidiStream(requests(), options)) {
            // Drained.
          }
      }
    };
    started.push(
      call().then(
        () => ({ callId, code: "OK" }),
        (err: unknown) => ({ callId, code: Code[RpcError.from(err).code] }),
      ).finally(() => ended.abort()),
    );
  }
  await Promise.all(headers);
  return null;
}

/** `clients` clients, each with one call of each kind answered OK and one NOT_FOUND; the status of each. */
async function basic(args: Record<string, unknown>): Promise<string[]> {
  const codes: string[] = [];
  for (let c = 0; c < Number(args["clients"]); c++) {
    const client = new TestServiceClient(`127.0.0.1:${String(args["port"])}`, credentials.createInsecure(), { telemetry });
    for (const kind of ["Unary", "ServerStream", "ClientStream", "BidiStream"] as const) {
      for (const scenario of ["ok", "status:5"] as const) {
        codes.push(`${kind} ${await makeCall(client, { callId: `basic-${String(c)}-${kind}-${scenario}`, kind, scenario })}`);
      }
    }
    client.close();
  }
  return codes;
}

answerCommands({ ready: true }, { run, race, start, basic, finish: () => Promise.all(started.splice(0)), report: () => summary() });
