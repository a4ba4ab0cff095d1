import type { HeapResult } from "../runtime/run-heap-check.js";
import { formatTable, num } from "./format-table.js";

export function formatHeap(heap: HeapResult): string {
  const rows = heap.series.map((s) => [num(s.calls), num(s.heapUsedMiB, 1), num(s.seconds, 0)]);
  const verdict = heap.flat ? "flat" : "NOT flat";
  return [
    `Heap after full GC, unary calls with full telemetry in one process (${num(heap.calls)} calls in ${num(heap.seconds, 0)} s):`,
    "",
    formatTable(["calls", "heapUsed MiB", "s"], rows),
    "",
    `${verdict}: last sample ${heap.growthAfterWarmup >= 0 ? "+" : ""}${num(100 * heap.growthAfterWarmup, 1)} % from the sample at ${num(heap.baselineCalls)} calls (limit ±10 %); spans client ${num(heap.proof.spans.client)} server ${num(heap.proof.spans.server)}, grpc_*_handled_total client ${num(heap.proof.handled.client)} server ${num(heap.proof.handled.server)}`,
  ].join("\n");
}
