// Runs heap-check.ts in its own process and judges the series it reports.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PeerProcess } from "../peer-process.js";
import { benchDir } from "../paths.js";
import type { HeapMessage, HeapSample } from "./protocol.js";

export interface HeapResult {
  readonly calls: number;
  readonly series: readonly HeapSample[];
  readonly seconds: number;
  /** The last sample is within 10% of the sample taken after warm-up (the second one). */
  readonly flat: boolean;
  readonly growthAfterWarmup: number;
  /** The sample the last one is compared with. */
  readonly baselineCalls: number;
  readonly proof: { readonly spans: { client: number; server: number }; readonly handled: { client: number; server: number } };
}

export interface HeapOptions {
  readonly calls: number;
  readonly every: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export async function runHeapCheck(options: HeapOptions): Promise<HeapResult> {
  const started = performance.now();
  const peer = new PeerProcess<object, HeapMessage>({
    name: "heap check",
    script: join(benchDir, "runtime/heap-check.ts"),
    args: [String(options.calls), String(options.every)],
    nodeFlags: ["--expose-gc"],
    timeoutMs: options.timeoutMs,
  });
  try {
    const series: HeapSample[] = [];
    for (;;) {
      const message = await peer.next();
      if (message.type === "sample") {
        series.push(message.sample);
        options.log(`heap: ${message.sample.calls} calls, ${message.sample.heapUsedMiB.toFixed(1)} MiB, ${message.sample.seconds.toFixed(0)} s`);
        continue;
      }
      await peer.exited;
      // series[0] is before the first call, series[1] after the first segment (warm-up:
      // JIT, pools, zero series), series[2] the baseline (200k of 1M calls).
      const baseline = series[2] ?? series.at(-1);
      const last = series.at(-1);
      const growth = baseline === undefined || last === undefined ? Number.NaN : last.heapUsedMiB / baseline.heapUsedMiB - 1;
      return {
        calls: message.calls,
        series,
        seconds: (performance.now() - started) / 1000,
        flat: Math.abs(growth) <= 0.1,
        growthAfterWarmup: growth,
        baselineCalls: baseline?.calls ?? 0,
        proof: { spans: message.spans, handled: message.handled },
      };
    }
  } finally {
    peer.kill();
  }
}
