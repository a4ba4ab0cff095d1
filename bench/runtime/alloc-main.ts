// One process of `npm run bench:alloc` (bench/alloc.ts): `alloc-main.ts <variant> [smoke]`.
// The variant's server and client in this one process; every workload warmed up, then
// one window of each under V8's sampling heap profiler, which samples allocations in
// proportion to their size (one per 256 bytes on average), those collected since
// included. Prints one JSON line: bytes per operation, in all and by who allocated them.
import { Session } from "node:inspector/promises";
import { assertBuiltRuntime } from "./runtime-source.js";
import { createClient, startServer } from "./stacks/start-stack.js";
import { installSdk } from "./telemetry-sdk.js";
import { variantById } from "./variants.js";
import { WorkloadRunner } from "./workload-runner.js";
import { allocPlan, cpuSmokePlan, workloadNames } from "./workloads.js";
import type { WorkloadName } from "./workloads.js";

/** Bytes allocated per call (unary) or message (streams) in one window. */
export interface AllocWindow {
  readonly workload: WorkloadName;
  readonly ops: number;
  readonly bytes: number;
  /** Of those, allocated by the runtime's code (packages/runtime) or the bench's own (the floor's hooks, the stacks). */
  readonly ownBytes: number;
}

interface ProfileNode {
  readonly callFrame: { readonly url: string };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const [id = "", mode = ""] = process.argv.slice(2);
const variant = variantById(id);
if (variant.sdk) {
  installSdk();
}
const server = await startServer(variant.stack);
const client = await createClient(variant.stack, `127.0.0.1:${server.port}`, true);
assertBuiltRuntime();
const runner = new WorkloadRunner(client, mode === "smoke" ? cpuSmokePlan : allocPlan);
for (const workload of workloadNames) {
  await runner.run(workload);
}
const session = new Session();
session.connect();
const windows: AllocWindow[] = [];
for (const workload of workloadNames) {
  let root: ProfileNode | undefined;
  const measure = await runner.run(workload, async (edge) => {
    if (edge === "start") {
      await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else {
      root = (await session.post("HeapProfiler.stopSampling")).profile.head;
    }
  });
  const ops = measure?.ops ?? 0;
  const { all, own } = root === undefined ? { all: 0, own: 0 } : sum(root);
  windows.push({ workload, ops, bytes: all / ops, ownBytes: own / ops });
}
session.disconnect();
client.close();
await server.stop();
process.stdout.write(`${JSON.stringify(windows)}\n`);
process.exit(0);

function sum(node: ProfileNode): { all: number; own: number } {
  const url = node.callFrame.url;
  const isOwn = url.includes("/packages/runtime/") || (url.includes("/bench/") && !url.includes("/node_modules/"));
  let all = node.selfSize;
  let own = isOwn ? node.selfSize : 0;
  for (const child of node.children) {
    const s = sum(child);
    all += s.all;
    own += s.own;
  }
  return { all, own };
}
