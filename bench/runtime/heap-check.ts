// `npm run bench -- --heap`, in a child started with --expose-gc: 1,000,000 unary calls
// with full telemetry between a generated client and server in this one process,
// heapUsed sampled after a full GC every 100,000 calls. A leak of a few hundred
// bytes per call shows as a steady climb; a flat series means per-call state is freed.
import { SpanKind } from "@opentelemetry/api";
import { performance } from "node:perf_hooks";
import { send } from "./ipc-child.js";
import type { HeapMessage } from "./protocol.js";
import { oursClient } from "./stacks/ours-client.js";
import { oursServer } from "./stacks/ours-server.js";
import { assertBuiltRuntime } from "./runtime-source.js";
import { installSdk } from "./telemetry-sdk.js";
import { collectProof } from "./proof.js";
import { variantById } from "./variants.js";

const [totalArg = "1000000", everyArg = "100000", concurrencyArg = "32"] = process.argv.slice(2);
const total = Number(totalArg);
const every = Number(everyArg);
const concurrency = Number(concurrencyArg);
const gc = globalThis.gc;
if (gc === undefined) {
  throw new Error("run with node --expose-gc");
}
const tell = (message: HeapMessage): Promise<void> => send(message);

const sdk = installSdk();
const server = await oursServer({});
const client = oursClient(`127.0.0.1:${server.port}`, {});
assertBuiltRuntime();
const payload = new Uint8Array(100).fill(0x5a);
const started = performance.now();

const sample = async (calls: number): Promise<void> => {
  // Spans still queued in the batch processor are not a leak: export them first.
  await sdk.flush();
  gc();
  gc();
  await tell({ type: "sample", sample: { calls, heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20, seconds: (performance.now() - started) / 1000 } });
};

let issued = 0;
await sample(0);
while (issued < total) {
  const segmentEnd = Math.min(total, issued + every);
  const caller = async (): Promise<void> => {
    while (issued < segmentEnd) {
      issued++;
      await client.unary(payload);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  await sample(issued);
}
client.close();
await server.stop();
// Both sides live here, so one SDK and one registry hold both sides' counts.
const full = variantById("ours-full");
const clientProof = await collectProof(full, "client");
const serverProof = await collectProof(full, "server");
await tell({
  type: "done",
  calls: issued,
  spans: { client: sdk.spans.count(SpanKind.CLIENT), server: sdk.spans.count(SpanKind.SERVER) },
  handled: { client: clientProof.prometheusHandled ?? 0, server: serverProof.prometheusHandled ?? 0 },
});
process.exit(0);
