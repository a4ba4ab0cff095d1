// Differential wire conformance: every row of support/conformance-scenarios.ts is run
// through a recording HTTP/2 proxy against grpc-js's own server and client and against
// the generated ones, each peer in a process of its own, and the normalised transcripts
// of the streams (support/transcript.ts) must be equal.
//
// Lanes, run side by side, one client and one server process each:
// - the reference client against the reference server (the expected transcripts);
// - the same against a second reference server process (a control: must be equal);
// - the reference client against the generated server on createServer() and on a plain
//   grpc-js Server (the server matrix);
// - the generated client against the reference server (the client matrix), with full
//   telemetry and with `telemetry: false` (whose unary calls without a signal are settled
//   from grpc-js's callback: a path of their own).
// Then retry and hedging policies, and grpc-js's transparent retry of a stream the server
// refused, through the reference and the traced generated client against all three
// servers, and the untraced generated client against the reference server: the same
// attempts on the wire, in the handlers and in the telemetry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallOutcome } from "../support/conformance-calls.js";
import { KINDS, SCENARIOS } from "../support/conformance-scenarios.js";
import type { Kind, Scenario } from "../support/conformance-scenarios.js";
import { startH2Proxy } from "../support/h2-proxy.js";
import type { H2Proxy } from "../support/h2-proxy.js";
import { startPeer } from "../support/peer.js";
import type { Peer } from "../support/peer.js";
import type { SpanRecord, TelemetrySummary } from "../support/peer-telemetry.js";
import { firstDifference, transcriptOf, wireStatus, withoutRace } from "../support/transcript.js";
import type { CallTranscript } from "../support/transcript.js";

type ServerImpl = "reference" | "generated" | "generated-plain";
type ClientImpl = "reference" | "generated" | "generated-untraced";

const SERVER_PEER = "test/cross-process/peers/conformance-server.ts";
const CLIENT_PEER = "test/cross-process/peers/conformance-client.ts";
const CALL_TIMEOUT_MS = 20_000;
const IDLE_TIMEOUT_MS = 6_000;
const CODE_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];

/** What one call left on the wire and with its caller. */
interface Recorded {
  readonly callId: string;
  readonly outcome: CallOutcome;
  /** One per HTTP/2 stream that carried the call, in the order they opened. */
  readonly streams: readonly CallTranscript[];
  /** Why the call's connections did not all close in time, if they did not. */
  readonly lingering?: string;
}

interface Server {
  readonly impl: ServerImpl;
  readonly peer: Peer;
  readonly port: number;
  readonly missingPort: number;
}

interface Lane {
  readonly name: string;
  readonly client: ClientImpl;
  readonly clientPeer: Peer;
  readonly server: Server;
  readonly main: H2Proxy;
  readonly missing: H2Proxy;
  readonly callPrefix: string;
}

const proxies: H2Proxy[] = [];
const peers: Peer[] = [];

async function proxyTo(port: number): Promise<H2Proxy> {
  const proxy = await startH2Proxy(port, { record: true });
  proxies.push(proxy);
  return proxy;
}

async function startServer(impl: ServerImpl): Promise<Server> {
  const peer = await startPeer(SERVER_PEER, ["--impl", impl]);
  peers.push(peer);
  const { port } = await peer.command<{ port: number }>("serve", {});
  const missing = await peer.command<{ port: number }>("serve", { missing: true });
  return { impl, peer, port, missingPort: missing.port };
}

async function startClient(impl: ClientImpl): Promise<Peer> {
  const peer = await startPeer(CLIENT_PEER, ["--impl", impl]);
  peers.push(peer);
  return peer;
}

async function lane(name: string, client: ClientImpl, server: Server, callPrefix: string): Promise<Lane> {
  const [clientPeer, main, missing] = await Promise.all([startClient(client), proxyTo(server.port), proxyTo(server.missingPort)]);
  return { name, client, clientPeer, server, main, missing, callPrefix };
}

/** A stream of a call as the proxy saw it: on which connection, its id, its transcript. */
interface CallStream {
  readonly connection: number;
  readonly id: number;
  readonly transcript: CallTranscript;
}

