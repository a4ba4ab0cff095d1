// The runtime benchmark. Every variant's processes start once and stay up (`--cpu`
// starts them afresh every few rounds: RuntimeOptions.roundsPerStart). Each round
// measures one window of each workload per variant, and a window of bare before and
// after each of them (bare, v1, bare, v2, …, bare), the variants in an order rotated
// each round. A variant's ratio in a round is its figure over the mean of the two bare
// windows around it, seconds apart: the load of a shared machine drifts over minutes,
// and a ratio to a bare run measured minutes earlier says more about the drift than
// about the variant. Medians over the rounds are reported.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { median } from "../stats.js";
import { passed, proofChecks } from "./proof-check.js";
import type { ProofCheck } from "./proof-check.js";
import type { ClientReport, ServerReport } from "./protocol.js";
import { VariantPair } from "./variant-pair.js";
import type { MeasuredWorkload, PairOptions } from "./variant-pair.js";
import type { Variant, VariantId } from "./variants.js";
import type { WorkloadName, WorkloadPlan } from "./workloads.js";

export interface RuntimeOptions extends PairOptions {
  readonly plan: WorkloadPlan;
  readonly workloads: readonly WorkloadName[];
  readonly rounds: number;
  /**
   * Every variant's processes are replaced by fresh ones after this many rounds: a
   * process keeps what its start gave it (what V8 compiled and inlined, where its heap
   * and its connection ended up) for its whole life, so figures of one pair of
   * processes differ from another's by more than from round to round.
   */
  readonly roundsPerStart: number;
  /** `bare` among them: every ratio is to it. */
  readonly variants: readonly Variant[];
  readonly log: (line: string) => void;
}

/** One measured window. */
export interface Measurement {
  readonly round: number;
  /** Position in the round's sequence of windows of this workload. */
  readonly seq: number;
  readonly variant: VariantId;
  readonly measure: MeasuredWorkload;
  /** The machine's 1-minute load average as the window closed: what else ran on the cores. */
  readonly load: number;
}

/** How a variant's processes ended: what they counted, or why they failed. */
export interface VariantOutcome {
  readonly variant: VariantId;
  readonly client?: ClientReport | undefined;
  readonly server?: ServerReport | undefined;
  readonly checks?: readonly ProofCheck[] | undefined;
  readonly error?: string | undefined;
}

export interface WorkloadSummary {
  readonly workload: WorkloadName;
  readonly rounds: number;
  /** Calls/s (unary) or messages/s (streams), median over the rounds. */
  readonly opsPerSecond: number;
  /** Median over the rounds of this variant's figure / bare's around it. */
  readonly ratio: number;
  /** The lowest and highest of those ratios: how much the machine's load moved them. */
  readonly ratioRange: readonly [number, number];
  readonly p50Ms?: number | undefined;
  readonly p99Ms?: number | undefined;
  readonly clientCpuUsPerOp: number;
  readonly serverCpuUsPerOp: number;
}

/** A variant as its processes ended: what they proved and how much memory they took. */
export interface VariantEnd {
  readonly id: VariantId;
  readonly label: string;
  /** maxRSS of each process over its whole life, MiB. */
  readonly peakRssMiB?: { readonly client: number; readonly server: number } | undefined;
  readonly checks: readonly ProofCheck[];
  readonly error?: string | undefined;
}

export interface VariantSummary extends VariantEnd {
  readonly workloads: readonly WorkloadSummary[];
}

export interface RuntimeResult {
  readonly plan: WorkloadPlan;
  readonly rounds: number;
  readonly seconds: number;
  readonly variants: readonly VariantSummary[];
  readonly measurements: readonly Measurement[];
}

/** Which variants a round measures, in order, one window each, for every workload. */
export type Schedule = (round: number) => readonly Variant[];

/** Every window a run measured, and how each variant's processes ended. */
export interface MeasuredRun {
  readonly measurements: readonly Measurement[];
  readonly outcomes: readonly VariantOutcome[];
  readonly seconds: number;
}

