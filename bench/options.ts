// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";
import type { BenchMode } from "./results.js";
import type { CorpusPlan, PluginBudget } from "./codegen/run-codegen.js";
import { variantById, variants } from "./runtime/variants.js";
import type { Variant } from "./runtime/variants.js";
import { cpuPlan, cpuSmokePlan, fullPlan, instructionsPlan, smokePlan, workloadNames } from "./runtime/workloads.js";
import type { WorkloadName, WorkloadPlan } from "./runtime/workloads.js";

export interface RuntimeChoice {
  readonly plan: WorkloadPlan;
  readonly workloads: readonly WorkloadName[];
  readonly rounds: number;
  /** Fresh processes of every variant after this many rounds. */
  readonly roundsPerStart: number;
  readonly variants: readonly Variant[];
  readonly timeoutMs: number;
  readonly stepTimeoutMs: number;
  readonly profile: boolean;
  /** `--instructions`: count instructions under callgrind instead of CPU time (runtime/callgrind.ts). */
  readonly instructions: boolean;
}

export interface BenchOptions {
  readonly mode: BenchMode;
  readonly runtime?: RuntimeChoice | undefined;
  /** `--cpu`: CPU per call and per message of every stack, the floor's included (`--instructions`: instructions). */
  readonly cpu?: RuntimeChoice | undefined;
  readonly codegen?: readonly CorpusPlan[] | undefined;
  readonly heap?: { readonly calls: number; readonly every: number; readonly timeoutMs: number } | undefined;
  readonly soak?: { readonly calls: number; readonly every: number } | undefined;
  /** Where the results go, under bench/results/: latest.json only for the default run. */
  readonly out: string;
}

/**
 * Rounds of `--cpu`: on 2 shared cores (README, Performance) they put each total's 95 %
 * interval within ±3–8 % on unary calls and ±3–11 % per streamed message.
 */
const CPU_ROUNDS = 30;
/**
 * `--cpu` starts every variant's processes afresh this often: what a start gave a
 * process (V8's compiled code, its heap, its connection) moved its figures by more than
 * the interval of one start's rounds, so a run samples six starts, and its intervals
 * resample them (run-cpu.ts, RoundTable). A start costs about 100 s (the processes'
 * start and warm-up); a round about 30 s.
 */
const CPU_ROUNDS_PER_START = 5;
const CPU_CONCURRENCY = cpuPlan.unary.concurrency;
/**
 * Rounds of `--instructions`, and its processes' starts: few, under callgrind's 40-fold
 * slowdown. Its counts still move from window to window with the collections and
 * recompiles each holds (README, Performance), and from start to start.
 */
const INSTRUCTION_ROUNDS = 4;
const INSTRUCTION_ROUNDS_PER_START = 2;

export const usage = `npm run bench -- [options]
  (none)             runtime and codegen benchmarks, ~15 min on 2 cores
  --smoke            every variant, plugin and proof check once, tiny counts, seconds (CI)
  --cpu              CPU per call and per message of every stack and of the hand-written
                     floor, client and server apart, ${CPU_ROUNDS} interleaved rounds, ~25 min
                     (npm run bench:cpu); with --smoke, 2 rounds of tiny counts
  --instructions     as --cpu, counting instructions under valgrind's callgrind instead
                     of CPU time: ${INSTRUCTION_ROUNDS} rounds, hours (npm run bench:instructions)
  --heap             the heap check alone: 1,000,000 unary calls with full telemetry
  --heap-calls N     calls of the heap check (default 1000000, sampled every N/10)
  --soak             the long soak alone: 1,000,000 mixed calls across processes, ~20 min
  --soak-calls N     calls of the soak (default 1000000, sampled every N/10)
  --only P           runtime or codegen: one part only
  --rounds N         runtime rounds (default 5; --cpu ${CPU_ROUNDS})
  --restart-every N  fresh processes of every variant after N rounds (default: never;
                     --cpu ${CPU_ROUNDS_PER_START}; --cpu --smoke 1)
  --variants a,b     runtime variants to run (bare is always added); default all but
                     the floor's, which --cpu adds
  --workloads a,b    runtime workloads: unary, serverStream, clientStream, bidiStream; default all
  --concurrency N    unary calls in flight (default 32; --cpu ${CPU_CONCURRENCY})
  --profile          write a CPU profile of every runtime process to bench/results/profiles/
                     (--instructions: keep callgrind's file of every window there)
  --no-slow          skip protoc-gen-es v2 on compute.proto (one run of up to 150 s)`;

