// A TCP proxy on 127.0.0.1 that passes HTTP/2 connections through unchanged and logs,
// in the order they pass, the frames that end streams: a HEADERS frame with
// END_STREAM from the server (the trailers that carry grpc-status) and RST_STREAM
// from either side. It is the wire's word on whether a server's status went out
// before a client's reset came in, independent of both peers' code.
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";

/** A stream-ending frame as it passed the proxy. */
export interface WireEvent {
  /** Order of passing, over all connections. */
  readonly seq: number;
  /** Which accepted connection, from 0. */
  readonly connection: number;
  readonly stream: number;
  readonly what: "server trailers" | "server reset" | "client reset";
}

export interface H2Proxy {
  readonly port: number;
  readonly events: readonly WireEvent[];
  close(): Promise<void>;
}

const PREFACE_LENGTH = 24;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const END_STREAM = 0x1;

/** Splits one direction of a connection into frames and reports those of interest. */
function frameReader(skip: number, onFrame: (type: number, flags: number, stream: number) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let toSkip = skip;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    if (toSkip > 0) {
      const skipped = Math.min(toSkip, pending.length);
      pending = pending.subarray(skipped);
      toSkip -= skipped;
    }
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3);
      if (pending.length < 9 + length) break;
      onFrame(pending.readUInt8(3), pending.readUInt8(4), pending.readUInt32BE(5) & 0x7fffffff);
      pending = pending.subarray(9 + length);
    }
  };
}

export async function startH2Proxy(targetPort: number): Promise<H2Proxy> {
  const events: WireEvent[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let seq = 0;
  const server: Server = createServer((client) => {
    const connection = connections++;
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const log = (what: WireEvent["what"], stream: number): void => {
      events.push({ seq: seq++, connection, stream, what });
    };
    const fromClient = frameReader(PREFACE_LENGTH, (type, _flags, stream) => {
      if (type === RST_STREAM) log("client reset", stream);
    });
    const fromServer = frameReader(0, (type, flags, stream) => {
      if (type === HEADERS && (flags & END_STREAM) !== 0) log("server trailers", stream);
      if (type === RST_STREAM) log("server reset", stream);
    });
    client.on("data", (chunk: Buffer) => {
      fromClient(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      fromServer(chunk);
      client.write(chunk);
    });
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", closeBoth).on("error", closeBoth);
    upstream.on("close", closeBoth).on("error", closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
