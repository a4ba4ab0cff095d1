// `npm run bench:cpu`: CPU time per call and per streamed message of every stack,
// client and server each in its own process and measured apart (process.cpuUsage()
// deltas around a window of a fixed number of calls or messages). CPU time, unlike
// throughput, does not count the time a process waits for a core; what the machine's
// load still does to it (caches and cores shared with other work) is spread over all
// variants alike by interleaving: every round measures one short window of every
// variant, the order rotated and reversed from round to round (ABBA), every variant's
// processes started afresh every few rounds. Medians over many rounds, with the
// rounds' spread and a bootstrap interval of each median and of each comparison that
// resamples the starts as well as the rounds within them.
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

/**
 * What a run counts per operation: CPU time in µs, or (`--instructions`, callgrind.ts)
 * thousands of instructions executed.
 */
export type Meter = "cpu" | "instructions";

/** One variant's cost on one workload, per call (unary) or per message (streams), in µs or thousands of instructions (Meter). */
export interface CpuCell {
  readonly workload: WorkloadName;
  readonly rounds: number;
  /** The client's CPU, the median share of the round times the median scale (see RoundTable). */
  readonly client: number;
  readonly server: number;
  /** Client and server together, as measured: the rounds' spread. */
  readonly measuredUs: Spread;
  /** Client and server together, the median share of the round times the median scale, with its interval. */
  readonly total: Estimate;
  /** The median total less bare grpc-js's. */
  readonly added: Estimate;
  /** The median total ÷ bare grpc-js's. */
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
  readonly meter: Meter;
  readonly plan: WorkloadPlan;
  readonly rounds: number;
  /** Every variant's processes were started afresh after this many rounds. */
  readonly roundsPerStart: number;
  readonly seconds: number;
  readonly variants: readonly CpuVariantSummary[];
  readonly targets: readonly CpuTarget[];
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
  const meter: Meter = options.callgrindDir === undefined ? "cpu" : "instructions";
  const { cells, targets } = cpuEstimates(run.measurements, workloads, options.roundsPerStart, meter);
  return {
    meter,
    plan: options.plan,
    rounds: options.rounds,
    roundsPerStart: options.roundsPerStart,
    seconds: run.seconds,
    variants: variants.map((variant) => ({ ...variantEnd(variant, run.outcomes), workloads: cells(variant.id) })),
    targets,
    measurements: run.measurements,
  };
}

/**
 * Each variant's cells and the targets, from the measured windows (see RoundTable) of
 * processes started afresh every `roundsPerStart` rounds.
 */
