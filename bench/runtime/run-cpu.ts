// `npm run bench:cpu`: CPU time per call and per streamed message of every stack,
// client and server each in its own process and measured apart (process.cpuUsage()
// deltas around a window of a fixed number of calls or messages). CPU time, unlike
// throughput, does not count the time a process waits for a core; what the machine's
// load still does to it (caches and cores shared with other work) is spread over all
// variants alike by interleaving: every round measures one short window of every
// variant, the order rotated and reversed from round to round (ABBA). Medians over
// many rounds, with the rounds' spread and a bootstrap interval of each median and of
// each comparison. Everything is computed twice: on user + system CPU, and on user CPU
// alone. The kernel's share is the same socket reads and writes for every stack, but
// the time they take moves with everything else on the machine; the telemetry's work
// is all in user mode, which the second set of figures keeps apart from that noise.
import { bootstrapInterval, median, spread } from "../stats.js";
import type { Spread } from "../stats.js";
import { measureVariants, variantEnd } from "./run-runtime.js";
import type { Measurement, RuntimeOptions, VariantEnd } from "./run-runtime.js";
import type { VariantId } from "./variants.js";
import type { WorkloadName, WorkloadPlan } from "./workloads.js";

/** A median over the rounds and its 95 % interval. */
export interface Estimate {
  readonly value: number;
  readonly ci: readonly [number, number];
}

/** One variant's CPU on one workload, per call (unary) or per message (streams), in µs. */
export interface CpuCell {
  readonly workload: WorkloadName;
  readonly rounds: number;
  readonly clientUs: Spread;
  readonly serverUs: Spread;
  /** Client and server together. */
  readonly totalUs: Spread;
  /** The median total and its interval. */
  readonly total: Estimate;
  /** The median total less bare grpc-js's. */
  readonly added: Estimate;
  /** The median total ÷ bare grpc-js's. */
  readonly perBare: Estimate;
  /** The median added CPU ÷ that of the floor doing the same telemetry by hand. */
  readonly toFloor?: (Estimate & { readonly floor: VariantId }) | undefined;
}

export interface CpuVariantSummary extends VariantEnd {
  /** On user + system CPU. */
  readonly workloads: readonly CpuCell[];
  /** On user-mode CPU alone. */
  readonly user: readonly CpuCell[];
}

/** What CPU a figure counts: user + system, or user mode alone. */
export type CpuBasis = "total" | "user";

/** A target of issue 24 on one workload. */
export interface CpuTarget {
  readonly what: string;
  readonly workload: WorkloadName;
  /** Met when the estimate is at most this (`added`, `ratio`) or below it (`ahead`). */
  readonly limit: number;
  readonly kind: "added" | "ratio" | "ahead";
  readonly estimate: Estimate | undefined;
  /** undefined: a variant it needs was not measured. */
  readonly met: boolean | undefined;
}

export interface CpuResult {
  readonly plan: WorkloadPlan;
  readonly rounds: number;
  readonly seconds: number;
  readonly variants: readonly CpuVariantSummary[];
  /** On user + system CPU. */
  readonly targets: readonly CpuTarget[];
  /** On user-mode CPU alone. */
  readonly userTargets: readonly CpuTarget[];
  readonly measurements: readonly Measurement[];
}

/** Which floor each instrumented variant is held against: the one emitting the same telemetry (nice-grpc's emits less). */
export const floors: Partial<Record<VariantId, VariantId>> = {
  "floor-prometheus": "floor-prometheus",
  "floor-traces": "floor-traces",
  "floor-full": "floor-full",
  "ours-prometheus": "floor-prometheus",
  "ours-traces": "floor-traces",
  "ours-full": "floor-full",
  "grpc-instrumentation": "floor-traces",
  "nice-full": "floor-full",
};

interface TargetSpec {
  readonly what: string;
  readonly variant: VariantId;
  readonly kind: CpuTarget["kind"];
  /** The floor (added), bare (ratio) or the peer (ahead). */
  readonly against: VariantId;
  readonly limit: number;
}

/** Issue 24's targets, per call and per streamed message. */
const targetSpecs: readonly TargetSpec[] = [
  { what: "ours full: added CPU ≤ 1.15 × the full floor's", variant: "ours-full", kind: "added", against: "floor-full", limit: 1.15 },
  { what: "ours traces only: added ≤ 1.1 × the traces floor's", variant: "ours-traces", kind: "added", against: "floor-traces", limit: 1.1 },
  { what: "ours Prometheus only: added ≤ 1.1 × the Prometheus floor's", variant: "ours-prometheus", kind: "added", against: "floor-prometheus", limit: 1.1 },
  { what: "ours telemetry: false: ≤ 1.03 × bare grpc-js", variant: "ours-off", kind: "ratio", against: "bare", limit: 1.03 },
  { what: "ours traces only < instrumentation-grpc", variant: "ours-traces", kind: "ahead", against: "grpc-instrumentation", limit: 1 },
  { what: "ours full < nice-grpc + otel + prom", variant: "ours-full", kind: "ahead", against: "nice-full", limit: 1 },
  { what: "ours telemetry: false < nice-grpc, no middleware", variant: "ours-off", kind: "ahead", against: "nice-plain", limit: 1 },
];

