// `npm run bench:alloc`: bytes allocated per unary call and per streamed message of
// every stack of `npm run bench:cpu`, its client and server in one process, by V8's
// sampling heap profiler (bench/runtime/alloc-main.ts). What a call allocates, and
// keeps alive while it runs, is what the garbage collector pays for: the largest
// difference between ours and the hand-written floor in the CPU profiles. Unlike CPU
// time, allocation does not move with the machine's load: two runs of a variant agreed
// within 2.1 % (most within 0.5 %), and the report shows both.
//
//   npm run bench:alloc [-- --variants a,b] [-- --runs N] [-- --smoke]
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { assertDistFresh } from "./dist-freshness.js";
import { describeMachine, endLoad, formatMachine } from "./machine.js";
import { benchDir, benchTsconfig, repoRoot, resultsDir } from "./paths.js";
import { formatTable, num } from "./report/format-table.js";
import type { AllocWindow } from "./runtime/alloc-main.js";
import { floors } from "./runtime/run-cpu.js";
import { withBare } from "./options.js";
import { variantById, variants as allVariants } from "./runtime/variants.js";
import type { Variant, VariantId } from "./runtime/variants.js";
import { workloadNames } from "./runtime/workloads.js";
import type { WorkloadName } from "./runtime/workloads.js";
import { median } from "./stats.js";

const { values } = parseArgs({
  options: { runs: { type: "string" }, variants: { type: "string" }, smoke: { type: "boolean", default: false } },
});
const smoke = values.smoke;
const runs = Number(values.runs ?? (smoke ? "1" : "2"));
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`--runs takes a positive integer, not ${JSON.stringify(values.runs)}`);
}
const chosen: readonly Variant[] = values.variants === undefined ? allVariants : withBare(values.variants.split(",").map((id) => variantById(id.trim())));

interface VariantAlloc {
  readonly variant: VariantId;
  readonly label: string;
  /** One list of windows per run. */
  readonly runs: readonly (readonly AllocWindow[])[];
}

assertDistFresh();
const startedAt = new Date().toISOString();
const machine = describeMachine();
process.stderr.write(`bench:alloc: ${formatMachine(machine)}\n`);
const results: VariantAlloc[] = [];
for (const variant of chosen) {
  const windows: AllocWindow[][] = [];
  for (let run = 0; run < runs; run++) {
    windows.push(await measure(variant));
  }
  results.push({ variant: variant.id, label: variant.label, runs: windows });
  process.stderr.write(`bench:alloc: ${variant.id} measured\n`);
}
const report = formatReport(results);
mkdirSync(resultsDir, { recursive: true });
const out = join(resultsDir, smoke ? "alloc-smoke.json" : values.variants === undefined ? "alloc.json" : "alloc-custom.json");
const command = `npm run bench:alloc${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
writeFileSync(out, `${JSON.stringify({ command, startedAt, machine: endLoad(machine), results }, null, 2)}\n`);
writeFileSync(out.replace(/\.json$/, ".md"), `${report}\n\nResults: ${out}\n`);
console.log(`${report}\n\nResults: ${out}`);

/** One run of a variant's process; what it printed. */
async function measure(variant: Variant): Promise<AllocWindow[]> {
  const preload = variant.instrumentGrpc ? ["--import", pathToFileURL(join(benchDir, "runtime", "instrument-grpc.ts")).href] : [];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", ...preload, join(benchDir, "runtime", "alloc-main.ts"), variant.id, ...(smoke ? ["smoke"] : [])],
    { cwd: repoRoot, env: { ...process.env, TSX_TSCONFIG_PATH: benchTsconfig }, timeout: 10 * 60_000, maxBuffer: 1 << 20 },
  );
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as AllocWindow[];
}

function formatReport(all: readonly VariantAlloc[]): string {
  const bytesOf = (id: VariantId, workload: WorkloadName, field: "bytes" | "ownBytes" = "bytes"): number =>
    median(all.find((a) => a.variant === id)?.runs.map((r) => r.find((w) => w.workload === workload)?.[field] ?? Number.NaN) ?? []);
  const sections = [
    `# protoc-gen-ts-otel bench:alloc, ${startedAt}`,
    `Machine: ${formatMachine(endLoad(machine))}`,
    `Bytes allocated on the JavaScript heap per unary call (8 in flight) and per streamed message, client and server in one process, ` +
      `V8's sampling heap profiler (a sample per 256 bytes on average, collected objects included), ${runs} run${runs === 1 ? "" : "s"} of each variant in a fresh process` +
      `${smoke ? " (smoke: its figures mean nothing)" : ""}. Each cell: the median of the runs; runs = the lowest and highest run; ` +
      "own = allocated by the stack's own code (the runtime's, or the bench's hooks and handlers); added = the median less bare grpc-js's; ÷ floor = added ÷ the added bytes of the hand-written floor emitting the same telemetry.",
  ];
  for (const workload of workloadNames) {
    const bare = bytesOf("bare", workload);
    const rows = all.map(({ variant, label, runs: rs }) => {
      const value = bytesOf(variant, workload);
      const perRun = rs.map((r) => r.find((w) => w.workload === workload)?.bytes ?? Number.NaN);
      const floor = floors[variant];
      return [
        label,
        num(value),
        `${num(Math.min(...perRun))}–${num(Math.max(...perRun))}`,
        num(bytesOf(variant, workload, "ownBytes")),
        variant === "bare" ? "" : num(value - bare),
        floor === undefined || floor === variant ? "" : `${num((value - bare) / (bytesOf(floor, workload) - bare), 2)} (${floor.replace("floor-", "")})`,
      ];
    });
    sections.push(`${workload}, bytes per ${workload === "unary" ? "call" : "message"}:\n\n${formatTable(["variant", "bytes", "runs", "own", "added", "÷ floor"], rows)}`);
  }
  return sections.join("\n\n");
}
