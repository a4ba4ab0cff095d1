// A unary call of a `telemetry: false` client given no signal, header or trailer callback,
// and made outside any handler, is settled straight from grpc-js's callback (unary.ts,
// `sendPlainUnary`). Its outcome must be that of the same call made through the full
// path, which a call given a signal that never fires takes: the same response, or the
// same RpcError, in every way a unary call can end.
import { createServer as createHttp2Server } from "node:http2";
import type { Http2Server, ServerHttp2Stream } from "node:http2";
import { Metadata, Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import type { sendUnaryData } from "@grpc/grpc-js";
import { create, toBinary, toJson } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { Code, ErrorInfoSchema, RpcError } from "protoc-gen-ts-otel-runtime";
import type { CallOptions } from "protoc-gen-ts-otel-runtime";
import { UnaryResponseSchema } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import type { UnaryRequestSchema, UnaryResponse } from "../../../golden/test_service/tsotel/testing/v1/test_service_pb.js";
import { TestServiceClient, TestServiceDefinition } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import type { TestServiceHandlers } from "../../../golden/test_service/tsotel/testing/v1/test_service_otel.js";
import { aborted, useTestServer } from "../../support/harness.js";
import { bindLocal, listenLocal } from "../../support/listen.js";

const start = useTestServer();

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A signal that never fires: the call takes the full path. */
const FULL_PATH: CallOptions = { signal: new AbortController().signal };

/** Everything a caller can see of how a unary call settled. */
async function outcome(call: Promise<UnaryResponse>): Promise<unknown> {
  try {
    return { response: toJson(UnaryResponseSchema, await call) };
  } catch (err) {
    if (!(err instanceof RpcError)) {
      return { thrown: String(err) };
    }
    return {
      code: err.code,
      // grpc-js's deadline message says how long the call's phases took.
      message: err.rawMessage.replace(/^Deadline exceeded after .*/, "Deadline exceeded after <timings>"),
      // Without the HTTP date header, which two calls may get a second apart.
      metadata: Object.fromEntries(Object.entries(err.metadata.getMap()).filter(([key]) => key !== "date")),
      details: err.details.map((d) => d.typeUrl),
      // grpc-js's status error, or the runtime's own reason.
      cause: err.cause instanceof Error ? err.cause.constructor.name : typeof err.cause,
    };
  }
}

/**
 * The call made through both paths by a `telemetry: false` client, with the options
 * `options` gives each; both outcomes must be alike.
 */
async function bothPaths(client: TestServiceClient, request: MessageInitShape<typeof UnaryRequestSchema>, options: () => CallOptions = () => ({})): Promise<unknown> {
  const plain = await outcome(client.unary(request, options()));
  const full = await outcome(client.unary(request, { ...options(), ...FULL_PATH }));
  expect(plain).toEqual(full);
  return plain;
}

/** A `telemetry: false` client on a channel already connected to a server with `handlers`. */
async function plainClient(handlers: Partial<TestServiceHandlers>): Promise<TestServiceClient> {
  return (await start(handlers, { client: { telemetry: false } })).client;
}

describe("a unary call settled from grpc-js's callback", () => {
  it("gets the response, and the handler the request metadata", async () => {
    const client = await plainClient({
      unary: (request, context) => ({ text: `${request.text} ${String(context.metadata.get("x-request")[0])}`, count: request.count + 1 }),
    });
    const metadata = new Metadata();
    metadata.set("x-request", "seen");
    expect(await bothPaths(client, { text: "hello", count: 1 }, () => ({ metadata }))).toEqual({ response: { text: "hello seen", count: 2 } });
  });

  it("fails with the handler's status, trailers and details", async () => {
    const client = await plainClient({
      unary() {
        const trailers = new Metadata();
        trailers.set("x-why", "stock");
        throw new RpcError(Code.FAILED_PRECONDITION, "out of stock", trailers, {
          details: [{ desc: ErrorInfoSchema, value: { reason: "STOCK_EMPTY" } }],
        });
      },
    });
    const seen = (await bothPaths(client, {})) as { code: Code; metadata: Record<string, unknown>; details: string[] };
    expect(seen.code).toBe(Code.FAILED_PRECONDITION);
    expect(seen.metadata["x-why"]).toBe("stock");
    expect(seen.details).toEqual(["type.googleapis.com/google.rpc.ErrorInfo"]);
  });

  it("fails UNKNOWN for a handler that throws something else", async () => {
    const client = await plainClient({
      unary() {
        throw new Error("secret");
      },
    });
    expect(await bothPaths(client, {})).toMatchObject({ code: Code.UNKNOWN, cause: "Error" });
  });

  it("fails DEADLINE_EXCEEDED when its deadline passes", async () => {
    const client = await plainClient({
      async unary(_request, context) {
        await aborted(context.signal);
        return {};
      },
    });
    expect(await bothPaths(client, {}, () => ({ deadline: Date.now() + 200 }))).toMatchObject({ code: Code.DEADLINE_EXCEEDED });
  });

  it("fails INTERNAL, naming the type, for a response that does not parse", async () => {
    // A plain grpc-js server answering the method with bytes that are no UnaryResponse.
    const server = new Server();
    closers.push(() => server.forceShutdown());
    server.register(
      TestServiceDefinition.methods.unary.path,
      (_call: unknown, callback: sendUnaryData<Buffer>) => {
        callback(null, Buffer.from([0xff]));
      },
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      "unary",
    );
    const port = await bindLocal(server, ServerCredentials.createInsecure());
    const client = new TestServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: false });
    closers.push(() => client.close());
    const seen = (await bothPaths(client, {})) as { code: Code; message: string };
    expect(seen.code).toBe(Code.INTERNAL);
    expect(seen.message).toContain("cannot parse tsotel.testing.v1.UnaryResponse");
  });

  it("fails INTERNAL before anything is sent for a request that cannot be encoded", async () => {
    let handled = 0;
    const client = await plainClient({
      unary() {
        handled++;
        return {};
      },
    });
    const seen = (await bothPaths(client, { count: "x" as unknown as number })) as { code: Code; message: string };
    expect(seen.code).toBe(Code.INTERNAL);
    expect(seen.message).toContain("invalid int32");
    expect(handled).toBe(0);
  });

  it("fails UNAVAILABLE on a closed client", async () => {
    // Made from the address, so that close() closes its channel.
    const { address } = await start({ unary: () => ({}) });
    const client = new TestServiceClient(address, credentials.createInsecure(), { telemetry: false });
    client.close();
    expect(await bothPaths(client, {})).toMatchObject({ code: Code.UNAVAILABLE });
  });
});

