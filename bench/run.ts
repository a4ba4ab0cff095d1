// `npm run bench`: the runtime and codegen benchmarks of issue 6 (or --smoke, or
// --heap, or --soak, or --cpu, the CPU per call of issue 24, or --instructions, its
// instructions per call), a report on stdout with the targets next to the figures, and the results
// as JSON in bench/results/. Progress goes to stderr. Exits non-zero when a variant or
// plugin failed or a proof check did not hold; never because of a timing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runCodegen } from "./codegen/run-codegen.js";
import { assertDistFresh } from "./dist-freshness.js";
import { describeMachine, endLoad, formatMachine } from "./machine.js";
import { parseOptions } from "./options.js";
import { resultsDir } from "./paths.js";
import { formatCodegen } from "./report/codegen-table.js";
import { formatCpu } from "./report/cpu-table.js";
import { formatHeap } from "./report/heap-table.js";
import { formatRuntime } from "./report/runtime-table.js";
import { formatSoak } from "./report/soak-table.js";
import { formatTargets } from "./report/targets.js";
import type { BenchResults } from "./results.js";
import { runCpu } from "./runtime/run-cpu.js";
import { runHeapCheck } from "./runtime/run-heap-check.js";
import { allPassed, runRuntime } from "./runtime/run-runtime.js";
import { runSoak } from "./soak/run-soak.js";

const argv = process.argv.slice(2);
const options = parseOptions(argv);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
assertDistFresh();

const started = performance.now();
const startedAt = new Date().toISOString();
const machine = describeMachine();
log(`bench ${options.mode}: ${formatMachine(machine)}`);

let profileDir: string | undefined;
if (options.runtime?.profile === true || options.cpu?.profile === true) {
  profileDir = join(resultsDir, "profiles", startedAt.replace(/[:.]/g, "-"));
  mkdirSync(profileDir, { recursive: true });
  log(`${options.cpu?.instructions === true ? "Callgrind's files" : "CPU profiles"}: ${profileDir}`);
}
const runtime = options.runtime && (await runRuntime({ ...options.runtime, profileDir, log }));
// Under --instructions, callgrind's files, one per process and window (about 2 MB each):
// kept with --profile, for callgrind_annotate to say where the instructions went.
const instructions = options.cpu?.instructions === true;
const callgrindDir = instructions ? (profileDir ?? mkdtempSync(join(tmpdir(), "ts-otel-callgrind-"))) : undefined;
let cpu;
try {
  // node --cpu-prof has nothing to add to callgrind's counts.
  cpu = options.cpu && (await runCpu({ ...options.cpu, profileDir: instructions ? undefined : profileDir, callgrindDir, log }));
} finally {
  if (callgrindDir !== undefined && callgrindDir !== profileDir) {
    rmSync(callgrindDir, { recursive: true, force: true });
  }
}
const codegen = options.codegen && (await runCodegen(options.codegen, log));
const heap = options.heap && (await runHeapCheck({ ...options.heap, log }));
const soak = options.soak && (await runSoak({ ...options.soak, log }));

const results: BenchResults = {
  mode: options.mode,
  startedAt,
  command: ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" "),
  machine: endLoad(machine),
  seconds: (performance.now() - started) / 1000,
  runtime,
  cpu,
  codegen,
  heap,
  soak,
};
mkdirSync(resultsDir, { recursive: true });
const out = join(resultsDir, options.out);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

const sections = [
  `# protoc-gen-ts-otel bench (${results.mode}), ${startedAt}`,
  `Machine: ${formatMachine(results.machine)}`,
  `Command: ${results.command} (${results.seconds.toFixed(0)} s)`,
  ...(options.mode === "full" || options.mode === "smoke" ? [`Targets (issue 6):\n\n${formatTargets(results)}`] : []),
  ...(cpu === undefined ? [] : [formatCpu(cpu, options.mode.endsWith("-smoke"))]),
  ...(runtime === undefined ? [] : [formatRuntime(runtime)]),
  ...(codegen === undefined ? [] : [formatCodegen(codegen)]),
  ...(heap === undefined ? [] : [formatHeap(heap)]),
  ...(soak === undefined ? [] : [formatSoak(soak)]),
  ...(profileDir === undefined
    ? []
    : [instructions ? `Callgrind's files, per process and window: callgrind_annotate ${profileDir}/<variant>-<side>.<pid>.<window>` : `CPU profiles: npx tsx bench/profile/summarize-profile.ts ${profileDir}`]),
  `Results: ${out}`,
];
const report = `${sections.join("\n\n")}\n`;
// The report beside its JSON: the tables as printed, for the README to quote.
writeFileSync(out.replace(/\.json$/, ".md"), report);
console.log(report);

const broken =
  (runtime?.variants.some((v) => !allPassed(v)) ?? false) ||
  (cpu?.variants.some((v) => !allPassed(v)) ?? false) ||
  (codegen?.corpora.some((c) => c.plugins.some((p) => p.error !== undefined)) ?? false) ||
  (heap !== undefined && [...Object.values(heap.proof.spans), ...Object.values(heap.proof.handled)].some((n) => n !== heap.calls)) ||
  (soak !== undefined && (soak.checks.some((c) => !c.held) || (options.mode === "soak" && !soak.flat)));
process.exitCode = broken ? 1 : 0;