export async function runRuntime(options: RuntimeOptions): Promise<RuntimeResult> {
  const { variants, workloads } = options;
  const bare = variants.find((v) => v.id === "bare");
  const others = variants.filter((v) => v !== bare);
  const run = await measureVariants({ ...options, log: (line) => options.log(`runtime: ${line}`) }, (round) => {
    // Rotated so that no variant always runs first, or right after the same neighbour.
    const shift = (round - 1) % Math.max(1, others.length);
    const order = [...others.slice(shift), ...others.slice(0, shift)];
    return bare === undefined ? order : [bare, ...order.flatMap((v) => [v, bare])];
  });
  return {
    plan: options.plan,
    rounds: options.rounds,
    seconds: run.seconds,
    variants: variants.map((variant) => summarize(variant, workloads, run.measurements, run.outcomes)),
    measurements: run.measurements,
  };
}

/**
 * Measures the windows `schedule` asks for, round after round, with every variant's
 * processes started afresh for each `roundsPerStart` rounds, and collects what each
 * variant's telemetry counted over all of them.
 */
export async function measureVariants(options: RuntimeOptions, schedule: Schedule): Promise<MeasuredRun> {
  const started = performance.now();
  const measurements: Measurement[] = [];
  const starts: VariantOutcome[][] = [];
  for (let first = 1; first <= options.rounds; first += options.roundsPerStart) {
    const last = Math.min(options.rounds, first + options.roundsPerStart - 1);
    const run = await measureRounds(options, schedule, first, last);
    measurements.push(...run.measurements);
    starts.push(run.outcomes);
  }
  const outcomes = options.variants.map((variant) =>
    mergeOutcomes(
      variant.id,
      starts.map((outcomes) => outcomes.find((o) => o.variant === variant.id) ?? { variant: variant.id, error: "not run" }),
    ),
  );
  return { measurements, outcomes, seconds: (performance.now() - started) / 1000 };
}

/**
 * Starts every variant's processes, warms each workload up once, then measures rounds
 * `first` to `last` and collects what each variant's telemetry counted.
 */
