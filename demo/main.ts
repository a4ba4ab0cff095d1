// The protoc-gen-ts-otel demo: serves user.v1.UserService from an in-memory store on a
// grpc-js server, then calls each of its five methods, one per call kind, with the
// generated client over loopback.
//
// `npm run demo` generates ./gen from testdata/proto/user/v1/user.proto, then runs this.
import { Server, ServerCredentials, credentials } from "@grpc/grpc-js";
import { UserServiceDefinition, UserServiceClient, addUserService } from "./gen/user/v1/user_otel.js";
import { logCall, logResponse, logStatus } from "./log.js";
import { createUserStore } from "./user-store.js";

async function main(): Promise<void> {
  const { server, address } = await startServer();
  const client = new UserServiceClient(address, credentials.createInsecure());
  try {
    await runClient(client);
  } finally {
    await shutdown(client, server);
  }
}

async function startServer(): Promise<{ server: Server; address: string }> {
  const server = new Server();
  addUserService(
    server,
    createUserStore([
      { name: "Ada Lovelace", email: "ada@example.com" },
      { name: "Grace Hopper", email: "grace@example.com" },
    ]),
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });
  const address = `127.0.0.1:${port}`;
  console.log(`Serving ${UserServiceDefinition.typeName} on ${address}`);
  return { server, address };
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

async function shutdown(client: UserServiceClient, server: Server): Promise<void> {
  client.close();
  await new Promise<void>((resolve, reject) => {
    server.tryShutdown((error) => (error ? reject(error) : resolve()));
  });
  console.log("\nClient closed, server shut down.");
}

await main();
