// Per-call credentials (CallOptions.credentials) of generated clients, across processes
// on 127.0.0.1: a TLS server with a certificate made here, whose handlers answer
// UNAUTHENTICATED without a bearer token; a client with full telemetry. Per call, per
// client (in the channel credentials), both; a generator that fails; and on an insecure
// channel, where the generated client does what grpc-js's own Client does: what
// docs/credentials.md describes.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { credentials, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fencedBlocks } from "../support/markdown.js";
import { repoRoot } from "../support/paths.js";
import { bearerToken } from "./support/bearer-token.js";
import { GENERATOR_FAILURE } from "./support/credentials-calls.js";
import type { CallAuth, CredentialsCall, CredentialsOutcome } from "./support/credentials-calls.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";
import type { TelemetrySummary } from "./support/peer-telemetry.js";
import { makeTlsCertificate } from "./support/tls-certificate.js";
import type { TlsFiles } from "./support/tls-certificate.js";

const KINDS = ["Unary", "ServerStream", "ClientStream", "BidiStream"];
/** Responses of a successful call: the server streams two, the bidi handler echoes both requests. */
const RESPONSES: Record<string, number> = { Unary: 1, ServerStream: 2, ClientStream: 1, BidiStream: 2 };
const PLUGIN_FAILED = `Getting metadata from plugin failed with error: ${GENERATOR_FAILURE}`;

let tls: TlsFiles;
const peers: Peer[] = [];
let server: Peer;
let client: Peer;
let tlsPort: number;
let insecurePort: number;
/** Every call the generated client made, by call id, with what its caller saw. */
const made = new Map<string, CredentialsOutcome>();
let calls = 0;

beforeAll(async () => {
  tls = makeTlsCertificate();
  server = await startPeer("test/cross-process/peers/credentials-server.ts", ["--cert", tls.cert, "--key", tls.key]);
  peers.push(server);
  client = await startPeer("test/cross-process/peers/credentials-client.ts", ["--ca", tls.cert]);
  peers.push(client);
  tlsPort = Number(server.ready["tlsPort"]);
  insecurePort = Number(server.ready["insecurePort"]);
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  rmSync(tls.dir, { recursive: true, force: true });
});

async function call(kind: string, callAuth: CallAuth, options: { secure?: boolean; clientToken?: boolean } = {}): Promise<CredentialsOutcome & { callId: string }> {
  const callId = `${kind}-${callAuth}-${String((calls += 1))}`;
  const request: CredentialsCall = { port: options.secure === false ? insecurePort : tlsPort, secure: options.secure !== false, callId, kind, callAuth, ...(options.clientToken === true ? { clientToken: true } : {}) };
  const outcome = await client.command<CredentialsOutcome>("call", { ...request });
  made.set(callId, outcome);
  return { ...outcome, callId };
}

/** The `authorization` values each call's handler saw, by call id. */
const seenByServer = (): Promise<Record<string, string[]>> => server.command<Record<string, string[]>>("report");