export function cpuEstimates(
  measurements: readonly Measurement[],
  workloads: readonly WorkloadName[],
  roundsPerStart: number,
  meter: Meter = "cpu",
): { cells: (id: VariantId) => CpuCell[]; targets: CpuTarget[] } {
  const table = new RoundTable(measurements, roundsPerStart, meter);
  return {
    cells: (id) => workloads.flatMap((workload) => table.cell(id, workload) ?? []),
    targets: workloads.flatMap((workload) => targetSpecs.map((spec) => table.target(spec, workload))),
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

/** One window's CPU per operation, divided by its round's scale. */
interface PerOp {
  readonly client: number;
  readonly server: number;
  readonly total: number;
  /** The total as measured (µs or thousands of instructions): for the rounds' spread. */
  readonly measured: number;
}

/**
 * CPU per operation of each variant and workload, by round, and the comparisons of
 * their medians. The same code takes two to three times the CPU in one window that
 * it takes in another on this kind of machine, and whatever slows a window slows the
 * rest of its round too. So each window is divided by its round's scale, the geometric mean of
 * the totals of every variant in that round and workload, and the medians of those
 * shares are compared; figures in µs are the shares times the median scale. The
 * intervals resample the starts of the processes and whole rounds within each: what a
 * start gave its processes (V8's compiled code, the heap, the connection) stays with
 * them for all of its rounds, and moved a variant's figures between starts by more than
 * an interval over its rounds alone allowed for.
 */
class RoundTable {
  private readonly byKey = new Map<string, Map<number, PerOp>>();
  /** The median over the rounds of each workload's scale, in µs. */
  private readonly scale = new Map<WorkloadName, number>();

  constructor(
    measurements: readonly Measurement[],
    private readonly roundsPerStart: number,
    meter: Meter,
  ) {
    const sides = (m: Measurement): { client: number; server: number } => {
      const { clientCpuUs, serverCpuUs, instructions, ops } = m.measure;
      if (meter === "cpu") {
        return { client: clientCpuUs / ops, server: serverCpuUs / ops };
      }
      if (instructions === undefined) {
        throw new Error(`${m.variant}: a window without its instructions`);
      }
      return { client: instructions.client / ops / 1000, server: instructions.server / ops / 1000 };
    };
    const totalOf = (m: Measurement): number => {
      const { client, server } = sides(m);
      return client + server;
    };
    // Per workload and round: the sum of the logs of the totals, and their count.
    const logs = new Map<WorkloadName, Map<number, { sum: number; n: number }>>();
    for (const m of measurements) {
      const byRound = logs.get(m.measure.workload) ?? new Map<number, { sum: number; n: number }>();
      const log = byRound.get(m.round) ?? { sum: 0, n: 0 };
      byRound.set(m.round, { sum: log.sum + Math.log(totalOf(m)), n: log.n + 1 });
      logs.set(m.measure.workload, byRound);
    }
    const roundScale = (workload: WorkloadName, round: number): number => {
      const log = logs.get(workload)?.get(round);
      return log === undefined ? Number.NaN : Math.exp(log.sum / log.n);
    };
    for (const m of measurements) {
      const { workload } = m.measure;
      const scale = roundScale(workload, m.round);
      const { client, server } = sides(m);
      this.rounds(m.variant, workload).set(m.round, {
        client: client / scale,
        server: server / scale,
        total: totalOf(m) / scale,
        measured: totalOf(m),
      });
    }
    for (const [workload, byRound] of logs) {
      this.scale.set(workload, median([...byRound.keys()].map((round) => roundScale(workload, round))));
    }
  }

  cell(id: VariantId, workload: WorkloadName): CpuCell | undefined {
    const own = [...this.rounds(id, workload).values()];
    if (own.length === 0) {
      return undefined;
    }
    const us = this.scale.get(workload) ?? Number.NaN;
    const floor = floors[id];
    return {
      workload,
      rounds: own.length,
      client: median(own.map((r) => r.client)) * us,
      server: median(own.map((r) => r.server)) * us,
      measuredUs: spread(own.map((r) => r.measured)),
      total: this.compare([id] as const, workload, ([v]) => v),
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
   * `combine` of the median totals of `ids` (their shares of the round times the median
   * scale, in µs), and its interval: over the rounds that measured all of them,
   * resampled by start and by round within each start.
   */
  private compare<T extends readonly VariantId[]>(ids: T, workload: WorkloadName, combine: (medians: { readonly [K in keyof T]: number }) => number): Estimate {
    const us = this.scale.get(workload) ?? Number.NaN;
    const series = ids.map((id) => this.rounds(id, workload));
    const rounds = [...(series[0]?.keys() ?? [])].filter((round) => series.every((s) => s.has(round)));
    const columns = series.map((s) => rounds.map((round) => s.get(round)?.total ?? Number.NaN));
    const at = (indices: readonly number[]): number =>
      combine(columns.map((c) => median(indices.map((i) => c[i] ?? Number.NaN)) * us) as { readonly [K in keyof T]: number });
    const starts = new Map<number, number[]>();
    for (const [i, round] of rounds.entries()) {
      const start = Math.floor((round - 1) / this.roundsPerStart);
      const indices = starts.get(start) ?? [];
      indices.push(i);
      starts.set(start, indices);
    }
    return { value: at(rounds.map((_, i) => i)), ci: bootstrapInterval([...starts.values()], at) };
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
