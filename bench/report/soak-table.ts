import type { SoakResult } from "../soak/run-soak.js";
import { formatTable, num } from "./format-table.js";

export function formatSoak(soak: SoakResult): string {
  const rows = soak.series.map((s) => [num(s.calls), num(s.clientMiB, 1), num(s.serverMiB, 1), num(s.seconds, 0)]);
  const percent = (growth: number): string => `${growth >= 0 ? "+" : ""}${num(100 * growth, 1)} %`;
  const received = Object.entries(soak.received)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${num(n)}`)
    .join(", ");
  return [
    `Long soak, client and server in separate processes, mixed calls of all four kinds with full telemetry (${num(soak.calls)} calls in ${num(soak.seconds, 0)} s, ${num(soak.calls / soak.seconds, 0)} calls/s):`,
    "",
    formatTable(["calls", "client heapUsed MiB", "server heapUsed MiB", "s"], rows),
    "",
    `${soak.flat ? "flat" : "NOT flat"}: last sample client ${percent(soak.growth.client)}, server ${percent(soak.growth.server)} from the sample at ${num(soak.baselineCalls)} calls (limit ±10 %)`,
    `Statuses received: ${received}`,
    ...soak.checks.map((c) => `  ${c.held ? "ok " : "NOT"} ${c.name}: ${c.detail}`),
  ].join("\n");
}
