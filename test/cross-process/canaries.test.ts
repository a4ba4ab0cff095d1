// Canaries: what the runtime relies on grpc-js and Node to do, checked on plain grpc-js
// with no code of the runtime, a server in a child process and a client here. Each
// fails with a message naming the assumption and the runtime module that depends on
// it, so that a grpc-js or Node upgrade that changes one is caught here first.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "protoc-gen-ts-otel-runtime";
import { halfClosesBeforeReset } from "../../packages/runtime/src/server/half-close.js";
import type { CanaryRecord } from "./peers/canary-server.js";
import { fencedBlocks } from "../support/markdown.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import { startPeer } from "./support/peer.js";
import type { Peer } from "./support/peer.js";

const pass = (bytes: Buffer): Buffer => bytes;
let server: Peer;
let client: Client;
let calls = 0;

beforeAll(async () => {
  server = await startPeer("test/cross-process/peers/canary-server.ts");
  client = new Client(`127.0.0.1:${String(server.ready["port"])}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.stop();
});

function metadataFor(id: string, answer?: string): Metadata {
  const metadata = new Metadata();
  metadata.set("x-call-id", id);
  if (answer !== undefined) metadata.set("x-answer", answer);
  return metadata;
}

/** A unary call; resolves with its status once the client has it. */
function unary(method: string, metadata: Metadata, cancel = false): Promise<ServiceError | null> {
  return new Promise((resolve) => {
    const call = client.makeUnaryRequest(`/canary.Canary/${method}`, pass, pass, Buffer.alloc(0), metadata, (err) => resolve(err));
    // Cancelled once the handler runs (it sends headers first).
    if (cancel) call.on("metadata", () => call.cancel());
  });
}

/** What the server saw of call `id`, once its events include `event` (by default, grpc-js reported it over). */
async function seen(id: string, event = "onCancel"): Promise<CanaryRecord> {
  for (;;) {
    const records = await server.command<Record<string, CanaryRecord>>("report");
    const found = records[id];
    if (found?.events.includes(event) === true) return found;
  }
}

/**
 * A client-streaming call that sends one message and cancels `delayMs` after the server
 * has it: a cancel before grpc-js has opened the stream (a loaded machine) would never
 * reach the server.
 */
function uploadThenCancel(id: string, delayMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const call = client.makeClientStreamRequest("/canary.Canary/Upload", pass, pass, metadataFor(id), () => resolve());
    call.write(Buffer.from([1]));
    void seen(id, "data").then(() => setTimeout(() => call.cancel(), delayMs));
  });
}

const nextId = (): string => `canary-${String(++calls)}`;

describe("grpc-js, as the runtime relies on it", () => {
  it("hands a server interceptor and the handler the same request Metadata object", async () => {
    const id = nextId();
    await unary("Unary", metadataFor(id));
    expect((await seen(id)).sameMetadata, "createServer()'s interceptor and the handler's call find each other by the request Metadata object (server/grpc-js-assumptions.ts, 3)").toBe(true);
  });

  it("reports every server call over, also after its status went out", async () => {
    for (const answer of ["ok", "error"]) {
      const id = nextId();
      await unary("Unary", metadataFor(id, answer));
      const { events } = await seen(id);
      expect(events, `a server call's end is learnt only from grpc-js's onCancel and 'cancelled', also after ${answer} (server/grpc-js-assumptions.ts, 1)`).toEqual(
        expect.arrayContaining(["onCancel", "cancelled"]),
      );
    }
  });

  it("reports a call over with the stream alive once its status went out, trailers-only or not", async () => {
    for (const answer of ["ok", "error"]) {
      const id = nextId();
      await unary("Unary", metadataFor(id, answer));
      expect((await seen(id)).peerAtEnd, `a status that went out (${answer}) is told from one a reset dropped by getPeer() at onCancel (server/grpc-js-assumptions.ts, 2)`).not.toBe("unknown");
    }
  });

  it("reports a call the client reset over with the stream gone, getPeer() saying 'unknown'", async () => {
    const id = nextId();
    const status = await unary("Unary", metadataFor(id, "wait"), true);
    expect(status?.code).toBe(Code.CANCELLED);
    expect((await seen(id)).peerAtEnd, "a dropped status is told by getPeer() answering 'unknown' at onCancel (server/grpc-js-assumptions.ts, 2)").toBe("unknown");
  });

  it("passes a server interceptor's startRead on to the call it wraps", async () => {
    const id = nextId();
    await uploadThenCancel(id, 0);
    expect((await seen(id)).readsForwarded, "createServer() counts the reads a handler asks for in ServerInterceptingCall.startRead (server/grpc-js-assumptions.ts, 4)").toBeGreaterThan(0);
  });

  it("sends headers before a first response message that goes through a server interceptor", async () => {
    // The canary server's interceptor leaves sendMessage as ServerInterceptingCall has it.
    const [code, headersFirst] = await new Promise<[number | undefined, boolean]>((resolve) => {
      let headers = false;
      const call = client.makeUnaryRequest("/canary.Canary/Oversize", pass, pass, Buffer.alloc(0), metadataFor(nextId()), (err) => resolve([err?.code, headers]));
      call.on("metadata", () => (headers = true));
    });
    expect(code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(
      headersFirst,
      "a response over grpc-js's send limit goes after headers through ServerInterceptingCall.sendMessage, so createServer() hands messages past it to keep grpc-js's trailers-only answer (server/grpc-js-assumptions.ts, 4); if headers no longer go first, the bypass can go",
    ).toBe(true);
  });

  it("offers getHost() on server calls", async () => {
    const id = nextId();
    await unary("Unary", metadataFor(id));
    expect((await seen(id)).hasGetHost, "getHost() came with grpc-js 1.11; server/grpc-js-assumptions.ts (5) makes it optional").toBe(true);
  });

  it("answers what its own handlers and (de)serializers refuse in the words the runtime repeats", async () => {
    const words = async (method: string): Promise<[number | undefined, string | undefined]> => {
      const status = await unary(method, metadataFor(nextId()));
      return [status?.code, status?.details];
    };
    const where = "server/server-call.ts and server/server-codec.ts answer in grpc-js's words";
    expect(await words("Missing"), where).toEqual([Code.UNIMPLEMENTED, "The server does not implement the method Missing"]);
    expect(await words("Unparsable"), where).toEqual([Code.INTERNAL, "Error deserializing request"]);
    expect(await words("Unserializable"), where).toEqual([Code.INTERNAL, "Error serializing response"]);
  });
});

describe("a grpc-js client on Node's http2, as the runtime relies on it", () => {
  it("half-closes a request stream before it resets it when it cancels, and says so in its user-agent", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = nextId();
      ids.push(id);
      // The client never half-closes: it sends a message, then cancels.
      await uploadThenCancel(id, 5);
    }
    // One wait at a time: the peer's commands are not meant to be in flight together.
    const records: CanaryRecord[] = [];
    for (const id of ids) records.push(await seen(id));
    const endedFirst = records.filter((r) => r.events.indexOf("end") >= 0 && r.events.indexOf("end") < r.events.indexOf("cancelled")).length;
    expect(
      endedFirst,
      "a cancelling grpc-js client sends END_STREAM before RST_STREAM, and the server hears the end first: server/half-close.ts holds such clients' half-closes for it; if no cancel shows it any more, the hold can go",
    ).toBeGreaterThan(0);
    expect(
      records.map((r) => halfClosesBeforeReset(userAgentMetadata(r.userAgent))),
      "server/half-close.ts knows grpc-js clients by their user-agent",
    ).toEqual(records.map(() => true));
  });
});

function userAgentMetadata(agent: string | undefined): Metadata {
  const metadata = new Metadata();
  metadata.set("user-agent", agent ?? "");
  return metadata;
}

describe("the reproductions of docs/cancelled-uploads.md, run as written", () => {
  const [nodeOnly, withGrpcJs] = fencedBlocks(readFileSync(join(repoRoot, "docs/cancelled-uploads.md"), "utf8"), "js");
  const runModule = (source: string | undefined): string => {
    const result = run(process.execPath, ["--input-type=module", "-e", source ?? ""], { cwd: repoRoot, timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };

  it("Node's alone: the server hears the end of a stream its client closed with CANCEL", () => {
    const lines = runModule(nodeOnly).trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines.every((line) => line.endsWith("close (rstCode 8)"))).toBe(true);
    expect(lines.filter((line) => line.includes(" end, ")).length).toBeGreaterThan(0);
  });

  it("grpc-js's: END_STREAM and RST_STREAM in separate TCP reads, and the server's end before its cancel", () => {
    const reads = runModule(withGrpcJs).trim().split("\n");
    const separate = [1, 3, 5].filter((id) => {
      const end = reads.findIndex((line) => line.endsWith(`DATA+END_STREAM(${String(id)})`));
      const reset = reads.findIndex((line) => line.includes(`RST_STREAM(${String(id)})`));
      return end >= 0 && reset > end;
    });
    expect(separate.length).toBeGreaterThan(0);
    expect(reads.filter((line) => line === "server events: data end cancelled").length).toBeGreaterThan(0);
  });
});
