import { passed } from "../runtime/proof-check.js";
import type { RuntimeResult, VariantEnd } from "../runtime/run-runtime.js";
import type { UnaryAmount, WorkloadName, WorkloadPlan } from "../runtime/workloads.js";
import { formatTable, num } from "./format-table.js";

export const titles: Record<WorkloadName, string> = {
  unary: "Unary",
  serverStream: "Server streaming",
  clientStream: "Client streaming",
  bidiStream: "Bidi streaming",
};

function describe(plan: WorkloadPlan, workload: WorkloadName): string {
  switch (workload) {
    case "unary":
      return `${plan.unary.payloadBytes}-byte payload, ${plan.unary.concurrency} calls in flight, ${amount(plan.unary.measured)} windows each after ${amount(plan.unary.rewarm)} unmeasured`;
    case "bidiStream":
      return `one call of ${num(plan.bidiStream.messages)} messages each answered, per round`;
    default:
      return `one call of ${num(plan[workload].messages)} messages per round`;
  }
}

/** A unary phase's length, as the tables say it. */
export function amount(a: UnaryAmount): string {
  return "ms" in a ? `${a.ms / 1000} s` : `${num(a.calls)}-call`;
}

export function formatRuntime(runtime: RuntimeResult): string {
  const out: string[] = [];
  const measured = (runtime.variants[0]?.workloads ?? []).map((w) => w.workload);
  const rounds = runtime.rounds === 1 ? "one round" : `medians of ${runtime.rounds} rounds (range: lowest and highest ratio)`;
  for (const workload of measured) {
    const unary = workload === "unary";
    const unit = unary ? "call" : "msg";
    const header = ["variant", `${unit}s/s`, "× bare", "range", ...(unary ? ["p50 ms", "p99 ms"] : []), `client CPU µs/${unit}`, `server CPU µs/${unit}`];
    const rows = runtime.variants.map((v) => {
      const w = v.workloads.find((x) => x.workload === workload);
      if (w === undefined || w.rounds === 0) {
        return [v.label, "failed", "", "", ...(unary ? ["", ""] : []), "", ""];
      }
      return [
        v.label,
        num(w.opsPerSecond),
        num(w.ratio, 2),
        w.ratioRange.every(Number.isFinite) ? `${num(w.ratioRange[0], 2)}–${num(w.ratioRange[1], 2)}` : "—",
        ...(unary ? [num(w.p50Ms, 2), num(w.p99Ms, 2)] : []),
        num(w.clientCpuUsPerOp, 1),
        num(w.serverCpuUsPerOp, 1),
      ];
    });
    out.push(`${titles[workload]} (${describe(runtime.plan, workload)}), ${rounds}:\n\n${formatTable(header, rows)}`);
  }
  out.push(formatProofs(runtime.variants));
  return out.join("\n\n");
}

/** Each variant's peak RSS and proof checks. */
export function formatProofs(variants: readonly VariantEnd[]): string {
  return [
    `Peak RSS of each process over the whole run, and proof that each variant did its work:\n\n${formatTable(
      ["variant", "client RSS MiB", "server RSS MiB", "proof"],
      variants.map((v) => [v.label, num(v.peakRssMiB?.client), num(v.peakRssMiB?.server), proofCell(v)]),
    )}`,
    `Proof checks (counts include warm-up calls):\n${variants.flatMap(proofLines).join("\n")}`,
  ].join("\n\n");
}

function proofCell(v: VariantEnd): string {
  if (v.error !== undefined) {
    return "FAILED (see below)";
  }
  const failed = v.checks.filter((c) => !passed(c)).length;
  return failed > 0 ? `FAILED ${failed} of ${v.checks.length} checks` : `ok, ${v.checks.length} check${v.checks.length === 1 ? "" : "s"}`;
}

function proofLines(v: VariantEnd): string[] {
  if (v.error !== undefined) {
    return [`  ${v.id}: FAILED: ${v.error}`];
  }
  return [`  ${v.id}:`, ...v.checks.map((c) => `    ${passed(c) ? "ok  " : "FAIL"} ${c.what}: ${c.got ?? "none"} (expected ${c.expected})`)];
}
