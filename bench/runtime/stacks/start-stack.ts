// Loads only the stack a variant runs: a process measuring bare grpc-js never loads
// nice-grpc or the generated code.
import type { Stack } from "../variants.js";
import type { BenchClient, BenchServer } from "./bench-peer.js";

export async function startServer(stack: Stack): Promise<BenchServer> {
  switch (stack.kind) {
    case "bare":
      return (await import("./bare-server.js")).bareServer();
    case "floor":
      return (await import("./bare-server.js")).bareServer((await import("./floor/server-hooks.js")).floorServerHooks(stack.parts));
    case "ours":
      return (await import("./ours-server.js")).oursServer(stack.telemetry);
    case "nice":
      return (await import("./nice-server.js")).niceServer(stack.middleware);
  }
}

/** `sameProcess`: the stack's server runs in this process too (see `oursClient`). */
export async function createClient(stack: Stack, address: string, sameProcess = false): Promise<BenchClient> {
  switch (stack.kind) {
    case "bare":
      return (await import("./bare-client.js")).bareClient(address);
    case "floor":
      return (await import("./bare-client.js")).bareClient(address, (await import("./floor/client-hooks.js")).floorClientHooks(stack.parts, address));
    case "ours":
      return (await import("./ours-client.js")).oursClient(address, stack.telemetry, !sameProcess);
    case "nice":
      return (await import("./nice-client.js")).niceClient(address, stack.middleware);
  }
}