async function measureRounds(
  options: RuntimeOptions,
  schedule: Schedule,
  first: number,
  last: number,
): Promise<{ measurements: Measurement[]; outcomes: VariantOutcome[] }> {
  const started = performance.now();
  const { variants, workloads, log } = options;
  const pairs = new Map<VariantId, VariantPair>();
  const errors = new Map<VariantId, string>();
  const fail = (variant: Variant, err: unknown): void => {
    const error = err instanceof Error ? err.message : String(err);
    errors.set(variant.id, error);
    pairs.get(variant.id)?.kill();
    pairs.delete(variant.id);
    log(`${variant.id} FAILED: ${error}`);
  };
  // One variant failing (a part still under construction, a crash) leaves the others running.
  await Promise.all(
    variants.map(async (variant) => {
      try {
        pairs.set(variant.id, await VariantPair.start(variant, options.plan, options));
      } catch (err) {
        fail(variant, err);
      }
    }),
  );
  log(`${pairs.size} of ${variants.length} variants started in ${since(started)}${first > 1 ? ` (fresh processes from round ${first})` : ""}`);

  let t = performance.now();
  for (const variant of variants) {
    for (const workload of workloads) {
      await step(variant, (pair) => pair.warmUp(workload));
    }
  }
  log(`warmed up in ${since(t)}`);

  const measurements: Measurement[] = [];
  for (let round = first; round <= last; round++) {
    const sequence = schedule(round);
    for (const workload of workloads) {
      t = performance.now();
      for (const [seq, variant] of sequence.entries()) {
        await step(variant, async (pair) => {
          const measure = await pair.measure(workload);
          measurements.push({ round, seq, variant: variant.id, measure, load: loadavg()[0] ?? Number.NaN });
        });
      }
      log(`round ${round}/${options.rounds} ${workload} in ${since(t)}, load ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`);
    }
  }

  const outcomes = await Promise.all(
    variants.map(async (variant): Promise<VariantOutcome> => {
      const pair = pairs.get(variant.id);
      if (pair === undefined) {
        return { variant: variant.id, error: errors.get(variant.id) };
      }
      try {
        const { client, server } = await pair.finish();
        return { variant: variant.id, client, server, checks: proofChecks(variant, client, server) };
      } catch (err) {
        return { variant: variant.id, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  return { measurements, outcomes };

  async function step(variant: Variant, body: (pair: VariantPair) => Promise<void>): Promise<void> {
    const pair = pairs.get(variant.id);
    if (pair !== undefined) {
      try {
        await body(pair);
      } catch (err) {
        fail(variant, err);
      }
    }
  }
}

/**
 * One variant's outcome over its starts: the first failure; else every proof check
 * summed over the starts (each pair of processes counted its own calls), the calls
 * summed and the peak RSS the highest of any process.
 */
function mergeOutcomes(variant: VariantId, outcomes: readonly VariantOutcome[]): VariantOutcome {
  const failed = outcomes.find((o) => o.error !== undefined);
  const clients = outcomes.flatMap((o) => o.client ?? []);
  const servers = outcomes.flatMap((o) => o.server ?? []);
  const [lastClient, lastServer] = [clients.at(-1), servers.at(-1)];
  if (failed !== undefined || lastClient === undefined || lastServer === undefined || outcomes.length === 1) {
    return failed ?? outcomes[0] ?? { variant, error: "not run" };
  }
  const sum = (values: readonly (number | undefined)[]): number | undefined =>
    values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, b) => a + (b ?? 0), 0);
  const checks = (outcomes[0]?.checks ?? []).map((check, i) => ({
    what: check.what,
    expected: sum(outcomes.map((o) => o.checks?.[i]?.expected)) ?? Number.NaN,
    got: sum(outcomes.map((o) => o.checks?.[i]?.got)),
  }));
  return {
    variant,
    client: { ...lastClient, calls: clients.reduce((a, c) => a + c.calls, 0), maxRssKiB: Math.max(...clients.map((c) => c.maxRssKiB)) },
    server: { ...lastServer, served: servers.reduce((a, s) => a + s.served, 0), maxRssKiB: Math.max(...servers.map((s) => s.maxRssKiB)) },
    checks,
  };
}

const since = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const rate = (m: MeasuredWorkload): number => m.ops / (m.elapsedMs / 1000);

function summarize(
  variant: Variant,
  workloads: readonly WorkloadName[],
  measurements: readonly Measurement[],
  outcomes: readonly VariantOutcome[],
): VariantSummary {
  const summaries = workloads.map((workload): WorkloadSummary => {
    const of = (id: VariantId): Measurement[] => measurements.filter((m) => m.variant === id && m.measure.workload === workload);
    const mine = of(variant.id);
    const bare = of("bare");
    const ratios = mine.flatMap(({ round, seq, measure }) => {
      if (variant.id === "bare") {
        return [1];
      }
      const around = bare.filter((b) => b.round === round && Math.abs(b.seq - seq) === 1).map((b) => rate(b.measure));
      return around.length === 0 ? [] : [rate(measure) / (around.reduce((a, b) => a + b, 0) / around.length)];
    });
    const latencies = mine.flatMap(({ measure }) => (measure.latencyMs === undefined ? [] : [measure.latencyMs]));
    return {
      workload,
      rounds: mine.length,
      opsPerSecond: median(mine.map(({ measure }) => rate(measure))),
      ratio: median(ratios),
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
      p50Ms: latencies.length === 0 ? undefined : median(latencies.map((l) => l.p50)),
      p99Ms: latencies.length === 0 ? undefined : median(latencies.map((l) => l.p99)),
      clientCpuUsPerOp: median(mine.map(({ measure }) => measure.clientCpuUs / measure.ops)),
      serverCpuUsPerOp: median(mine.map(({ measure }) => measure.serverCpuUs / measure.ops)),
    };
  });
  return { ...variantEnd(variant, outcomes), workloads: summaries };
}

export function variantEnd(variant: Variant, outcomes: readonly VariantOutcome[]): VariantEnd {
  const outcome = outcomes.find((o) => o.variant === variant.id);
  return {
    id: variant.id,
    label: variant.label,
    peakRssMiB:
      outcome?.client === undefined || outcome.server === undefined
        ? undefined
        : { client: outcome.client.maxRssKiB / 1024, server: outcome.server.maxRssKiB / 1024 },
    checks: outcome?.checks ?? [],
    error: outcome?.error,
  };
}

export const allPassed = (summary: VariantEnd): boolean => summary.error === undefined && summary.checks.every(passed);
