// The targets of issue 6, next to what this run measured.
import type { CorpusName } from "../codegen/requests.js";
import type { PluginId } from "../codegen/plugins.js";
import type { PluginSummary } from "../codegen/run-codegen.js";
import type { BenchResults } from "../results.js";
import type { VariantId } from "../runtime/variants.js";
import type { WorkloadName } from "../runtime/workloads.js";
import { formatTable, num } from "./format-table.js";

interface TargetRow {
  readonly figure: string;
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
  readonly alternatives: string;
}

export function formatTargets(results: BenchResults): string {
  const smoke = results.mode === "smoke";
  const rows = targetRows(results).map((r) => [
    r.figure,
    r.target,
    r.measured,
    // A smoke run's counts are too small for its figures to mean anything.
    smoke ? "(smoke)" : r.met === undefined ? "not run" : r.met ? "met" : "MISSED",
    r.alternatives,
  ]);
  return formatTable(["figure", "target", "measured", "", "alternatives, measured in this run"], rows);
}

function targetRows(results: BenchResults): TargetRow[] {
  const ratio = (id: VariantId, workload: WorkloadName): number | undefined =>
    results.runtime?.variants.find((v) => v.id === id)?.workloads.find((w) => w.workload === workload)?.ratio;
  const x = (r: number | undefined): string => (r === undefined || Number.isNaN(r) ? "—" : `${num(r, 2)} ×`);
  const atLeast = (r: number | undefined, target: number): boolean | undefined =>
    r === undefined || Number.isNaN(r) ? undefined : r >= target;
  const plugin = (corpus: CorpusName, id: PluginId): PluginSummary | undefined =>
    results.codegen?.corpora.find((c) => c.corpus.name === corpus)?.plugins.find((p) => p.id === id);
  const wall = (p: PluginSummary | undefined): string =>
    p === undefined || p.error !== undefined ? "—" : p.timedOut ? `≥ ${num(p.wallMs / 1000, 0)} s` : `${num(p.wallMs / 1000, 2)} s`;
  const rss = (p: PluginSummary | undefined): string => (p === undefined ? "—" : `${num(p.maxRssMiB)} MiB`);
  const usable = (p: PluginSummary | undefined): p is PluginSummary => p !== undefined && p.error === undefined && !p.timedOut;

  const unaryFull = ratio("ours-full", "unary");
  const unaryProm = ratio("ours-prometheus", "unary");
  const streamFull = ratio("ours-full", "serverStream");
  const small = plugin("small", "ts-otel");
  const smallEs = plugin("small", "es-v2");
  const smallRatio = usable(small) && usable(smallEs) ? small.wallMs / smallEs.wallMs : undefined;
  const cloud = plugin("cloud", "ts-otel");
  const compute = plugin("compute", "ts-otel");
  const heap = results.heap;
  return [
    {
      figure: "unary, full telemetry, always sampled",
      target: "≥ 0.72 × bare",
      measured: x(unaryFull),
      met: atLeast(unaryFull, 0.72),
      alternatives: `instrumentation-grpc (traces only) ${x(ratio("grpc-instrumentation", "unary"))}, nice-grpc + otel + prom ${x(ratio("nice-full", "unary"))}; the SDK alone, no instrumentation ${x(ratio("bare-sdk", "unary"))}`,
    },
    {
      figure: "unary, Prometheus only, no OTel SDK",
      target: "≥ 0.92 × bare",
      measured: x(unaryProm),
      met: atLeast(unaryProm, 0.92),
      alternatives: `nice-grpc without middleware ${x(ratio("nice-plain", "unary"))}`,
    },
    {
      figure: "server stream msgs/s, full telemetry",
      target: "≥ 0.88 × bare",
      measured: x(streamFull),
      met: atLeast(streamFull, 0.88),
      alternatives: `instrumentation-grpc ${x(ratio("grpc-instrumentation", "serverStream"))}, nice-grpc + otel + prom ${x(ratio("nice-full", "serverStream"))}; the SDK alone, no instrumentation ${x(ratio("bare-sdk", "serverStream"))}`,
    },
    {
      figure: "codegen, small request (user.proto), wall",
      target: "≤ 0.5 × protoc-gen-es v2",
      measured: smallRatio === undefined ? "—" : `${wall(small)} = ${x(smallRatio)} protoc-gen-es`,
      met: smallRatio === undefined ? undefined : smallRatio <= 0.5,
      alternatives: `protoc-gen-es v2 ${wall(smallEs)}, connect-es v1 ${wall(plugin("small", "connect-es-v1"))}`,
    },
    {
      figure: `codegen, cloud corpus (${results.codegen?.corpora.find((c) => c.corpus.name === "cloud")?.corpus.services ?? "?"} services)`,
      target: "≤ 1.0 s wall, ≤ 300 MiB",
      measured: `${wall(cloud)} / ${rss(cloud)}`,
      met: usable(cloud) ? cloud.wallMs <= 1000 && cloud.maxRssMiB <= 300 : undefined,
      alternatives: `connect-es v1 ${wall(plugin("cloud", "connect-es-v1"))} / ${rss(plugin("cloud", "connect-es-v1"))}, protoc-gen-es v2 ${wall(plugin("cloud", "es-v2"))} / ${rss(plugin("cloud", "es-v2"))}`,
    },
    {
      figure: "codegen, compute.proto",
      target: "≤ 1.0 s",
      measured: wall(compute),
      met: usable(compute) ? compute.wallMs <= 1000 : undefined,
      alternatives: `connect-es v1 ${wall(plugin("compute", "connect-es-v1"))}, protoc-gen-es v2 ${wall(plugin("compute", "es-v2"))}`,
    },
    {
      figure: `heap across ${heap === undefined ? "1,000,000" : num(heap.calls)} unary calls with full telemetry`,
      target: "flat after warm-up",
      measured: heap === undefined ? "— (npm run bench -- --heap)" : `${heap.growthAfterWarmup >= 0 ? "+" : ""}${num(100 * heap.growthAfterWarmup, 1)} % after warm-up`,
      met: heap?.flat,
      alternatives: "",
    },
  ];
}