/** The streams on `proxy`'s connections from `from` on whose request carried `callId`, in the order they opened. */
function callStreams(proxy: H2Proxy, from: number, callId: string): CallStream[] {
  const found: CallStream[] = [];
  for (const connection of proxy.connections.slice(from)) {
    for (const [id, frames] of connection.streams) {
      const first = frames.find((f) => f.from === "client" && f.kind === "headers");
      if (first?.kind === "headers" && first.headers.some(([n, v]) => n === "x-call-id" && v === callId)) {
        found.push({ connection: connection.index, id, transcript: transcriptOf(frames) });
      }
    }
  }
  return found;
}

/** The transcripts of the streams on `proxy`'s connections from `from` on whose request carried `callId`. */
function streamsOf(proxy: H2Proxy, from: number, callId: string): CallTranscript[] {
  return callStreams(proxy, from, callId).map((s) => s.transcript);
}

/** Makes one call of a row on a lane, waits for its connections to close, and returns what the wire carried. */
async function runCall(lane: Lane, scenario: Scenario, kind: Kind, serviceConfig?: string, proxy = scenario.missingHandler === true ? lane.missing : lane.main): Promise<Recorded> {
  const callId = `${lane.callPrefix}${scenario.name}/${kind}`;
  const args = { kind, scenario: scenario.name, callId, ...(serviceConfig === undefined ? {} : { serviceConfig }) };
  let target = proxy;
  let outcome: CallOutcome;
  if (scenario.shutdown !== undefined) {
    // A server of its own, shut down once the call's handler has sent its headers and the
    // whole request has passed (how much of a request stream beat the shutdown is timing).
    const fresh = await lane.server.peer.command<{ id: number; port: number }>("serve", {});
    target = await proxyTo(fresh.port);
    const call = lane.clientPeer.command<CallOutcome>("call", { ...args, port: target.port }, CALL_TIMEOUT_MS);
    const started = (t: CallTranscript): boolean => t.response.length > 0 && t.request.includes("half-close");
    await target.waitFor(() => streamsOf(target, 0, callId).some(started), CALL_TIMEOUT_MS, `${callId}: response headers and the request's half-close`);
    await lane.server.peer.command("shutdown", { id: fresh.id, how: scenario.shutdown });
    outcome = await call;
  } else {
    const before = target.connections.length;
    outcome = await lane.clientPeer.command<CallOutcome>("call", { ...args, port: target.port }, CALL_TIMEOUT_MS);
    return { callId, outcome, ...(await lingering(target, before)), streams: streamsOf(target, before, callId) };
  }
  return { callId, outcome, ...(await lingering(target, 0)), streams: streamsOf(target, 0, callId) };
}

/**
 * Waits for the call's connections to close: then every frame of the call has passed.
 * A connection that stays open is noted in the printed matrix, not compared: after a
 * cancel at the start of a call it happens to grpc-js's client too, some runs and not
 * others (a stream created after its call was cancelled, which nobody ends).
 */
async function lingering(proxy: H2Proxy, from: number): Promise<{ lingering?: string }> {
  try {
    await proxy.idle(IDLE_TIMEOUT_MS, from);
    return {};
  } catch {
    return { lingering: `the connection stayed open ${String(IDLE_TIMEOUT_MS)} ms after the call` };
  }
}

