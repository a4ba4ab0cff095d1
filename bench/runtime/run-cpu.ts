// `npm run bench:cpu`: CPU time per call and per streamed message of every stack,
// client and server each in its own process and measured apart (process.cpuUsage()
// deltas around a window of a fixed number of calls or messages). CPU time, unlike
// throughput, hardly depends on what else the 2 shared cores run; what is left of
// the machine's drift is taken out by interleaving: every round measures one short
// window of every variant, the order rotated and reversed from round to round (ABBA),
// and each variant's cost is compared with bare grpc-js's in the same round. Medians
// over many rounds, with the rounds' spread and a bootstrap interval of each median.
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
  /** Per round, the total less bare grpc-js's in the same round. */
  readonly addedUs: Spread;
  readonly added: Estimate;
  /** Per round, the total ÷ bare grpc-js's in the same round. */
  readonly perBare: Estimate;
  /** The median added CPU ÷ that of the floor doing the same telemetry by hand. */
  readonly toFloor?: (Estimate & { readonly floor: VariantId }) | undefined;
}

export interface CpuVariantSummary extends VariantEnd {
  readonly workloads: readonly CpuCell[];
}

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
  readonly targets: readonly CpuTarget[];
  readonly measurements: readonly Measurement[];
}

/** Which floor each instrumented variant is held against: the one emitting the same telemetry (nice-grpc's emits less). */
const floors: Partial<Record<VariantId, VariantId>> = {
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
  const table = new RoundTable(run.measurements);
  return {
    plan: options.plan,
    rounds: options.rounds,
    seconds: run.seconds,
    variants: variants.map((variant) => ({
      ...variantEnd(variant, run.outcomes),
      workloads: workloads.flatMap((workload) => table.cell(variant.id, workload) ?? []),
    })),
    targets: workloads.flatMap((workload) => targetSpecs.map((spec) => table.target(spec, workload))),
    measurements: run.measurements,
  };
}

/**
 * Round 1 runs the variants in order, round 2 in reverse, round 3 in order again but
 * starting one further on, and so on: no variant always runs first, last or after the
 * same neighbour, and a drift within a pair of rounds weighs on every variant alike.
 */
export function abba<T>(variants: readonly T[], round: number): readonly T[] {
  const shift = Math.floor((round - 1) / 2) % Math.max(1, variants.length);
  const order = [...variants.slice(shift), ...variants.slice(0, shift)];
  return round % 2 === 1 ? order : order.reverse();
}

interface PerOp {
  readonly client: number;
  readonly server: number;
  readonly total: number;
}

/** CPU per operation of each variant and workload, by round. */
class RoundTable {
  private readonly byKey = new Map<string, Map<number, PerOp>>();

  constructor(measurements: readonly Measurement[]) {
    for (const { round, variant, measure } of measurements) {
      const client = measure.clientCpuUs / measure.ops;
      const server = measure.serverCpuUs / measure.ops;
      this.rounds(variant, measure.workload).set(round, { client, server, total: client + server });
    }
  }

  cell(id: VariantId, workload: WorkloadName): CpuCell | undefined {
    const mine = this.rounds(id, workload);
    if (mine.size === 0) {
      return undefined;
    }
    const own = [...mine.values()];
    const totals = own.map((r) => r.total);
    const bare = this.rounds("bare", workload);
    const withBare = paired([mine, bare] as const);
    const added = withBare.map(([v, b]) => v.total - b.total);
    const floor = floors[id];
    return {
      workload,
      rounds: own.length,
      clientUs: spread(own.map((r) => r.client)),
      serverUs: spread(own.map((r) => r.server)),
      totalUs: spread(totals),
      total: medianEstimate(totals),
      addedUs: spread(added),
      added: medianEstimate(added),
      perBare: this.ratio(id, "bare", workload),
      toFloor: floor === undefined ? undefined : { floor, ...this.addedRatio(id, floor, workload) },
    };
  }

  target(spec: TargetSpec, workload: WorkloadName): CpuTarget {
    const estimate =
      spec.kind === "added" ? this.addedRatio(spec.variant, spec.against, workload) : this.ratio(spec.variant, spec.against, workload);
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

  /** The median over the rounds of `a`'s total ÷ `b`'s in the same round. */
  private ratio(a: VariantId, b: VariantId, workload: WorkloadName): Estimate {
    return medianEstimate(paired([this.rounds(a, workload), this.rounds(b, workload)] as const).map(([x, y]) => x.total / y.total));
  }

  /** `variant`'s median added CPU ÷ `floor`'s, both over bare in the same rounds. */
  private addedRatio(variant: VariantId, floor: VariantId, workload: WorkloadName): Estimate {
    const rows = paired([this.rounds(variant, workload), this.rounds(floor, workload), this.rounds("bare", workload)] as const);
    const mine = rows.map(([v, , b]) => v.total - b.total);
    const floors = rows.map(([, f, b]) => f.total - b.total);
    const statistic = (indices: readonly number[]): number =>
      median(indices.map((i) => mine[i] ?? Number.NaN)) / median(indices.map((i) => floors[i] ?? Number.NaN));
    return { value: median(mine) / median(floors), ci: bootstrapInterval(rows.length, statistic) };
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

/** The rounds measured in every one of `series`, as rows of their figures. */
function paired<T extends readonly ReadonlyMap<number, PerOp>[]>(series: T): { [K in keyof T]: PerOp }[] {
  const [first, ...rest] = series;
  return [...(first?.keys() ?? [])]
    .filter((round) => rest.every((s) => s.has(round)))
    .map((round) => series.map((s) => s.get(round)) as { [K in keyof T]: PerOp });
}

function medianEstimate(values: readonly number[]): Estimate {
  return { value: median(values), ci: bootstrapInterval(values.length, (indices) => median(indices.map((i) => values[i] ?? Number.NaN))) };
}