describe("over TLS", () => {
  it.each(KINDS)("%s: the per-call bearer token reaches the handler", async (kind) => {
    const outcome = await call(kind, "token");
    expect(outcome).toMatchObject({ code: status.OK, responses: RESPONSES[kind] });
    expect((await seenByServer())[outcome.callId]).toEqual([`Bearer call-${outcome.callId}`]);
  });

  it.each(KINDS)("%s: without credentials the handler answers UNAUTHENTICATED", async (kind) => {
    const outcome = await call(kind, "none");
    expect(outcome).toEqual({ callId: outcome.callId, code: status.UNAUTHENTICATED, details: "a bearer token is required", responses: 0 });
    expect((await seenByServer())[outcome.callId]).toEqual([]);
  });

  it.each(KINDS)("%s: a per-client token, combined into the channel credentials, reaches the handler", async (kind) => {
    const outcome = await call(kind, "none", { clientToken: true });
    expect(outcome).toMatchObject({ code: status.OK, responses: RESPONSES[kind] });
    expect((await seenByServer())[outcome.callId]).toEqual([`Bearer client-${outcome.callId}`]);
  });

  it("per-call credentials add to the channel's rather than replace them: two `authorization` values fail the call with INTERNAL", async () => {
    const outcome = await call("Unary", "token", { clientToken: true });
    expect(outcome).toMatchObject({ code: status.INTERNAL, details: '"authorization" metadata cannot have multiple values', responses: 0 });
  });

  it.each(KINDS)("%s: a generator that fails ends the call before it is sent, with UNKNOWN, or UNAUTHENTICATED when its error says so", async (kind) => {
    const plain = await call(kind, "fails");
    expect(plain).toMatchObject({ code: status.UNKNOWN, details: PLUGIN_FAILED, responses: 0 });
    const coded = await call(kind, "fails-unauthenticated");
    expect(coded).toMatchObject({ code: status.UNAUTHENTICATED, details: PLUGIN_FAILED, responses: 0 });
    const seen = await seenByServer();
    expect([plain.callId, coded.callId].filter((id) => id in seen)).toEqual([]);
    // Even with a per-client token that would have let it through.
    const withClientToken = await call(kind, "fails", { clientToken: true });
    expect(withClientToken).toMatchObject({ code: status.UNKNOWN, details: PLUGIN_FAILED });
  });
});

describe("on an insecure channel", () => {
  it("grpc-js's own Client sends per-call credentials in the clear, and a failing generator fails its call as over TLS", async () => {
    const sent = await client.command<CredentialsOutcome>("reference", { port: insecurePort, secure: false, callId: "reference-token", callAuth: "token" });
    expect(sent).toMatchObject({ code: status.OK, responses: 1 });
    const failed = await client.command<CredentialsOutcome>("reference", { port: insecurePort, secure: false, callId: "reference-fails", callAuth: "fails" });
    expect(failed).toEqual({ code: status.UNKNOWN, details: PLUGIN_FAILED, responses: 0 });
    expect((await seenByServer())["reference-token"]).toEqual(["Bearer call-reference-token"]);
  });

  it.each(KINDS)("%s: the generated client does the same", async (kind) => {
    const sent = await call(kind, "token", { secure: false });
    expect(sent).toMatchObject({ code: status.OK, responses: RESPONSES[kind] });
    expect((await seenByServer())[sent.callId]).toEqual([`Bearer call-${sent.callId}`]);
    const failed = await call(kind, "fails", { secure: false });
    expect(failed).toMatchObject({ code: status.UNKNOWN, details: PLUGIN_FAILED, responses: 0 });
  });

  it("grpc-js refuses, when called, to combine call credentials into insecure channel credentials", () => {
    expect(() => credentials.combineChannelCredentials(credentials.createInsecure(), bearerToken(() => "t"))).toThrow("Cannot compose insecure credentials");
  });
});

describe("the client's telemetry", () => {
  it("recorded every call once, with the status and message its caller got, and counted it by that status", async () => {
    const summary = await client.command<TelemetrySummary>("report");
    const spans = new Map(summary.spans.map((span) => [span.callId, span]));
    expect(summary.spans).toHaveLength(made.size);
    const mismatched = [...made].filter(([callId, outcome]) => {
      const span = spans.get(callId);
      return span === undefined || span.code !== status[outcome.code] || span.message !== (outcome.code === status.OK ? "" : outcome.details);
    });
    expect(mismatched).toEqual([]);
    expect(summary.handled).toEqual(summary.spanCounts);
    expect(summary.durations).toEqual(summary.spanCounts);
    expect(summary.ended).toBe(summary.started);
    expect(summary.endedTwice).toBe(0);
    expect(summary.spanCounts["Unary"]?.["UNKNOWN"]).toBeGreaterThan(0);
  });
});

describe("docs/credentials.md", () => {
  it("shows bearer-token.ts, the helper these calls use, as it is", () => {
    const page = readFileSync(join(repoRoot, "docs/credentials.md"), "utf8");
    const source = readFileSync(join(repoRoot, "test/cross-process/support/bearer-token.ts"), "utf8");
    expect(fencedBlocks(page, "ts")).toContain(source);
  });
});
