// The client of the cross-process soak: `run` makes a seeded mix of calls (support/
// scenarios.ts) over several channels, each its own HTTP/2 connection, and returns the
// status each call ended with for the caller; `soak` does the same in counts, for the
// benchmark's long run; `report` gives the telemetry summary. `--counting` keeps
// counts of spans instead of the spans.
import { parseArgs } from "node:util";
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import { TestServiceClient, TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { answerCommands, heapUsed } from "../support/peer.js";
import { peerTelemetry } from "../support/peer-telemetry.js";
import type { Fault } from "../support/peer-telemetry.js";
import { makeCall, until } from "../support/soak-calls.js";
import { expectedCode, planned } from "../support/scenarios.js";
import type { PlannedCall } from "../support/scenarios.js";

const { values } = parseArgs({ options: { fault: { type: "string" }, counting: { type: "boolean", default: false } } });
const { telemetry, summary } = peerTelemetry("client", values.fault as Fault | undefined, values.counting);

/** What the caller saw of one call. */
export interface ObservedCall extends PlannedCall {
  readonly code: string;
}

/**
 * Clients for `channels` HTTP/2 connections, each replaced by a new one once it has
 * carried `callsPerConnection` calls: Node's HTTP/2 server drops a connection after
 * about 1,000 stream resets, and a long soak resets hundreds of thousands. A replaced
 * client is closed once its last call has ended.
 */
class Connections {
  private readonly slots: { client: TestServiceClient; calls: number; inFlight: number }[] = [];
  private turn = 0;

  constructor(
    private readonly port: number,
    channels: number,
    private readonly callsPerConnection = 1_000,
  ) {
    for (let i = 0; i < channels; i++) this.slots.push(this.open());
  }

  /** Makes `call` on the next connection in turn. */
  async call(call: PlannedCall): Promise<string> {
    const index = this.turn++ % this.slots.length;
    let slot = this.slots[index];
    if (slot === undefined) throw new Error("no connections");
    if (slot.calls >= this.callsPerConnection) {
      const retired = slot;
      slot = this.open();
      this.slots[index] = slot;
      if (retired.inFlight === 0) retired.client.close();
      else retired.calls = Number.POSITIVE_INFINITY;
    }
    slot.calls += 1;
    slot.inFlight += 1;
    try {
      return await makeCall(slot.client, call);
    } finally {
      slot.inFlight -= 1;
      if (slot.inFlight === 0 && slot.calls === Number.POSITIVE_INFINITY) slot.client.close();
    }
  }

  close(): void {
    for (const slot of this.slots) slot.calls = Number.POSITIVE_INFINITY;
    for (const slot of this.slots) if (slot.inFlight === 0) slot.client.close();
  }

  private open(): { client: TestServiceClient; calls: number; inFlight: number } {
    const client = new TestServiceClient(`127.0.0.1:${String(this.port)}`, credentials.createInsecure(), {
      // Each its own connection, not one shared by the process's clients.
      channelOptions: { "grpc.use_local_subchannel_pool": 1 },
      telemetry,
    });
    return { client, calls: 0, inFlight: 0 };
  }
}

/** Runs `calls` with `concurrency` callers over `connections`, telling `done` each call's status as its caller received it. */
async function callAll(calls: Iterator<PlannedCall>, connections: Connections, concurrency: number, done: (call: PlannedCall, code: string) => void): Promise<void> {
  const worker = async (): Promise<void> => {
    for (let next = calls.next(); next.done !== true; next = calls.next()) {
      done(next.value, await connections.call(next.value));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function run(args: Record<string, unknown>): Promise<ObservedCall[]> {
  const connections = new Connections(Number(args["port"]), Number(args["channels"] ?? 3));
  const observed: ObservedCall[] = [];
  await callAll(planned(Number(args["seed"]), Number(args["calls"])), connections, Number(args["concurrency"] ?? 16), (call, code) => {
    observed.push({ ...call, code });
  });
  connections.close();
  return observed;
}

/** Counts of calls by `kind|scenario|code`, and those whose caller did not receive what the scenario asks for. */
export interface SoakTally {
  readonly counts: Record<string, number>;
  readonly wrong: number;
}

let long: { plan: Generator<PlannedCall>; connections: Connections } | undefined;

/**
 * The long soak of the benchmark: `calls` more calls of one endless seeded plan, kept
 * as counts only, on connections kept between commands.
 */
async function soak(args: Record<string, unknown>): Promise<SoakTally> {
  long ??= { plan: planned(Number(args["seed"])), connections: new Connections(Number(args["port"]), Number(args["channels"] ?? 4)) };
  const { plan, connections } = long;
  const counts: Record<string, number> = {};
  let wrong = 0;
  let left = Number(args["calls"]);
  const segment: Iterator<PlannedCall> = {
    next: () => (left-- > 0 ? plan.next() : { done: true, value: undefined }),
  };
  await callAll(segment, connections, Number(args["concurrency"] ?? 32), (call, code) => {
    const key = `${call.kind}|${call.scenario}|${code}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (code !== expectedCode(call.scenario)) wrong += 1;
  });
  if (args["last"] === true) connections.close();
  return { counts, wrong };
}

/**
 * Calls one after another on one new connection, each sending two requests and then
 * cancelling without half-closing, as grpc-node's interop test
 * cancel_after_first_response does; grpc-js then sends END_STREAM and RST_STREAM, and
 * an echoing handler races the reset. The calls' HTTP/2 streams are 1, 3, 5, … in order.
 * With `plain`, a plain grpc-js client makes them and cancels with `call.cancel()`;
 * with `deadline`, the generated client's deadline passes instead (grpc-js ends the call
 * the same way); otherwise the generated client cancels through its signal.
 */
async function race(args: Record<string, unknown>): Promise<{ callId: string; code: string }[]> {
  // Connected first, so that every call makes a stream, in order.
  const channel = new Client(`127.0.0.1:${String(args["port"])}`, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 });
  await new Promise<void>((resolve, reject) => {
    channel.waitForReady(Date.now() + 10_000, (err) => (err === undefined ? resolve() : reject(err)));
  });
  const client = new TestServiceClient(channel, { telemetry });
  const kind = args["kind"] === "BidiStream" ? "BidiStream" : "ClientStream";
  const cancelled = args["plain"] === true ? plainCancelled : args["deadline"] === true ? generatedTimedOut : generatedCancelled;
  const results: { callId: string; code: string }[] = [];
  for (let i = 0; i < Number(args["calls"]); i++) {
    const callId = `race-${typeof args["prefix"] === "string" ? args["prefix"] : ""}${String(i)}`;
    const metadata = new Metadata();
    metadata.set("x-call-id", callId);
    metadata.set("x-scenario", "ok");
    results.push({ callId, code: await cancelled(kind, client, channel, metadata) });
  }
  channel.close();
  return results;
}

type RaceKind = "ClientStream" | "BidiStream";

/** Two requests from the generated client, then its signal fires; the status its caller got. */
async function generatedCancelled(kind: RaceKind, client: TestServiceClient, _channel: Client, metadata: Metadata): Promise<string> {
  const abort = new AbortController();
  let sent: () => void = () => undefined;
  const twoSent = new Promise<void>((resolve) => (sent = resolve));
  async function* requests(): AsyncGenerator<{ text: string; count: number }> {
    yield { text: "race", count: 1 };
    yield { text: "race", count: 1 };
    sent();
    await until(abort.signal);
  }
  const options = { metadata, signal: abort.signal };
  const done =
    kind === "BidiStream"
      ? (async () => {
          for await (const _ of client.bidiStream(requests(), options)) {
            // Echoes, until the cancel.
          }
        })()
      : client.clientStream(requests(), options);
  await twoSent;
  await new Promise((resolve) => setImmediate(resolve));
  abort.abort();
  return done.then(
    () => "OK",
    (err: unknown) => Code[RpcError.from(err).code],
  );
}

/** How long a `deadline` call of `race` has: its two requests go out well before. */
const RACE_DEADLINE_MS = 50;

/** Two requests from the generated client, then its deadline passes; the status its caller got. */
async function generatedTimedOut(kind: RaceKind, client: TestServiceClient, _channel: Client, metadata: Metadata): Promise<string> {
  const ended = new AbortController();
  async function* requests(): AsyncGenerator<{ text: string; count: number }> {
    yield { text: "race", count: 1 };
    yield { text: "race", count: 1 };
    await until(ended.signal);
  }
  const options = { metadata, deadline: Date.now() + RACE_DEADLINE_MS };
  const done =
    kind === "BidiStream"
      ? (async () => {
          for await (const _ of client.bidiStream(requests(), options)) {
            // Echoes, until the deadline.
          }
        })()
      : client.clientStream(requests(), options);
  return done
    .then(
      () => "OK",
      (err: unknown) => Code[RpcError.from(err).code],
    )
    .finally(() => ended.abort());
}

/** Two requests from a plain grpc-js call, then `call.cancel()`; the status its caller got. */
function plainCancelled(kind: RaceKind, _client: TestServiceClient, channel: Client, metadata: Metadata): Promise<string> {
  const method = kind === "BidiStream" ? TestServiceDefinition.methods.bidiStream : TestServiceDefinition.methods.clientStream;
  const { path } = method;
  const request = Buffer.from(toBinary(method.input, create(method.input, { text: "race", count: 1 })));
  return new Promise((resolve) => {
    const settle = (err: ServiceError | null): void => {
      resolve(err === null ? "OK" : Code[err.code]);
    };
    const call =
      kind === "BidiStream"
        ? channel.makeBidiStreamRequest(path, passThrough, passThrough, metadata)
        : channel.makeClientStreamRequest(path, passThrough, passThrough, metadata, (err) => settle(err));
    if (kind === "BidiStream") {
      call.on("data", () => undefined);
      call.on("error", (err: ServiceError) => settle(err));
      call.on("end", () => settle(null));
    }
    call.write(request);
    call.write(request, () => setImmediate(() => call.cancel()));
  });
}

function passThrough(bytes: Buffer): Buffer {
  return bytes;
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

answerCommands(
  { ready: true },
  { run, soak, race, start, basic, finish: () => Promise.all(started.splice(0)), report: () => summary(), heap: heapUsed },
);