/** A gRPC message frame: uncompressed, big-endian length, bytes. */
function frame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** What a server that breaks the rules of a unary call answers, after the request's end. */
type Misbehaviour = (stream: ServerHttp2Stream) => void;

const RESPONSE = frame(toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "sent" })));

/** Each rule-breaking answer, and the code grpc-js's own unary callback gives for it (1.14). */
const MISBEHAVIOURS: Readonly<Record<string, { answer: Misbehaviour; code: Code }>> = {
  "a response, then an error status": {
    answer: (stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(Code.INTERNAL), "grpc-message": "after all" }));
      stream.end(RESPONSE);
    },
    code: Code.INTERNAL,
  },
  "OK without a response": {
    answer: (stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "0" }, { endStream: true });
    },
    code: Code.UNIMPLEMENTED,
  },
};

describe("a unary call to a server that breaks the rules, settled from grpc-js's callback", () => {
  let server: Http2Server | undefined;
  afterEach(() => server?.close());

  it.each(Object.keys(MISBEHAVIOURS))("ends as the full path's: %s", async (name) => {
    const misbehaviour = MISBEHAVIOURS[name];
    server = createHttp2Server();
    server.on("stream", (stream) => {
      stream.on("data", () => undefined);
      stream.on("end", () => misbehaviour?.answer(stream));
    });
    const port = await listenLocal(server);
    const client = new TestServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), { telemetry: false });
    closers.push(() => client.close());
    expect(await bothPaths(client, { text: "x" })).toMatchObject({ code: misbehaviour?.code });
  });
});
