// A seconds-long run of `npm run bench -- --smoke` (and of `npm run bench:cpu -- --smoke`,
// `npm run bench:instructions -- --smoke` on one variant, and `npm run bench:alloc -- --smoke`),
// so the benchmark never rots: every runtime variant and workload, every codegen plugin,
// and every proof check (spans exported and counters equal to calls). Nothing here
// looks at a timing.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { callgrindCommand, windowInstructions } from "../../bench/runtime/callgrind.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import type { RunResult } from "../support/run.js";

interface SmokeResults {
  runtime: { variants: { id: string; workloads: { workload: string; opsPerSecond: number }[] }[] };
  codegen: { corpora: { corpus: { name: string }; plugins: { id: string; files: number; timedOut: boolean }[] }[] };
}

interface CpuSmokeResults {
  cpu: {
    plan: { unary: Record<"warmup" | "rewarm" | "measured", { calls: number }> };
    roundsPerStart: number;
    variants: {
      id: string;
      checks: { what: string; expected: number; got?: number }[];
      workloads: { workload: string; rounds: number; client: number; server: number; total: { value: number } }[];
    }[];
    targets: { estimate?: unknown }[];
  };
}

/** Runs a bench script under tsx with the bench tsconfig, as `npm run bench` does. */
function runBench(script: string, timeout: number, args: readonly string[] = []): RunResult {
  return run(process.execPath, ["--import", "tsx", script, "--smoke", ...args], {
    cwd: repoRoot,
    env: { ...process.env, TSX_TSCONFIG_PATH: "bench/tsconfig.json" },
    timeout,
  });
}

