// What one run of the bench found; written to bench/results/ as JSON.
import type { CodegenResult } from "./codegen/run-codegen.js";
import type { Machine } from "./machine.js";
import type { RuntimeResult } from "./runtime/run-runtime.js";
import type { CpuResult } from "./runtime/run-cpu.js";
import type { HeapResult } from "./runtime/run-heap-check.js";
import type { SoakResult } from "./soak/run-soak.js";

export type BenchMode = "full" | "smoke" | "heap" | "soak" | "cpu" | "cpu-smoke" | "instructions" | "instructions-smoke";

export interface BenchResults {
  readonly mode: BenchMode;
  readonly startedAt: string;
  /** How this run was started, to run it again. */
  readonly command: string;
  readonly machine: Machine;
  readonly seconds: number;
  readonly runtime?: RuntimeResult | undefined;
  readonly cpu?: CpuResult | undefined;
  readonly codegen?: CodegenResult | undefined;
  readonly heap?: HeapResult | undefined;
  readonly soak?: SoakResult | undefined;
}
