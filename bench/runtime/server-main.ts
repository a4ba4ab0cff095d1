// The server process of one variant's run: `server-main.ts <variant>`. Tells the bench
// process its port, reads its own CPU when asked, reports when told to finish.
import { markWindow } from "./callgrind.js";
import { cpuMicros, maxRssKiB, nextMessage, send } from "./ipc-child.js";
import { collectProof } from "./proof.js";
import type { ServerCommand, ServerMessage } from "./protocol.js";
import { assertBuiltRuntime } from "./runtime-source.js";
import { startServer } from "./stacks/start-stack.js";
import { installSdk } from "./telemetry-sdk.js";
import { variantById } from "./variants.js";

const variant = variantById(process.argv[2] ?? "");
const tell = (message: ServerMessage): Promise<void> => send(message);

if (variant.sdk) {
  installSdk();
}
const server = await startServer(variant.stack);
assertBuiltRuntime();
await tell({ type: "listening", port: server.port });
for (;;) {
  const command = await nextMessage<ServerCommand>();
  if (command.type === "cpu") {
    const usageUs = cpuMicros();
    markWindow(command.edge);
    await tell({ type: "cpu", usageUs });
  } else {
    break;
  }
}
await server.stop();
const proof = await collectProof(variant, "server");
await tell({ type: "done", report: { served: server.served(), proof, maxRssKiB: maxRssKiB() } });
process.exit(0);
