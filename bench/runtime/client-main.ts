// The client process of one variant: `client-main.ts <variant>`. Started by the bench
// process (variant-pair.ts) beside the server; told the port, then which workload to
// run when, over IPC.
import { maxRssKiB, nextMessage, send } from "./ipc-child.js";
import { collectProof } from "./proof.js";
import type { ClientCommand, ClientMessage } from "./protocol.js";
import { assertBuiltRuntime } from "./runtime-source.js";
import { createClient } from "./stacks/start-stack.js";
import { installSdk } from "./telemetry-sdk.js";
import { variantById } from "./variants.js";
import { WorkloadRunner } from "./workload-runner.js";

const variant = variantById(process.argv[2] ?? "");
const tell = (message: ClientMessage): Promise<void> => send(message);

if (variant.sdk) {
  installSdk();
}
await tell({ type: "ready" });
const start = await nextMessage<ClientCommand>();
if (start.type !== "start") {
  throw new Error(`expected the start command, got ${start.type}`);
}
const client = await createClient(variant.stack, `127.0.0.1:${start.port}`);
assertBuiltRuntime();
const runner = new WorkloadRunner(client, start.plan);
const window = async (edge: "start" | "end"): Promise<void> => {
  await tell({ type: "window", edge });
  await nextMessage<ClientCommand>();
};
for (;;) {
  const command = await nextMessage<ClientCommand>();
  if (command.type === "run") {
    await tell({ type: "ran", measure: await runner.run(command.workload, command.measured ? window : undefined) });
  } else if (command.type === "finish") {
    break;
  } else {
    throw new Error(`unexpected command ${command.type}`);
  }
}
client.close();
const proof = await collectProof(variant, "client");
await tell({ type: "done", report: { calls: runner.calls, proof, maxRssKiB: maxRssKiB() } });
process.exit(0);