const budget = (runs: number, timeoutMs = 60_000): PluginBudget => ({ runs, timeoutMs });

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: "boolean", default: false },
      cpu: { type: "boolean", default: false },
      instructions: { type: "boolean", default: false },
      heap: { type: "boolean", default: false },
      "heap-calls": { type: "string" },
      soak: { type: "boolean", default: false },
      "soak-calls": { type: "string" },
      only: { type: "string" },
      rounds: { type: "string" },
      "restart-every": { type: "string" },
      variants: { type: "string" },
      workloads: { type: "string" },
      concurrency: { type: "string" },
      profile: { type: "boolean", default: false },
      "no-slow": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.heap) {
    const calls = positive("heap-calls", values["heap-calls"] ?? "1000000");
    return { mode: "heap", heap: { calls, every: Math.max(1, Math.round(calls / 10)), timeoutMs: 30 * 60_000 }, out: "heap.json" };
  }
  if (values.soak) {
    const calls = positive("soak-calls", values["soak-calls"] ?? "1000000");
    return { mode: "soak", soak: { calls, every: Math.max(1, Math.round(calls / 10)) }, out: "soak.json" };
  }
  const only = values.only;
  if (only !== undefined && only !== "runtime" && only !== "codegen") {
    throw new Error(`--only takes runtime or codegen, not ${JSON.stringify(only)}`);
  }
  const smoke = values.smoke;
  const instructions = values.instructions;
  const perCall = values.cpu || instructions;
  const chosen =
    values.variants === undefined
      ? perCall
        ? variants
        : variants.filter((v) => v.stack.kind !== "floor")
      : withBare(values.variants.split(",").map((id) => variantById(id.trim())));
  const plan = perCall ? (smoke ? cpuSmokePlan : instructions ? instructionsPlan : cpuPlan) : smoke ? smokePlan : fullPlan;
  // 5, not the 3 the figures need at least: on 2 shared cores single windows of
  // unary calls vary by ±0.15 in ratio, and the median of 5 settles. Smoke runs of
  // --cpu take 2, the least that goes through both orders of its rounds.
  const defaultRounds = instructions ? (smoke ? 1 : INSTRUCTION_ROUNDS) : values.cpu ? (smoke ? 2 : CPU_ROUNDS) : smoke ? 1 : 5;
  const rounds = values.rounds === undefined ? defaultRounds : positive("rounds", values.rounds);
  const defaultRoundsPerStart = instructions ? (smoke ? 1 : INSTRUCTION_ROUNDS_PER_START) : values.cpu ? (smoke ? 1 : CPU_ROUNDS_PER_START) : rounds;
  const runtime: RuntimeChoice = {
    plan: values.concurrency === undefined ? plan : { ...plan, unary: { ...plan.unary, concurrency: positive("concurrency", values.concurrency) } },
    workloads: values.workloads === undefined ? workloadNames : values.workloads.split(",").map((w) => workloadName(w.trim())),
    rounds,
    roundsPerStart: values["restart-every"] === undefined ? defaultRoundsPerStart : positive("restart-every", values["restart-every"]),
    variants: chosen,
    // Under callgrind a process runs about 40 times slower.
    timeoutMs: instructions ? 4 * 3_600_000 : 30 * 60_000,
    // How long a live child may stay silent before it counts as hung. Smoke mode is no
    // faster here: a child's start (tsx compiling, grpc-js and the SDK loading) took over
    // 30 s once at load 10 on 2 cores (and 120 s for 6 children starting at once under
    // callgrind), and a dead child is noticed at once anyway.
    stepTimeoutMs: instructions ? 1_800_000 : 120_000,
    profile: values.profile,
    instructions,
  };
  const codegen: CorpusPlan[] = smoke
    ? [
        // The small request, and a few cloud files, through every plugin; compute.proto is
        // the same code path, only longer.
        { corpus: "small", budgets: { "ts-otel": budget(1), "connect-es-v1": budget(1), "es-v2": budget(1) } },
        { corpus: "cloud", limit: 3, budgets: { "ts-otel": budget(1), "connect-es-v1": budget(1), "es-v2": budget(1) } },
      ]
    : [
        // Start-up dominates a small request: enough runs for a steady median.
        { corpus: "small", budgets: { "ts-otel": budget(15), "connect-es-v1": budget(15), "es-v2": budget(15) } },
        // protoc-gen-es v2 is the reference for messages, not a contender: one run each.
        { corpus: "cloud", budgets: { "ts-otel": budget(3), "connect-es-v1": budget(3), "es-v2": budget(1, 150_000) } },
        {
          corpus: "compute",
          budgets: { "ts-otel": budget(3), "connect-es-v1": budget(3), "es-v2": budget(values["no-slow"] ? 0 : 1, 150_000) },
        },
      ];
  const custom = [only, values.rounds, values["restart-every"], values.variants, values.workloads, values.concurrency].some((v) => v !== undefined) || values.profile || values["no-slow"];
  if (perCall) {
    const mode = `${instructions ? "instructions" : "cpu"}${smoke ? "-smoke" : ""}` as const;
    return { mode, cpu: runtime, out: `${mode}${custom && !smoke ? "-custom" : ""}.json` };
  }
  return {
    mode: smoke ? "smoke" : "full",
    runtime: only === "codegen" ? undefined : runtime,
    codegen: only === "runtime" ? undefined : codegen,
    // The soak's proof checks, on a few thousand calls; its heap figures mean nothing at that count.
    soak: smoke ? { calls: 3_000, every: 1_000 } : undefined,
    out: smoke ? "smoke.json" : custom ? "custom.json" : "latest.json",
  };
}

/** `chosen` with bare grpc-js first: every ratio is to it. */
export function withBare(chosen: readonly Variant[]): Variant[] {
  const bare = variantById("bare");
  return [bare, ...chosen.filter((v) => v.id !== "bare")];
}

function workloadName(name: string): WorkloadName {
  const found = workloadNames.find((w) => w === name);
  if (found === undefined) {
    throw new Error(`unknown workload ${JSON.stringify(name)}; known: ${workloadNames.join(", ")}`);
  }
  return found;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`--${name} takes a positive integer, not ${JSON.stringify(value)}`);
  }
  return n;
}
