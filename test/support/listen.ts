// Every server a test starts listens on 127.0.0.1 port 0: the kernel picks a free port,
// so tests and parallel runs on one machine never collide. Only types come from grpc-js
// here, so a peer that must load grpc-js after its instrumentation can use this too.
import type { Server as GrpcServer, ServerCredentials } from "@grpc/grpc-js";
import type { AddressInfo, Server as NetServer } from "node:net";

/** Binds a grpc-js server to 127.0.0.1 port 0 and resolves with the port it got. */
export function bindLocal(server: GrpcServer, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", credentials, (err, port) => (err === null ? resolve(port) : reject(err)));
  });
}

/** Starts a net, http or http2 server on 127.0.0.1 port 0 and resolves with the port it got. */
export function listenLocal(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
