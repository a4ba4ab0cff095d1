// The client's side of a workload: one run of it, unmeasured (warm-up) or inside a
// measured window that the bench process brackets with readings of the server's CPU.
import { performance } from "node:perf_hooks";
import { sortedQuantile } from "../stats.js";
import { markWindow } from "./callgrind.js";
import { cpuMicros } from "./ipc-child.js";
import type { WorkloadMeasure } from "./protocol.js";
import type { BenchClient } from "./stacks/bench-peer.js";
import type { UnaryAmount, UnaryPlan, WorkloadName, WorkloadPlan } from "./workloads.js";

/** Opens (`start`) or closes (`end`) a measured window; resolves when the server's CPU was read. */
export type WindowEdge = (edge: "start" | "end") => Promise<void>;

export class WorkloadRunner {
  /** Every call made so far, warm-up included. */
  calls = 0;

  constructor(
    private readonly client: BenchClient,
    private readonly plan: WorkloadPlan,
  ) {}

  /**
   * Runs `workload` once: measured inside `window` if given, right after a short
   * unmeasured run (see `StreamPlan.rewarmMessages`); else as the first warm-up.
   */
  async run(workload: WorkloadName, window?: WindowEdge): Promise<WorkloadMeasure | undefined> {
    if (window === undefined) {
      await this.body(workload, "warmup", undefined)();
      return undefined;
    }
    await this.body(workload, "rewarm", undefined)();
    const latencies: number[] | undefined = workload === "unary" ? [] : undefined;
    const body = this.body(workload, "measured", latencies);
    await window("start");
    markWindow("start");
    const cpu = cpuMicros();
    const started = performance.now();
    const ops = await body();
    const elapsedMs = performance.now() - started;
    const clientCpuUs = cpuMicros() - cpu;
    markWindow("end");
    await window("end");
    return { workload, ops, elapsedMs, clientCpuUs, latencyMs: latencies && latencySummary(latencies) };
  }

  private body(workload: WorkloadName, phase: "warmup" | "rewarm" | "measured", latencies: number[] | undefined): () => Promise<number> {
    const { client, plan } = this;
    if (workload === "unary") {
      return () => this.unaryLoop(plan.unary, plan.unary[phase], latencies);
    }
    const { warmupMessages, rewarmMessages, messages: measured } = plan[workload];
    const messages = { warmup: warmupMessages, rewarm: rewarmMessages, measured }[phase];
    const call = {
      serverStream: (n: number) => client.serverStream(n),
      clientStream: (n: number) => client.clientStream(n),
      bidiStream: (n: number) => client.bidiStream(n),
    }[workload];
    return async () => {
      this.calls++;
      const got = await call(messages);
      if (got !== messages) {
        throw new Error(`${workload}: ${got} messages went through, expected ${messages}`);
      }
      return got;
    };
  }

  /** Keeps `concurrency` calls in flight for `amount` (a time or a number of calls); resolves to the calls completed. */
  private async unaryLoop(plan: UnaryPlan, amount: UnaryAmount, latencies: number[] | undefined): Promise<number> {
    const payload = new Uint8Array(plan.payloadBytes).fill(0x5a);
    let more: () => boolean;
    if ("ms" in amount) {
      const deadline = performance.now() + amount.ms;
      more = () => performance.now() < deadline;
    } else {
      let issued = 0;
      more = () => issued++ < amount.calls;
    }
    let completed = 0;
    const caller = async (): Promise<void> => {
      while (more()) {
        const started = performance.now();
        this.calls++;
        const echoed = (await this.client.unary(payload)).payload.length;
        latencies?.push(performance.now() - started);
        if (echoed !== payload.length) {
          throw new Error(`unary echoed ${echoed} payload bytes, sent ${payload.length}`);
        }
        completed++;
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, caller));
    return completed;
  }
}

function latencySummary(latencies: number[]): { p50: number; p99: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: sortedQuantile(sorted, 0.5), p99: sortedQuantile(sorted, 0.99) };
}