describe("the benchmark", () => {
  it("runs every variant, plugin and proof check in smoke mode", () => {
    const result = runBench("bench/run.ts", 280_000);
    // The report (stdout) says which target or check failed; stderr the progress.
    expect(result.status, `${result.stderr.slice(-1500)}\n${result.stdout.slice(-3000)}`).toBe(0);
    // The proof checks print one line each, `ok` or not.
    const proofs = result.stdout.split("\n").filter((line) => /\(expected \d+\)$/.test(line));
    expect(proofs.length).toBeGreaterThan(20);
    expect(proofs.filter((line) => !line.trimStart().startsWith("ok "))).toEqual([]);
    const results = JSON.parse(readFileSync(join(repoRoot, "bench/results/smoke.json"), "utf8")) as SmokeResults;
    expect(results.runtime.variants.map((v) => v.id)).toEqual([
      "bare",
      "bare-sdk",
      "ours-off",
      "ours-prometheus",
      "ours-traces",
      "ours-full",
      "grpc-instrumentation",
      "nice-plain",
      "nice-full",
    ]);
    for (const variant of results.runtime.variants) {
      expect(variant.workloads.map((w) => w.workload)).toEqual(["unary", "serverStream", "clientStream", "bidiStream"]);
      expect(variant.workloads.every((w) => w.opsPerSecond > 0)).toBe(true);
    }
    // Smoke mode runs the small request and the first files of the cloud corpus only (bench/options.ts).
    expect(results.codegen.corpora.map((c) => c.corpus.name)).toEqual(["small", "cloud"]);
    for (const corpus of results.codegen.corpora) {
      expect(corpus.plugins.map((p) => p.id)).toEqual(["ts-otel", "connect-es-v1", "es-v2"]);
      expect(corpus.plugins.every((p) => !p.timedOut && p.files > 0)).toBe(true);
    }
  }, 300_000);

  it("runs the CPU measurement of every stack and of the hand-written floor in smoke mode", () => {
    const result = runBench("bench/run.ts", 280_000, ["--cpu"]);
    expect(result.status, `${result.stderr.slice(-1500)}\n${result.stdout.slice(-3000)}`).toBe(0);
    const proofs = result.stdout.split("\n").filter((line) => /\(expected \d+\)$/.test(line));
    expect(proofs.filter((line) => !line.trimStart().startsWith("ok "))).toEqual([]);
    const { cpu } = JSON.parse(readFileSync(join(repoRoot, "bench/results/cpu-smoke.json"), "utf8")) as CpuSmokeResults;
    expect(cpu.variants.map((v) => v.id)).toEqual([
      "bare",
      "bare-sdk",
      "floor-prometheus",
      "floor-traces",
      "floor-full",
      "ours-off",
      "ours-prometheus",
      "ours-traces",
      "ours-full",
      "grpc-instrumentation",
      "nice-plain",
      "nice-full",
    ]);
    // Each floor proves its telemetry as ours does: spans, and the Prometheus and OTel counts.
    const checks = (id: string): string[] => cpu.variants.find((v) => v.id === id)?.checks.map((c) => c.what) ?? [];
    expect(checks("floor-full")).toEqual(checks("ours-full"));
    expect(checks("floor-traces")).toEqual(checks("ours-traces"));
    expect(checks("floor-prometheus")).toEqual(checks("ours-prometheus"));
    for (const variant of cpu.variants) {
      expect(variant.workloads.map((w) => w.workload)).toEqual(["unary", "serverStream", "clientStream", "bidiStream"]);
      // Two rounds, both orders of the interleaving; CPU per operation on both sides.
      expect(variant.workloads.every((w) => w.rounds === 2 && w.client > 0 && w.server > 0)).toBe(true);
      expect(variant.workloads.every((w) => Math.abs(w.client + w.server - w.total.value) <= 0.02 * w.total.value)).toBe(true);
    }
    // Each round with fresh processes: the proof counts every start's calls. A start makes
    // the unary warm-up, re-warm and window, and one call each of the three streaming kinds.
    expect(cpu.roundsPerStart).toBe(1);
    const { warmup, rewarm, measured } = cpu.plan.unary;
    const perStart = warmup.calls + rewarm.calls + measured.calls + 3 * 3;
    for (const variant of cpu.variants) {
      const handled = variant.checks.find((c) => c.what === "server handler calls");
      expect(handled?.expected).toBe(2 * perStart);
      expect(handled?.got).toBe(handled?.expected);
    }
    expect(cpu.targets.length).toBe(7 * 4);
    expect(cpu.targets.every((t) => t.estimate !== undefined)).toBe(true);
  }, 300_000);

  it("counts the instructions of each window a process under callgrind marks", () => {
    const dir = mkdtempSync(join(tmpdir(), "ts-otel-callgrind-"));
    try {
      const out = join(dir, "windows");
      const { execPath, args, env } = callgrindCommand(out);
      const result = run(execPath, [...args, "--import", "tsx", join(repoRoot, "test/e2e/callgrind/windows-child.ts")], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        timeout: 280_000,
      });
      expect(result.status, result.stderr).toBe(0);
      const [first, second] = [windowInstructions(out, 1), windowInstructions(out, 2)];
      // A file per window, and the rest of the run, up to the exit, in one of its own.
      expect(existsSync(out)).toBe(true);
      expect(existsSync(`${out}.3`)).toBe(false);
      // 20,000 and 60,000 rounds of the same loop (and of the garbage collections they
      // cause: 2.68 seen): a window holds its own work and nothing before it, where the
      // process's start and a first run of ten times the first window's work went.
      expect(first).toBeGreaterThan(1_000_000);
      expect(second / first).toBeGreaterThan(2.5);
      expect(second / first).toBeLessThan(3.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("runs the instruction count of one stack against bare grpc-js under callgrind in smoke mode", () => {
    const result = runBench("bench/run.ts", 580_000, ["--instructions", "--variants", "ours-traces", "--workloads", "unary,serverStream"]);
    expect(result.status, `${result.stderr.slice(-1500)}\n${result.stdout.slice(-3000)}`).toBe(0);
    const proofs = result.stdout.split("\n").filter((line) => /\(expected \d+\)$/.test(line));
    expect(proofs.filter((line) => !line.trimStart().startsWith("ok "))).toEqual([]);
    const { cpu } = JSON.parse(readFileSync(join(repoRoot, "bench/results/instructions-smoke.json"), "utf8")) as CpuSmokeResults & {
      cpu: { meter: string; measurements: { measure: { instructions?: { client: number; server: number } } }[] };
    };
    expect(cpu.meter).toBe("instructions");
    expect(cpu.variants.map((v) => v.id)).toEqual(["bare", "ours-traces"]);
    // Every window counted on both sides; thousands of instructions per operation.
    expect(cpu.measurements.length).toBe(2 * 2);
    expect(cpu.measurements.every((m) => (m.measure.instructions?.client ?? 0) > 0 && (m.measure.instructions?.server ?? 0) > 0)).toBe(true);
    for (const variant of cpu.variants) {
      expect(variant.workloads.map((w) => w.workload)).toEqual(["unary", "serverStream"]);
      expect(variant.workloads.every((w) => w.rounds === 1 && w.client > 1 && w.server > 1)).toBe(true);
    }
  }, 600_000);

  it("measures the bytes each stack allocates per call and per message in smoke mode", () => {
    const result = runBench("bench/alloc.ts", 280_000, ["--variants", "floor-full,ours-full"]);
    expect(result.status, `${result.stderr.slice(-1500)}\n${result.stdout.slice(-3000)}`).toBe(0);
    const { results } = JSON.parse(readFileSync(join(repoRoot, "bench/results/alloc-smoke.json"), "utf8")) as {
      results: { variant: string; runs: { workload: string; ops: number; bytes: number; ownBytes: number }[][] }[];
    };
    expect(results.map((r) => r.variant)).toEqual(["bare", "floor-full", "ours-full"]);
    for (const { variant, runs } of results) {
      expect(runs.length).toBe(1);
      expect(runs[0]?.map((w) => w.workload)).toEqual(["unary", "serverStream", "clientStream", "bidiStream"]);
      // A grpc-js call allocates kilobytes; the runtime's own share is part of it, and none for bare grpc-js.
      for (const window of runs[0] ?? []) {
        expect(window.ops).toBeGreaterThan(0);
        expect(window.bytes).toBeGreaterThan(1000);
        expect(window.ownBytes).toBeLessThan(window.bytes);
        expect(variant !== "ours-full" || window.ownBytes > 0).toBe(true);
      }
    }
  }, 300_000);

  it("runs the in-process A/B of every stack in smoke mode", () => {
    const result = runBench("bench/in-process-ab.ts", 120_000);
    // The report (stdout) says which target or check failed; stderr the progress.
    expect(result.status, `${result.stderr.slice(-1500)}\n${result.stdout.slice(-3000)}`).toBe(0);
    const ab = JSON.parse(readFileSync(join(repoRoot, "bench/results/ab-smoke.json"), "utf8")) as {
      results: Record<string, Record<"unary" | "serverStream", { cpuUs: number[] }>>;
    };
    expect(Object.keys(ab.results)).toEqual(["bare", "ours-off", "ours-prometheus"]);
    for (const cells of Object.values(ab.results)) {
      expect(cells.unary.cpuUs.length).toBe(1);
      expect(cells.unary.cpuUs.every((us) => us > 0)).toBe(true);
      expect(cells.serverStream.cpuUs.length).toBe(1);
      expect(cells.serverStream.cpuUs.every((us) => us > 0)).toBe(true);
    }
  }, 150_000);
});
