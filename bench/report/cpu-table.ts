import type { CpuCell, CpuResult, CpuTarget, Estimate, Meter } from "../runtime/run-cpu.js";
import type { WorkloadName, WorkloadPlan } from "../runtime/workloads.js";
import { spread } from "../stats.js";
import { formatTable, num } from "./format-table.js";
import { amount, formatProofs, titles } from "./runtime-table.js";

const short: Record<WorkloadName, string> = {
  unary: "unary /call",
  serverStream: "server stream /msg",
  clientStream: "client stream /msg",
  bidiStream: "bidi /msg",
};

/** What the figures count, per call or per message. */
const units: Record<Meter, string> = { cpu: "CPU µs", instructions: "thousands of instructions" };

function describe(plan: WorkloadPlan, workload: WorkloadName, meter: Meter): string {
  if (workload === "unary") {
    return `${units[meter]} per call: ${num(plan.unary.payloadBytes)}-byte payload, ${plan.unary.concurrency} calls in flight, ${amount(plan.unary.measured)} windows each after ${amount(plan.unary.rewarm)} unmeasured`;
  }
  const { messages, rewarmMessages } = plan[workload];
  return `${units[meter]} per message: one call of ${num(messages)} messages${workload === "bidiStream" ? " each answered" : ""} per window, after one of ${num(rewarmMessages)} unmeasured`;
}

/** The report of `npm run bench:cpu` (and `bench:instructions`): a table per workload, the targets, the spread achieved, the proofs. */
export function formatCpu(cpu: CpuResult, smoke: boolean): string {
  const load = spread(cpu.measurements.map((m) => m.load));
  const what =
    cpu.meter === "cpu"
      ? "CPU per operation (issue 24)"
      : "Instructions per operation (issue 24), counted by valgrind's callgrind in processes about 40 times slower than without it (bench/runtime/callgrind.ts)";
  const out: string[] = [
    `${what}, client and server processes measured apart, ${cpu.rounds} interleaved rounds` +
      ` (the machine's 1-minute load as windows closed: ${num(load.min, 1)}–${num(load.max, 1)}, median ${num(load.median, 1)})` +
      `${smoke ? " (smoke: its figures mean nothing)" : ""}, every variant's processes started afresh ${cpu.roundsPerStart === 1 ? "every round" : `every ${cpu.roundsPerStart} rounds`}. ` +
      `Each window's ${cpu.meter === "cpu" ? "CPU" : "count"} is divided by its round's scale (the geometric mean of every variant's total in that round and workload: ` +
      "the host slows all of a round alike); client, server and total = the median of those shares over the rounds times the median scale, " +
      "total = client + server; ± = the 95 % bootstrap interval of the total (resampling the starts of the processes, and whole rounds within each); " +
      "Q1–Q3 and min–max = the rounds' spread of the totals as measured, before dividing; " +
      "× bare = total ÷ bare grpc-js's; added = total − bare's; " +
      `÷ floor = added ÷ the added ${cpu.meter === "cpu" ? "CPU" : "count"} of the hand-written floor emitting the same telemetry, with its 95 % interval (resampled as ±).`,
  ];
  const measured = (cpu.variants[0]?.workloads ?? []).map((w) => w.workload);
  for (const workload of measured) {
    const digits = workload === "unary" ? 1 : 2;
    const us = (n: number): string => num(n, digits);
    const rows = cpu.variants.map((v) => {
      const c = v.workloads.find((w) => w.workload === workload);
      if (c === undefined) {
        return [v.label, "failed", "", "", "", "", "", "", "", ""];
      }
      return [
        v.label,
        us(c.client),
        us(c.server),
        us(c.total.value),
        `±${num(100 * halfWidth(c.total), 1)} %`,
        `${us(c.measuredUs.q1)}–${us(c.measuredUs.q3)}`,
        `${us(c.measuredUs.min)}–${us(c.measuredUs.max)}`,
        num(c.perBare.value, 2),
        v.id === "bare" ? "" : signed(c.added.value, digits),
        toFloor(c),
      ];
    });
    out.push(
      `${titles[workload]}, ${describe(cpu.plan, workload, cpu.meter)}:\n\n${formatTable(
        ["variant", "client", "server", "total", "±", "measured Q1–Q3", "measured min–max", "× bare", "added", "÷ floor"],
        rows,
      )}`,
    );
  }
  out.push(`Targets (issue 24; x.xx (low–high) = estimate and its 95 % interval; ? = the interval reaches across the target):\n\n${formatTargets(cpu, measured, smoke)}`);
  out.push(spreadAchieved(cpu));
  out.push(formatProofs(cpu.variants));
  return out.join("\n\n");
}

function toFloor(c: CpuCell): string {
  if (c.toFloor === undefined || !Number.isFinite(c.toFloor.value)) {
    return "";
  }
  return `${interval(c.toFloor)} (${c.toFloor.floor.replace("floor-", "")})`;
}

function formatTargets(cpu: CpuResult, workloads: readonly WorkloadName[], smoke: boolean): string {
  const whats = [...new Set(cpu.targets.map((t) => t.what))];
  const rows = whats.map((what) => [
    what,
    ...workloads.map((workload) => {
      const target = cpu.targets.find((t) => t.what === what && t.workload === workload);
      return target === undefined ? "" : verdict(target, smoke);
    }),
  ]);
  return formatTable(["target", ...workloads.map((w) => short[w])], rows);
}

function verdict(target: CpuTarget, smoke: boolean): string {
  const { estimate, met } = target;
  if (estimate === undefined || met === undefined) {
    return "not measured";
  }
  const crosses = estimate.ci[0] <= target.limit && target.limit <= estimate.ci[1];
  const word = smoke ? "(smoke)" : `${met ? "met" : "MISSED"}${crosses ? "?" : ""}`;
  return `${interval(estimate)} ${word}`;
}

/** The widest interval of any variant's median total, relative to it, per workload. */
function spreadAchieved(cpu: CpuResult): string {
  const lines = (cpu.variants[0]?.workloads ?? []).map(({ workload }) => {
    const cells = cpu.variants.flatMap((v) => {
      const c = v.workloads.find((w) => w.workload === workload);
      return c === undefined ? [] : [{ label: v.label, width: halfWidth(c.total), iqr: (c.measuredUs.q3 - c.measuredUs.q1) / c.measuredUs.median }];
    });
    const widest = cells.reduce((a, b) => (b.width > a.width ? b : a), cells[0] ?? { label: "—", width: Number.NaN, iqr: Number.NaN });
    const iqr = Math.max(...cells.map((c) => c.iqr));
    return `  ${titles[workload]}: every total within ±${num(100 * widest.width, 1)} % (widest: ${widest.label}); the rounds' measured Q1–Q3 at most ${num(100 * iqr, 1)} % of their median`;
  });
  return `Spread achieved (95 % interval of each total, half its width relative to it):\n${lines.join("\n")}`;
}

function halfWidth(e: Estimate): number {
  return Math.max(e.value - e.ci[0], e.ci[1] - e.value) / e.value;
}

function interval(e: Estimate): string {
  return `${num(e.value, 2)} (${num(e.ci[0], 2)}–${num(e.ci[1], 2)})`;
}

function signed(n: number, digits: number): string {
  return `${n >= 0 ? "+" : ""}${num(n, digits)}`;
}