export async function runCpu(options: RuntimeOptions): Promise<CpuResult> {
  const { variants, workloads } = options;
  const run = await measureVariants({ ...options, log: (line) => options.log(`cpu: ${line}`) }, (round) => abba(variants, round));
  const total = new RoundTable(run.measurements, "total");
  const user = new RoundTable(run.measurements, "user");
  const cells = (table: RoundTable, id: VariantId): CpuCell[] => workloads.flatMap((workload) => table.cell(id, workload) ?? []);
  const targets = (table: RoundTable): CpuTarget[] => workloads.flatMap((workload) => targetSpecs.map((spec) => table.target(spec, workload)));
  return {
    plan: options.plan,
    rounds: options.rounds,
    seconds: run.seconds,
    variants: variants.map((variant) => ({
      ...variantEnd(variant, run.outcomes),
      workloads: cells(total, variant.id),
      user: cells(user, variant.id),
    })),
    targets: targets(total),
    userTargets: targets(user),
    measurements: run.measurements,
  };
}

/**
 * Round 1 runs the variants in order, round 2 in reverse, round 3 in order again but
 * starting one further on, and so on: no variant always runs first, last or after the
 * same neighbour, and a drift within a pair of rounds weighs on every variant alike.
 */
export function abba<T>(variants: readonly T[], round: number): T[] {
  const shift = Math.floor((round - 1) / 2) % Math.max(1, variants.length);
  const order = [...variants.slice(shift), ...variants.slice(0, shift)];
  return round % 2 === 1 ? order : order.reverse();
}

/** One window's CPU per operation. */
interface PerOp {
  readonly client: number;
  readonly server: number;
  readonly total: number;
}

/**
 * CPU per operation of each variant and workload, by round, and the comparisons of
 * their medians. Variants are compared through their medians over all rounds, not
 * round by round: the load of a shared machine moves CPU per call by tens of percent
 * from one second to the next (its caches and cores are shared), so a window says
 * little about its neighbours, and the median over many interleaved rounds is what
 * settles. The intervals resample whole rounds.
 */
class RoundTable {
  private readonly byKey = new Map<string, Map<number, PerOp>>();

  constructor(measurements: readonly Measurement[], basis: CpuBasis) {
    for (const { round, variant, measure } of measurements) {
      const client = (basis === "total" ? measure.clientCpuUs : measure.clientUserUs) / measure.ops;
      const server = (basis === "total" ? measure.serverCpuUs : measure.serverUserUs) / measure.ops;
      this.rounds(variant, measure.workload).set(round, { client, server, total: client + server });
    }
  }

  cell(id: VariantId, workload: WorkloadName): CpuCell | undefined {
    const own = [...this.rounds(id, workload).values()];
    if (own.length === 0) {
      return undefined;
    }
    const totals = own.map((r) => r.total);
    const floor = floors[id];
    return {
      workload,
      rounds: own.length,
      clientUs: spread(own.map((r) => r.client)),
      serverUs: spread(own.map((r) => r.server)),
      totalUs: spread(totals),
      total: medianEstimate(totals),
      added: this.compare([id, "bare"] as const, workload, ([v, b]) => v - b),
      perBare: this.compare([id, "bare"] as const, workload, ([v, b]) => v / b),
      toFloor: floor === undefined ? undefined : { floor, ...this.addedRatio(id, floor, workload) },
    };
  }

  target(spec: TargetSpec, workload: WorkloadName): CpuTarget {
    const estimate =
      spec.kind === "added" ? this.addedRatio(spec.variant, spec.against, workload) : this.compare([spec.variant, spec.against] as const, workload, ([a, b]) => a / b);
    const known = Number.isFinite(estimate.value);
    return {
      what: spec.what,
      workload,
      limit: spec.limit,
      kind: spec.kind,
      estimate: known ? estimate : undefined,
      met: known ? (spec.kind === "ahead" ? estimate.value < spec.limit : estimate.value <= spec.limit) : undefined,
    };
  }

  /** `variant`'s CPU beyond bare grpc-js's ÷ `floor`'s, in medians. */
  private addedRatio(variant: VariantId, floor: VariantId, workload: WorkloadName): Estimate {
    return this.compare([variant, floor, "bare"] as const, workload, ([v, f, b]) => (v - b) / (f - b));
  }

  /**
   * `combine` of the median totals of `ids`, and its interval: over the rounds that
   * measured all of them, resampled by round.
   */
  private compare<T extends readonly VariantId[]>(ids: T, workload: WorkloadName, combine: (medians: { readonly [K in keyof T]: number }) => number): Estimate {
    const series = ids.map((id) => this.rounds(id, workload));
    const rounds = [...(series[0]?.keys() ?? [])].filter((round) => series.every((s) => s.has(round)));
    const columns = series.map((s) => rounds.map((round) => s.get(round)?.total ?? Number.NaN));
    const at = (indices: readonly number[]): number =>
      combine(columns.map((c) => median(indices.map((i) => c[i] ?? Number.NaN))) as { readonly [K in keyof T]: number });
    return { value: at(rounds.map((_, i) => i)), ci: bootstrapInterval(rounds.length, at) };
  }

  private rounds(id: VariantId, workload: WorkloadName): Map<number, PerOp> {
    const key = `${id} ${workload}`;
    let rounds = this.byKey.get(key);
    if (rounds === undefined) {
      rounds = new Map();
      this.byKey.set(key, rounds);
    }
    return rounds;
  }
}

function medianEstimate(values: readonly number[]): Estimate {
  return { value: median(values), ci: bootstrapInterval(values.length, (indices) => median(indices.map((i) => values[i] ?? Number.NaN))) };
}
