// A TCP proxy in front of a server, so a test can cut the connection under a call as a
// network failure or a crashed peer would.
import { createConnection, createServer } from "node:net";
import type { Socket } from "node:net";
import { listenLocal } from "../../support/listen.js";

export interface TcpProxy {
  /** `127.0.0.1:<port>` of the proxy. */
  readonly address: string;
  /** Destroys every connection through the proxy, both ways, at once. */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((incoming) => {
    const outgoing = createConnection(target);
    track(incoming);
    track(outgoing);
    incoming.pipe(outgoing).pipe(incoming);
  });
  const port = await listenLocal(server);
  const cut = (): void => {
    for (const socket of sockets) {
      socket.destroy();
    }
  };
  return {
    address: `127.0.0.1:${port}`,
    cut,
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
