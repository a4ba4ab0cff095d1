// The protoc-gen-ts-otel demo: serves user.v1.UserService from an in-memory store on a
// grpc-js server, calls each of its five methods, one per call kind, with the generated
// client over loopback, and shows what the calls left in the metrics (Prometheus and
// OpenTelemetry) and the traces they made. While it runs, the metrics are served at
// /metrics (`npm run demo -- --serve` keeps the server up).
//
// `npm run demo` generates ./gen from testdata/proto/user/v1/user.proto, then runs this.
// The OpenTelemetry SDK starts first, in its own module.
import { memorySpans, otelMetrics, otlpEndpoint, sdk } from "./otel-sdk.js";
import { credentials } from "@grpc/grpc-js";
import { UserServiceDefinition, UserServiceClient } from "./gen/user/v1/user_otel.js";
import { startDemoServer } from "./demo-server.js";
import { logCall, logResponse, logStatus } from "./log.js";
import { printMetricsSummary } from "./metrics-summary.js";
import { formatTraces } from "./trace-tree.js";

async function main(): Promise<void> {
  const demo = await startDemoServer({ grpc: 0, metrics: 0 }, otelMetrics);
  console.log(`Serving ${UserServiceDefinition.typeName} on ${demo.grpcAddress}, metrics at ${demo.metricsUrl}`);
  const client = new UserServiceClient(demo.grpcAddress, credentials.createInsecure());
  try {
    await runClient(client);
    await printMetricsSummary(demo.metricsUrl);
  } finally {
    client.close();
    await demo.close();
    console.log("\nClient closed, server shut down.");
  }
  // Every span has ended now: print the traces, or let shutdown flush them to OTLP.
  console.log(memorySpans === undefined ? `\nTraces exported over OTLP to ${otlpEndpoint}` : `\n${formatTraces(memorySpans.getFinishedSpans())}`);
  await sdk.shutdown();
}

async function runClient(client: UserServiceClient): Promise<void> {
  const { getUser, createUser, listUsers, batchCreateUsers, streamUserUpdates } = UserServiceDefinition.methods;

  // Unary: a request in, a Promise of the response out.
  const ada = { userId: 1 };
  logCall(getUser, ada);
  logResponse(getUser, await client.getUser(ada));
  logStatus();

  // A failed call rejects with an RpcError: code, message and trailers.
  const missing = { userId: 404 };
  logCall(getUser, missing);
  try {
    logResponse(getUser, await client.getUser(missing));
    logStatus();
  } catch (error) {
    logStatus(error);
  }

  const alan = { name: "Alan Turing", email: "alan@example.com" };
  logCall(createUser, alan);
  logResponse(createUser, await client.createUser(alan));
  logStatus();

  // Server streaming: the responses are an AsyncIterable; breaking out of the loop cancels the call.
  const firstPage = { pageSize: 2, pageNumber: 0 };
  logCall(listUsers, firstPage);
  for await (const user of client.listUsers(firstPage)) {
    logResponse(listUsers, user);
  }
  logStatus();

  // Client streaming: the requests are any Iterable or AsyncIterable; one response comes back.
  const newUsers = [
    { name: "Edsger Dijkstra", email: "edsger@example.com" },
    { name: "Barbara Liskov", email: "barbara@example.com" },
    { name: "Donald Knuth", email: "don@example.com" },
  ];
  logCall(batchCreateUsers, ...newUsers);
  logResponse(batchCreateUsers, await client.batchCreateUsers(newUsers));
  logStatus();

  // Bidi streaming: requests go out as an iterable, responses come back as an AsyncIterable.
  const updates = [
    { userId: 1, field: "email", value: "ada@analytical.engine" },
    { userId: 2, field: "name", value: "Rear Admiral Grace Hopper" },
    { userId: 404, field: "name", value: "Nobody" },
  ];
  logCall(streamUserUpdates, ...updates);
  for await (const reply of client.streamUserUpdates(updates)) {
    logResponse(streamUserUpdates, reply);
  }
  logStatus();
}

await main();
