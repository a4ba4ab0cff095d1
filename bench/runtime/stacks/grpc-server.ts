import { ServerCredentials } from "@grpc/grpc-js";
import type { Server } from "@grpc/grpc-js";

/** Binds `server` to an ephemeral port on 127.0.0.1 and resolves to the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, port) => {
      if (err === null) {
        resolve(port);
      } else {
        reject(err);
      }
    });
  });
}

/** Lets the calls in progress finish, then closes the server. */
export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.tryShutdown((err) => (err === undefined ? resolve() : reject(err)));
  });
}
