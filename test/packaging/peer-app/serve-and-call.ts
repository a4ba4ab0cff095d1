// The part of the peer-range app (see ../peer-ranges.test.ts) that does not depend on
// prom-client: a server made with `createServer()` or `new Server()`, as argv[2] says,
// serves user.v1.UserService on 127.0.0.1:0; a generated client calls it once per call
// kind (and once more for an error with rich details); an in-memory exporter keeps both
// sides' spans.
// The test copies these files into projects where the packed runtime is installed
// with one combination of its peers, with the golden's import pointed at the code
// generated there.
import { create } from "@bufbuild/protobuf";
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { SpanKind, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Code, ErrorInfoSchema, RpcError, createServer } from "protoc-gen-ts-otel-runtime";
import { UserServiceClient, addUserService } from "../../../golden/user/user/v1/user_otel.js";

export const SERVERS = ["createServer", "new Server"] as const;
export type ServerKind = (typeof SERVERS)[number];

/** What the client got back, call by call. */
export interface Replies {
  readonly getUser: string;
  /** The code, then the reason of each ErrorInfo in the error's details. */
  readonly getMissingUser: string;
  readonly listUsers: readonly string[];
  readonly batchCreateUsers: number;
  readonly streamUserUpdates: readonly boolean[];
}

export interface AppReport {
  readonly server: ServerKind;
  readonly replies: Replies;
  /** Every ended span as `<kind> <name>`, sorted. */
  readonly spans: readonly string[];
}

/** The calls `serveAndCall` makes, each of which ends one span on each side. */
const CALLS = 5;

function spanName(kind: SpanKind, name: string): string {
  return `${kind === SpanKind.SERVER ? "server" : kind === SpanKind.CLIENT ? "client" : String(kind)} ${name}`;
}

export async function serveAndCall(server: ServerKind): Promise<AppReport> {
  const exporter = new InMemorySpanExporter();
  const finished = (): string[] => exporter.getFinishedSpans().map((s) => spanName(s.kind, s.name)).sort();
  let ended = 0;
  let allEnded = (): void => undefined;
  const allSpansEnded = new Promise<void>((resolve) => (allEnded = resolve));
  const endCounter: SpanProcessor = {
    onStart: () => undefined,
    onEnd: () => {
      ended += 1;
      if (ended === 2 * CALLS) allEnded();
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), endCounter] });
  trace.setGlobalTracerProvider(tracerProvider);

  const grpcServer = server === "createServer" ? createServer() : new Server();
  addUserService(grpcServer, {
    getUser({ userId }) {
      if (userId !== 1) {
        const info = create(ErrorInfoSchema, { reason: "USER_MISSING", domain: "users.example.com" });
        throw new RpcError(Code.NOT_FOUND, `no user ${String(userId)}`, undefined, { details: [info] });
      }
      return { userId, name: "Ada" };
    },
    createUser: ({ name }) => ({ userId: 2, name }),
    async *listUsers({ pageSize }) {
      for (let i = 1; i <= pageSize; i++) yield { userId: i, name: `user-${String(i)}` };
    },
    async batchCreateUsers(requests) {
      const userIds: number[] = [];
      for await (const _ of requests) userIds.push(userIds.length + 1);
      return { createdCount: userIds.length, userIds };
    },
    async *streamUserUpdates(updates) {
      for await (const { userId, field } of updates) yield { userId, success: field === "name" };
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    grpcServer.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err)));
  });
  const client = new UserServiceClient(`127.0.0.1:${String(port)}`, credentials.createInsecure());
  const user = await client.getUser({ userId: 1 });
  const missing = await client.getUser({ userId: 2 }).then(
    () => "OK",
    (err: unknown) => {
      const error = RpcError.from(err);
      return [Code[error.code], ...error.findDetails(ErrorInfoSchema).map((info) => info.reason)].join(" ");
    },
  );
  const listed: string[] = [];
  for await (const u of client.listUsers({ pageSize: 3 })) listed.push(u.name);
  const batch = await client.batchCreateUsers([{ name: "a" }, { name: "b" }]);
  const updated: boolean[] = [];
  for await (const reply of client.streamUserUpdates([{ userId: 1, field: "name" }, { userId: 1, field: "age" }])) updated.push(reply.success);

  // A server's span ends with its call there, which can be after the client has its answer.
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not every span ended within 30 s: ${finished().join(", ")}`)), 30_000).unref());
  await Promise.race([allSpansEnded, timeout]);
  await tracerProvider.forceFlush();
  client.close();
  grpcServer.forceShutdown();
  return {
    server,
    replies: { getUser: user.name, getMissingUser: missing, listUsers: listed, batchCreateUsers: batch.createdCount, streamUserUpdates: updated },
    spans: finished(),
  };
}

/** The server kind argv[2] names. */
export function serverArgument(): ServerKind {
  const server = SERVERS.find((s) => s === process.argv[2]);
  if (server === undefined) throw new Error(`give one of ${SERVERS.join(", ")}`);
  return server;
}
