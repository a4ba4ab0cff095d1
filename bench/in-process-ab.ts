// A cross-check of the runtime benchmark without an OpenTelemetry SDK: client and
// server of each stack in this one process, the stacks taking turns on the same
// JIT, heap and cores, compared by CPU time per call (or per message) of the whole
// process. On 2 shared cores the two-process benchmark's throughput ratios swing by
// ±0.15 between windows; CPU per operation in one process is steadier, and it is
// what a CPU-bound service pays.
//
//   npm run bench:ab [-- --rounds N] [-- --smoke] [-- --sdk]
//
// No SDK by default: once registered, its context manager hooks every promise in the
// process, bare grpc-js's included, and cannot be unregistered. With --sdk it is
// registered as in `npm run bench:cpu` (telemetry-sdk.ts), and the stacks are the
// traced ones and their hand-written floors: what tracing costs beyond the floor.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { assertDistFresh } from "./dist-freshness.js";
import { describeMachine, endLoad } from "./machine.js";
import { resultsDir } from "./paths.js";
import { formatTable, num } from "./report/format-table.js";
import { median } from "./stats.js";
import type { BenchClient, BenchServer } from "./runtime/stacks/bench-peer.js";
import { createClient, startServer } from "./runtime/stacks/start-stack.js";
import { installSdk } from "./runtime/telemetry-sdk.js";
import { variantById } from "./runtime/variants.js";
import type { VariantId } from "./runtime/variants.js";

interface Stack {
  readonly id: string;
  readonly label: string;
  readonly client: BenchClient;
  readonly server: BenchServer;
}

type Workload = "unary" | "serverStream";

const { values } = parseArgs({
  options: { rounds: { type: "string" }, smoke: { type: "boolean", default: false }, sdk: { type: "boolean", default: false } },
});
const smoke = values.smoke;
const sdk = values.sdk;
const rounds = Number(values.rounds ?? (smoke ? "1" : "7"));
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`--rounds takes a positive integer, not ${JSON.stringify(values.rounds)}`);
}
// --smoke: every path once, in seconds (CI); its figures mean nothing.
const UNARY_CALLS = smoke ? 200 : 5_000;
const UNARY_CONCURRENCY = 32;
const STREAM_MESSAGES = smoke ? 500 : 20_000;
const payload = new Uint8Array(100);

/** A variant of bench:cpu, its client and server in this process. */
async function stack(id: VariantId): Promise<Stack> {
  const variant = variantById(id);
  const server = await startServer(variant.stack);
  const client = await createClient(variant.stack, `127.0.0.1:${server.port}`, true);
  return { id, label: variant.label, client, server };
}

const results = new Map<string, Record<Workload, { cpuUs: number[]; ratio: number[] }>>();

function cellsOf(s: Stack): Record<Workload, { cpuUs: number[]; ratio: number[] }> {
  const cells = results.get(s.id);
  if (cells === undefined) {
    throw new Error(`no results for ${s.id}`);
  }
  return cells;
}

/**
 * CPU microseconds of this process per call or per message. Each operation is checked
 * (the payload echoed, every message streamed), so a broken stack cannot pass for a
 * cheap one.
 */
async function cpuPerOp(client: BenchClient, workload: Workload): Promise<number> {
  const before = process.cpuUsage();
  let ops: number;
  if (workload === "unary") {
    let next = 0;
    await Promise.all(
      Array.from({ length: UNARY_CONCURRENCY }, async () => {
        while (next++ < UNARY_CALLS) {
          const echoed = (await client.unary(payload)).payload.length;
          if (echoed !== payload.length) {
            throw new Error(`unary echoed ${String(echoed)} bytes of ${String(payload.length)}`);
          }
        }
      }),
    );
    ops = UNARY_CALLS;
  } else {
    ops = await client.serverStream(STREAM_MESSAGES);
    if (ops !== STREAM_MESSAGES) {
      throw new Error(`server stream delivered ${String(ops)} messages of ${String(STREAM_MESSAGES)}`);
    }
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / ops;
}

assertDistFresh();
const startedAt = new Date().toISOString();
const machine = describeMachine();
if (sdk) {
  installSdk();
}
const bareStack = await stack("bare");
const others: readonly VariantId[] = sdk ? ["floor-traces", "ours-traces", "floor-full", "ours-full"] : ["ours-off", "ours-prometheus"];
const stacks = [bareStack];
for (const id of others) {
  stacks.push(await stack(id));
}
const workloads: readonly Workload[] = ["unary", "serverStream"];
try {
  for (const s of stacks) {
    results.set(s.id, { unary: { cpuUs: [], ratio: [] }, serverStream: { cpuUs: [], ratio: [] } });
    for (const workload of workloads) {
      await cpuPerOp(s.client, workload); // warm-up
    }
  }
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another stack, so no stack always runs first.
    const order = stacks.map((_, i) => stacks[(i + round) % stacks.length] ?? bareStack);
    for (const workload of workloads) {
      const cpu = new Map<Stack, number>();
      for (const s of order) {
        cpu.set(s, await cpuPerOp(s.client, workload));
      }
      const bare = cpu.get(bareStack) ?? Number.NaN;
      for (const s of stacks) {
        const used = cpu.get(s) ?? Number.NaN;
        const cell = cellsOf(s)[workload];
        cell.cpuUs.push(used);
        cell.ratio.push(bare / used);
      }
    }
    console.error(`in-process A/B: round ${round + 1}/${rounds}`);
  }
} finally {
  for (const s of stacks) {
    s.client.close();
    await s.server.stop();
  }
}

const rows = stacks.map((s) => {
  const r = cellsOf(s);
  return [
    s.label,
    num(median(r.unary.cpuUs), 1),
    num(median(r.unary.ratio), 2),
    num(median(r.serverStream.cpuUs), 2),
    num(median(r.serverStream.ratio), 2),
  ];
});
console.log(
  `\nIn one process, client and server, ${sdk ? "the SDK registered (always-on sampler, batch processor, metric reader)" : "no SDK"}: CPU µs per unary call (${num(UNARY_CALLS)} calls, ${UNARY_CONCURRENCY} in flight) ` +
    `and per server-streamed message (${num(STREAM_MESSAGES)}), medians of ${rounds} rounds; × bare = bare's CPU ÷ the stack's, within each round:\n`,
);
console.log(formatTable(["stack", "unary µs/call", "× bare", "stream µs/msg", "× bare"], rows));
mkdirSync(resultsDir, { recursive: true });
const out = join(resultsDir, `ab${sdk ? "-sdk" : ""}${smoke ? "-smoke" : ""}.json`);
const flags = [...(smoke ? ["--smoke"] : []), ...(sdk ? ["--sdk"] : [])];
writeFileSync(out, `${JSON.stringify({ command: `npm run bench:ab${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`, startedAt, machine: endLoad(machine), rounds, results: Object.fromEntries(results) }, null, 2)}\n`);
console.log(`\nResults: ${out}`);