function rowNamed(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no row ${name}`);
  return found;
}

const rowKey = (scenario: string, kind: Kind): string => `${scenario} ${kind}`;
const ROWS = SCENARIOS.flatMap((scenario) => scenario.kinds.map((kind) => ({ scenario, kind, key: rowKey(scenario.name, kind) })));

/** Every row of a lane's matrix, in order. */
async function runLane(lane: Lane, matrix: "server" | "client"): Promise<Map<string, Recorded>> {
  const results = new Map<string, Recorded>();
  for (const { scenario, kind, key } of ROWS) {
    if (scenario.matrices.includes(matrix)) results.set(key, await runCall(lane, scenario, kind));
  }
  return results;
}

const NO_STREAM: CallTranscript = { request: [], response: [] };

/** How a row compares: undefined when equal, else the first difference. */
function compare(scenario: Scenario, expected: Recorded | undefined, actual: Recorded | undefined): string | undefined {
  if (expected === undefined || actual === undefined) return "not run";
  const racy = scenario.racyStatuses;
  // In a racy row a deadline or cancel may come before the stream is even created: nothing to compare then.
  if (racy !== undefined && (expected.streams.length === 0 || actual.streams.length === 0)) return undefined;
  if (expected.streams.length !== actual.streams.length) return `streams: ${String(expected.streams.length)} ≠ ${String(actual.streams.length)}`;
  for (const [i, stream] of expected.streams.entries()) {
    const [a, b] = [stream, actual.streams[i] ?? NO_STREAM].map((t) => (racy === undefined ? t : withoutRace(t, racy)));
    const wire = firstDifference(a ?? NO_STREAM, b ?? NO_STREAM);
    if (wire !== undefined) return expected.streams.length === 1 ? wire : `stream ${String(i + 1)}: ${wire}`;
  }
  // The caller's view: the status it got (details too when the server chose them) and the messages it read.
  const cancelledHere = scenario.client.cancel !== undefined || racy !== undefined;
  const view = (o: CallOutcome): string => `${CODE_NAMES[o.code] ?? String(o.code)}${cancelledHere ? "" : ` "${o.details}"`}, ${String(o.responses)} responses`;
  return view(expected.outcome) === view(actual.outcome) ? undefined : `caller: ${view(expected.outcome)} ≠ ${view(actual.outcome)}`;
}

/** A cell of the printed matrix: equal, or the first difference; and any connection left open. */
function cell(scenario: Scenario, expected: Recorded | undefined, actual: Recorded | undefined): string {
  const open = [expected?.lingering === undefined ? "" : "reference", actual?.lingering === undefined ? "" : "this"].filter((s) => s !== "");
  const note = open.length === 0 ? "" : ` (connection left open: ${open.join(", ")})`;
  return `${compare(scenario, expected, actual) === undefined ? "equal" : `differs: ${compare(scenario, expected, actual) ?? ""}`}${note}`;
}

let servers: Record<ServerImpl | "control", Server>;
let lanes: Record<"reference" | "control" | "generated" | "generated-plain" | "generated-client" | "generated-untraced-client", Lane>;
let matrix: Record<keyof typeof lanes, Map<string, Recorded>>;
const report: string[] = [];

beforeAll(async () => {
  const [reference, control, generated, plain] = await Promise.all([startServer("reference"), startServer("reference"), startServer("generated"), startServer("generated-plain")]);
  servers = { reference, control, generated, "generated-plain": plain };
  const built = await Promise.all([
    lane("reference", "reference", reference, ""),
    lane("control", "reference", control, ""),
    lane("generated", "reference", generated, ""),
    lane("generated-plain", "reference", plain, ""),
    lane("generated-client", "generated", reference, "generated-client/"),
    lane("generated-untraced-client", "generated-untraced", reference, "generated-untraced-client/"),
  ]);
  lanes = { reference: built[0], control: built[1], generated: built[2], "generated-plain": built[3], "generated-client": built[4], "generated-untraced-client": built[5] };
  const [r, c, g, p, gc, gu] = await Promise.all([
    runLane(lanes.reference, "server"),
    runLane(lanes.control, "server"),
    runLane(lanes.generated, "server"),
    runLane(lanes["generated-plain"], "server"),
    runLane(lanes["generated-client"], "client"),
    runLane(lanes["generated-untraced-client"], "client"),
  ]);
  matrix = { reference: r, control: c, generated: g, "generated-plain": p, "generated-client": gc, "generated-untraced-client": gu };
}, 240_000);

afterAll(async () => {
  console.log(report.join("\n"));
  await Promise.all(peers.map((peer) => peer.stop()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

describe("the server matrix: the reference client against grpc-js's server and the generated servers", () => {
  const columns = ["control", "generated", "generated-plain"] as const;

  it("prints the matrix", () => {
    report.push("", "scenario kind | reference server, 2nd process (control) | generated, createServer() | generated, new Server()");
    for (const { scenario, key } of ROWS.filter((r) => r.scenario.matrices.includes("server"))) {
      const cells = columns.map((column) => cell(scenario, matrix.reference.get(key), matrix[column].get(key)));
      report.push(`${key} | ${cells.join(" | ")}`);
    }
  });

  it.each(ROWS.filter((r) => r.scenario.matrices.includes("server")).map((r) => [r.key, r] as const))("%s: the control reference server's wire is the reference's", (_, { scenario, key }) => {
    expect(compare(scenario, matrix.reference.get(key), matrix.control.get(key))).toBeUndefined();
  });

  it.each(ROWS.filter((r) => r.scenario.matrices.includes("server")).map((r) => [r.key, r] as const))("%s: the generated server on createServer() answers as grpc-js's", (_, { scenario, key }) => {
    expect(compare(scenario, matrix.reference.get(key), matrix.generated.get(key))).toBeUndefined();
  });

  it.each(ROWS.filter((r) => r.scenario.matrices.includes("server")).map((r) => [r.key, r] as const))("%s: the generated server on new Server() answers as grpc-js's", (_, { scenario, key }) => {
    expect(compare(scenario, matrix.reference.get(key), matrix["generated-plain"].get(key))).toBeUndefined();
  });

  it.each([["generated"], ["generated-plain"]] as const)("on the %s server, each call is recorded with the status its stream carried", async (impl) => {
    const summary = (await servers[impl].peer.command<{ summary: TelemetrySummary }>("report")).summary;
    const problems: string[] = [];
    for (const [key, recorded] of matrix[impl]) {
      const spans = summary.spans.filter((s) => s.callId === recorded.callId);
      const carried = recorded.streams.map((t) => wireStatus(t));
      const racy = ROWS.find((r) => r.key === key)?.scenario.racyStatuses ?? [];
      problems.push(...spanProblems(key, spans, carried, racy));
    }
    report.push("", `${impl} server telemetry against the wire: ${problems.length === 0 ? "all equal" : `${String(problems.length)} differ`}`, ...problems);
    expect(problems).toEqual(impl === "generated" ? [] : PLAIN_SERVER_BLIND_SPOTS);
  });
});

/**
 * What a generated service on grpc-js's own Server cannot see, exactly as the README's
 * "What the telemetry sees" lists it: a unary or server-streaming request grpc-js refuses
 * before the handler (over the receive limit) has no span, and a response grpc-js refuses
 * over its send limit is recorded as the handler's OK. createServer() sees both.
 */
const PLAIN_SERVER_BLIND_SPOTS = [
  'server-receive-limit Unary: the wire carried RESOURCE_EXHAUSTED, spans []',
  'server-receive-limit ServerStream: the wire carried RESOURCE_EXHAUSTED, spans []',
  'server-send-limit Unary: the wire carried RESOURCE_EXHAUSTED, spans ["OK"]',
  'server-send-limit ServerStream: the wire carried RESOURCE_EXHAUSTED, spans ["OK"]',
  'server-send-limit ClientStream: the wire carried RESOURCE_EXHAUSTED, spans ["OK"]',
  'server-send-limit BidiStream: the wire carried RESOURCE_EXHAUSTED, spans ["OK"]',
];

/**
 * A generated server's spans of one call against its streams: one span per stream that
 * carried a status, with that status; a stream that carried none (the client's reset
 * came first) has a CANCELLED or DEADLINE_EXCEEDED span (or one of the row's racy
 * statuses), or none if no handler saw it.
 */
function spanProblems(key: string, spans: readonly SpanRecord[], carried: readonly (number | undefined)[], racy: readonly number[] = []): string[] {
  const codes = spans.map((s) => s.code).sort();
  const sent = carried.flatMap((c) => (c === undefined ? [] : [CODE_NAMES[c] ?? String(c)]));
  const silent = carried.length - sent.length;
  const others = [...codes];
  for (const code of sent) {
    const at = others.indexOf(code);
    if (at < 0) return [`${key}: the wire carried ${code}, spans ${JSON.stringify(codes)}`];
    others.splice(at, 1);
  }
  // A status lost to a simultaneous reset in a racy row is recorded as handed over (see the README).
  const allowed = new Set(["CANCELLED", "DEADLINE_EXCEEDED", ...racy.map((c) => CODE_NAMES[c] ?? String(c))]);
  if (others.length > silent || others.some((c) => !allowed.has(c))) {
    return [`${key}: the wire carried ${JSON.stringify(sent)} on ${String(carried.length)} streams, spans ${JSON.stringify(codes)}`];
  }
  return [];
}

/** The generated client's spans of one call against its caller: one span, with the status the caller received. */
function clientSpanProblems(key: string, summary: TelemetrySummary, recorded: Recorded): string[] {
  const received = CODE_NAMES[recorded.outcome.code] ?? String(recorded.outcome.code);
  const spans = summary.spans.filter((s) => s.callId === recorded.callId).map((s) => s.code);
  return spans.length === 1 && spans[0] === received ? [] : [`${key}: the caller received ${received}, spans ${JSON.stringify(spans)}`];
}

describe("the client matrix: the generated client against grpc-js's server, compared with grpc-js's client", () => {
  const rows = ROWS.filter((r) => r.scenario.matrices.includes("client"));

  it("prints the matrix", () => {
    report.push("", "scenario kind | generated client | generated client, telemetry: false");
    for (const { scenario, key } of rows) {
      const cells = (["generated-client", "generated-untraced-client"] as const).map((column) => cell(scenario, matrix.reference.get(key), matrix[column].get(key)));
      report.push(`${key} | ${cells.join(" | ")}`);
    }
  });

  it.each(rows.map((r) => [r.key, r] as const))("%s: the generated client's wire is grpc-js's", (_, { scenario, key }) => {
    expect(compare(scenario, matrix.reference.get(key), matrix["generated-client"].get(key))).toBeUndefined();
  });

  it.each(rows.map((r) => [r.key, r] as const))("%s: the generated client's wire with telemetry: false is grpc-js's", (_, { scenario, key }) => {
    expect(compare(scenario, matrix.reference.get(key), matrix["generated-untraced-client"].get(key))).toBeUndefined();
  });

  it("records each call in the generated client's span with the status its caller received", async () => {
    const summary = await lanes["generated-client"].clientPeer.command<TelemetrySummary>("report");
    const problems = rows.flatMap(({ key }) => {
      const recorded = matrix["generated-client"].get(key);
      return recorded === undefined ? [`${key}: not run`] : clientSpanProblems(key, summary, recorded);
    });
    report.push("", `generated client telemetry against its callers: ${problems.length === 0 ? "all equal" : problems.join("\n")}`);
    expect(problems).toEqual([]);
  });
});

/** The client process of `client` against `server`: each reference lane has its own, each generated client one for all servers. */
function clientPeerOf(server: ServerImpl, client: ClientImpl): Peer {
  switch (client) {
    case "reference":
      return lanes[server].clientPeer;
    case "generated":
      return lanes["generated-client"].clientPeer;
    case "generated-untraced":
      return lanes["generated-untraced-client"].clientPeer;
  }
}

/**
 * The pairs of client and server that run the retry rows: every server with the
 * reference and the traced generated client, and the untraced generated client against
 * grpc-js's server (its wire is the question; the generated servers are asked above).
 */
const RETRY_PAIRS = [
  ...(["reference", "generated", "generated-plain"] as const).flatMap((server) => (["reference", "generated"] as const).map((client) => ({ server, client }))),
  { server: "reference", client: "generated-untraced" },
] as const satisfies readonly { server: ServerImpl; client: ClientImpl }[];

/** Runs `run` on each case, one case at a time per client process, the client processes side by side. */
async function sideBySide<C extends { readonly server: ServerImpl; readonly client: ClientImpl }>(cases: readonly C[], run: (c: C) => Promise<void>): Promise<void> {
  const groups = new Map<Peer, C[]>();
  for (const c of cases) {
    const peer = clientPeerOf(c.server, c.client);
    groups.set(peer, [...(groups.get(peer) ?? []), c]);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const c of group) await run(c);
    }),
  );
}

const REFUSED = "RST_STREAM REFUSED_STREAM";
/** The server refused the stream before anything else: it never reached the server's gRPC layer. */
const refused = (t: CallTranscript): boolean => t.response[0] === REFUSED;

/** Handler invocations of a call on `server` (over all attempts). */
async function handlersOf(server: Server, callId: string): Promise<number> {
  return (await server.peer.command<{ invocations: Record<string, number> }>("report")).invocations[callId] ?? 0;
}

/**
 * The telemetry of one call of `client` on `server` against its wire: each of its streams
 * that reached a generated server (all but those it refused) is one server call with the
 * status it carried; the generated client records the call once.
 */
async function telemetryProblems(key: string, server: Server, client: ClientImpl, recorded: Recorded): Promise<{ server: string[]; client: string[] }> {
  const problems = { server: [] as string[], client: [] as string[] };
  if (server.impl !== "reference") {
    const spans = (await server.peer.command<{ summary: TelemetrySummary }>("report")).summary.spans.filter((s) => s.callId === recorded.callId);
    const reached = recorded.streams.filter((t) => !refused(t));
    problems.server = spanProblems(key, spans, reached.map((t) => wireStatus(t)));
  }
  if (client === "generated") {
    problems.client = clientSpanProblems(key, await clientPeerOf(server.impl, client).command<TelemetrySummary>("report"), recorded);
  }
  return problems;
}

// Retries across processes: a server method that refuses the first two attempts of a
// call with UNAVAILABLE before sending anything, then answers. grpc-js retries (and
// hedges) only an attempt that ended without response headers.
const SERVICE = [{ service: "tsotel.testing.v1.TestService" }];
const POLICIES = {
  retry: JSON.stringify({
    methodConfig: [{ name: SERVICE, retryPolicy: { maxAttempts: 4, initialBackoff: "0.01s", maxBackoff: "0.05s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] } }],
  }),
  // A hedging delay longer than the attempts take: each next attempt starts when the previous failed.
  hedging: JSON.stringify({ methodConfig: [{ name: SERVICE, hedgingPolicy: { maxAttempts: 3, hedgingDelay: "1s", nonFatalStatusCodes: ["UNAVAILABLE"] } }] }),
};
const FAIL_TWICE: Scenario = { name: "fail-twice", kinds: KINDS, client: {}, matrices: [] };

describe("retry and hedging policies across processes", () => {
  interface Attempts {
    readonly streams: number;
    readonly handlers: number;
    readonly outcome: string;
  }
  const attempts = new Map<string, Attempts>();
  const spanChecks: string[] = [];
  const clientSpanChecks: string[] = [];
  const cases = RETRY_PAIRS.flatMap(({ server, client }) => (["retry", "hedging"] as const).flatMap((policy) => KINDS.map((kind) => ({ server, client, policy, kind }))));
  const caseKey = (c: (typeof cases)[number]): string => `${c.policy} ${c.kind} ${c.client} client → ${c.server} server`;

  beforeAll(async () => {
    // The generated client reaches the generated servers through proxies of its own.
    const generatedClientLanes: Record<ServerImpl, Lane> = {
      reference: lanes["generated-client"],
      generated: { ...lanes["generated-client"], server: servers.generated, main: await proxyTo(servers.generated.port) },
      "generated-plain": { ...lanes["generated-client"], server: servers["generated-plain"], main: await proxyTo(servers["generated-plain"].port) },
    };
    const byLane = (server: ServerImpl, client: ClientImpl): Lane =>
      client === "generated" ? generatedClientLanes[server] : client === "generated-untraced" ? lanes["generated-untraced-client"] : lanes[server];
    await sideBySide(cases, async (c) => {
      const lane = byLane(c.server, c.client);
      const recorded = await runCall({ ...lane, callPrefix: `${c.policy}/${c.client}/${c.server}/` }, FAIL_TWICE, c.kind, POLICIES[c.policy]);
      attempts.set(caseKey(c), { streams: recorded.streams.length, handlers: await handlersOf(lane.server, recorded.callId), outcome: CODE_NAMES[recorded.outcome.code] ?? "?" });
      const problems = await telemetryProblems(caseKey(c), lane.server, c.client, recorded);
      spanChecks.push(...problems.server);
      clientSpanChecks.push(...problems.client);
    });
    report.push("", "retries: policy kind client → server | streams on the wire, handler invocations, outcome");
    for (const c of cases) {
      const a = attempts.get(caseKey(c));
      report.push(`${caseKey(c)} | ${String(a?.streams)} streams, ${String(a?.handlers)} handlers, ${String(a?.outcome)}`);
    }
    report.push("", `generated server telemetry on retries: ${spanChecks.length === 0 ? "all equal" : spanChecks.join("\n")}`);
    report.push(`generated client telemetry on retries: ${clientSpanChecks.length === 0 ? "one call per call" : clientSpanChecks.join("\n")}`);
  }, 120_000);

  it.each(cases.map((c) => [caseKey(c), c] as const))("%s: attempts and outcome as against grpc-js's server with grpc-js's client", (_, c) => {
    expect(attempts.get(caseKey(c))).toEqual(attempts.get(caseKey({ ...c, server: "reference", client: "reference" })));
  });

  it("against grpc-js's server and client: three attempts, the third answered OK", () => {
    for (const policy of ["retry", "hedging"] as const) {
      for (const kind of KINDS) {
        expect(attempts.get(caseKey({ server: "reference", client: "reference", policy, kind }))).toEqual({ streams: 3, handlers: 3, outcome: "OK" });
      }
    }
  });

  it("records each attempt that reached a generated server as one call with the status its stream carried", () => {
    expect(spanChecks).toEqual([]);
  });

  it("records one call per call on the generated client", () => {
    expect(clientSpanChecks).toEqual([]);
  });
});

// Transparent retries across processes: with no policy at all, grpc-js retries an
// attempt once, uncounted, when the server refused its stream before processing it
// (RST_STREAM with REFUSED_STREAM: load-balancing-call.ts reports it as REFUSED, and
// retrying-call.ts starts one new attempt for it, once per call). Each call goes to a
// server of its own that takes one stream at a time (grpc.max_concurrent_streams 1),
// through a proxy that hides that limit from the client (which would otherwise queue its
// stream instead of sending it) and holds the server's refusals back. A holder call,
// made first on the same channel, keeps the one stream busy, so the call's stream is
// refused. `answered`: the holder ends before the refusal goes on to the client, and the
// retry is answered. `refused`: the holder ends after the call, the retry is refused too,
// and the call fails with grpc-js's UNAVAILABLE.
const TRANSPARENT = ["answered", "refused"] as const;
const OK_ROW = rowNamed("ok");

/** The client sent all of its stream (the request side of the transcript is whole). */
const sentAll = (t: CallTranscript): boolean => t.request.includes("half-close");

/** Where a call's stream was and how the server ended it, and the attempts the client said came before. */
function streamSummary({ connection, id, transcript }: CallStream): string {
  const status = wireStatus(transcript);
  const end = refused(transcript) ? REFUSED : status === undefined ? "no status" : `grpc-status ${CODE_NAMES[status] ?? String(status)}`;
  const previous = /\bgrpc-previous-rpc-attempts=(\d+)/.exec(transcript.request[0] ?? "");
  return `connection ${String(connection)} stream ${String(id)}: ${end}${previous === null ? "" : `, after ${previous[1] ?? "?"} attempts`}`;
}

/** One call of a transparent-retry case: its recording, and its streams as streamSummary says. */
async function transparentCall(server: Server, clientPeer: Peer, variant: (typeof TRANSPARENT)[number], kind: Kind, callId: string): Promise<{ recorded: Recorded; wire: string[] }> {
  const fresh = await server.peer.command<{ id: number; port: number }>("serve", { maxConcurrentStreams: 1 });
  const proxy = await startH2Proxy(fresh.port, { record: true, hideStreamLimit: true, holdRefusals: true });
  proxies.push(proxy);
  const holder = `${callId}/holder`;
  const release = (): Promise<unknown> => server.peer.command("release", { id: fresh.id });
  const call = clientPeer.command<CallOutcome>("call", { kind, scenario: OK_ROW.name, callId, port: proxy.port, holder }, CALL_TIMEOUT_MS);
  // Each step waits for the wire, unless the call ends first: then that is the error.
  const endedEarly = call.then((o) => {
    throw new Error(`${callId}: the call ended early, ${CODE_NAMES[o.code] ?? String(o.code)} "${o.details}"`);
  });
  endedEarly.catch(() => undefined);
  const seen = (condition: () => boolean, what: string): Promise<void> => Promise.race([proxy.waitFor(condition, CALL_TIMEOUT_MS, `${callId}: ${what}`), endedEarly]);
  // A refusal is passed on once the client sent all of the refused stream, so that its transcript is whole.
  const refusals = (count: number): Promise<void> => seen(() => streamsOf(proxy, 0, callId).filter((t) => refused(t) && sentAll(t)).length >= count, `${String(count)} refused and sent`);
  await refusals(1);
  if (variant === "answered") {
    await release();
    await seen(() => streamsOf(proxy, 0, holder).some((t) => wireStatus(t) !== undefined), "the holder's status");
    proxy.passHeld();
  } else {
    proxy.passHeld();
    await refusals(2);
    proxy.passHeld();
  }
  const outcome = await call;
  if (variant === "refused") await release();
  const recorded = { callId, outcome, ...(await lingering(proxy, 0)), streams: streamsOf(proxy, 0, callId) };
  return { recorded, wire: callStreams(proxy, 0, callId).map(streamSummary) };
}

describe("transparent retries across processes", () => {
  interface Attempts {
    /** streamSummary of each stream of the call. */
    readonly streams: readonly string[];
    readonly handlers: number;
    readonly outcome: string;
  }
  const attempts = new Map<string, Attempts>();
  const recordings = new Map<string, Recorded>();
  const spanChecks: string[] = [];
  const clientSpanChecks: string[] = [];
  const cases = RETRY_PAIRS.flatMap(({ server, client }) => TRANSPARENT.flatMap((variant) => KINDS.map((kind) => ({ server, client, variant, kind }))));
  const caseKey = (c: (typeof cases)[number]): string => `${c.variant} ${c.kind} ${c.client} client → ${c.server} server`;
  const referenceOf = (c: (typeof cases)[number]): string => caseKey({ ...c, server: "reference", client: "reference" });

  beforeAll(async () => {
    await sideBySide(cases, async (c) => {
      const server = servers[c.server];
      const callId = `transparent/${c.variant}/${c.client}/${c.server}/${c.kind}`;
      const { recorded, wire } = await transparentCall(server, clientPeerOf(c.server, c.client), c.variant, c.kind, callId);
      recordings.set(caseKey(c), recorded);
      attempts.set(caseKey(c), { streams: wire, handlers: await handlersOf(server, recorded.callId), outcome: `${CODE_NAMES[recorded.outcome.code] ?? "?"} "${recorded.outcome.details}"` });
      const problems = await telemetryProblems(caseKey(c), server, c.client, recorded);
      spanChecks.push(...problems.server);
      clientSpanChecks.push(...problems.client);
    });
    report.push("", "transparent retries: variant kind client → server | streams on the wire; handler invocations; outcome | wire against grpc-js's client and server");
    for (const c of cases) {
      const a = attempts.get(caseKey(c));
      const wire = cell(OK_ROW, recordings.get(referenceOf(c)), recordings.get(caseKey(c)));
      report.push(`${caseKey(c)} | ${a?.streams.join(", ") ?? "?"}; ${String(a?.handlers)} handlers; ${String(a?.outcome)} | ${wire}`);
    }
    report.push("", `generated server telemetry on transparent retries: ${spanChecks.length === 0 ? "all equal" : spanChecks.join("\n")}`);
    report.push(`generated client telemetry on transparent retries: ${clientSpanChecks.length === 0 ? "one call per call" : clientSpanChecks.join("\n")}`);
  }, 120_000);

  it.each(cases.map((c) => [caseKey(c), c] as const))("%s: the same streams, attempts and outcome as grpc-js's client against grpc-js's server", (_, c) => {
    expect(attempts.get(caseKey(c))).toEqual(attempts.get(referenceOf(c)));
    expect(compare(OK_ROW, recordings.get(referenceOf(c)), recordings.get(caseKey(c)))).toBeUndefined();
  });

  it("against grpc-js's server and client: the refused stream is retried once on the same connection, uncounted", () => {
    const refusedStream = `connection 0 stream 3: ${REFUSED}`;
    for (const kind of KINDS) {
      expect(attempts.get(caseKey({ server: "reference", client: "reference", variant: "answered", kind }))).toEqual({
        streams: [refusedStream, "connection 0 stream 5: grpc-status OK"],
        handlers: 1,
        outcome: 'OK "OK"',
      });
      expect(attempts.get(caseKey({ server: "reference", client: "reference", variant: "refused", kind }))).toEqual({
        streams: [refusedStream, `connection 0 stream 5: ${REFUSED}`],
        handlers: 0,
        outcome: 'UNAVAILABLE "Stream refused by server"',
      });
    }
  });

  it("records each attempt that reached a generated server as one call with the status its stream carried, and none for a refused stream", () => {
    expect(spanChecks).toEqual([]);
  });

  it("records one call per call on the generated client", () => {
    expect(clientSpanChecks).toEqual([]);
  });
});
