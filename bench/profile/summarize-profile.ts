// Summarizes V8 CPU profiles (`node --cpu-prof`): self time by area (our runtime,
// grpc-js, OpenTelemetry, …) and the functions with the most self time, with dist
// paths mapped back to the sources they were built from.
//
//   tsx bench/profile/summarize-profile.ts [--top N] [--skip-s S] <file.cpuprofile or directory>...
//
// --skip-s leaves out the first S seconds of each profile: start-up and warm-up.
//
// A directory stands for the main-thread profile of each process under it: the bench
// gives each process a directory, where tsx's loader thread writes a profile too.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../paths.js";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly area: string;
  readonly ms: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly areas: readonly SelfTime[];
  readonly functions: readonly SelfTime[];
}

const root = pathToFileURL(repoRoot).href;

/** Where a frame's code comes from, and its location in the sources (dist mapped to src). */
function locate(frame: CallFrame): { area: string; where: string } {
  const url = frame.url;
  if (url === "") {
    return { area: frame.functionName.startsWith("(") ? frame.functionName : "(native)", where: "" };
  }
  if (url.startsWith("node:internal/modules/") || url.includes("/node_modules/tsx/")) {
    // Loading modules: start-up, not calls.
    return { area: "module loading", where: url };
  }
  if (url.startsWith("node:")) {
    return { area: "node internals", where: url };
  }
  const path = url.startsWith(root) ? url.slice(root.length) : url;
  // The runtime's build (ESM or CommonJS), named by the source file it was built from.
  const runtime = /^packages\/runtime\/dist\/(?:esm|cjs)\/(.+)\.js$/.exec(path);
  if (runtime !== null) {
    const source = runtime[1] ?? "";
    return { area: `ours: ${source.includes("/") ? source.slice(0, source.indexOf("/")) : "(top level)"}`, where: `packages/runtime/src/${source}.ts` };
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (pkg !== null) {
    return { area: pkg[1] ?? "", where: `${pkg[1] ?? ""}/${pkg[2] ?? ""}` };
  }
  return { area: path.startsWith("bench/") || path.startsWith("golden/") ? "bench and generated code" : "other", where: path };
}

export function summarize(file: string, skipSeconds = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, SelfTime>();
  const area = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalMs = 0;
  let elapsedMs = 0;
  samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (deltas[i] ?? 0) / 1000;
    elapsedMs += ms;
    if (node === undefined || elapsedMs < skipSeconds * 1000) return;
    totalMs += ms;
    const { area: a, where } = locate(node.callFrame);
    const name = `${node.callFrame.functionName || "(anonymous)"}${where === "" ? "" : ` ${where}:${node.callFrame.lineNumber + 1}`}`;
    fn.set(name, { name, area: a, ms: (fn.get(name)?.ms ?? 0) + ms });
    area.set(a, (area.get(a) ?? 0) + ms);
  });
  return {
    file,
    totalMs,
    areas: [...area].map(([name, ms]) => ({ name, area: name, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...fn.values()].sort((a, b) => b.ms - a.ms),
  };
}

// Time spent waiting, and time spent starting up, are not what a call costs.
const aside = new Set(["(idle)", "module loading"]);
const working = (s: SelfTime): boolean => !aside.has(s.area);

/**
 * The summary as text: areas, the top functions, and the top functions of our own
 * code, in percent of the time the process worked (neither idle nor loading modules).
 */
export function formatSummary(summary: ProfileSummary, top: number): string {
  const ms = (area: string): number => summary.areas.find((a) => a.name === area)?.ms ?? 0;
  const work = summary.totalMs - ms("(idle)") - ms("module loading");
  const pct = (t: number): string => `${((100 * t) / work).toFixed(1).padStart(5)}%`;
  const s = (t: number): string => `${(t / 1000).toFixed(2)} s`;
  const lines = [
    `${relative(process.cwd(), summary.file)}: ${s(summary.totalMs)} sampled: ${s(ms("(idle)"))} idle, ${s(ms("module loading"))} loading modules, ${s(work)} working (= 100%)`,
  ];
  lines.push("  self time by area:");
  for (const a of summary.areas.filter(working).slice(0, 14)) lines.push(`    ${pct(a.ms)}  ${a.name}`);
  lines.push(`  top ${top} functions by self time:`);
  for (const f of summary.functions.filter(working).slice(0, top)) lines.push(`    ${pct(f.ms)}  ${f.name}`);
  const ours = summary.functions.filter((f) => f.area.startsWith("ours"));
  lines.push(`  top ${top} of our code:`);
  for (const f of ours.slice(0, top)) lines.push(`    ${pct(f.ms)}  ${f.name}`);
  return lines.join("\n");
}

/** The profiles `path` stands for: itself, or the busiest profile of each directory under it. */
export function mainProfiles(path: string, skipSeconds = 0): ProfileSummary[] {
  if (!statSync(path).isDirectory()) {
    return [summarize(path, skipSeconds)];
  }
  const byDir = new Map<string, ProfileSummary[]>();
  for (const entry of readdirSync(path, { recursive: true, encoding: "utf8" })) {
    if (entry.endsWith(".cpuprofile")) {
      const summary = summarize(join(path, entry), skipSeconds);
      byDir.set(dirname(entry), [...(byDir.get(dirname(entry)) ?? []), summary]);
    }
  }
  const busy = (s: ProfileSummary): number => s.totalMs - (s.areas.find((a) => a.name === "(idle)")?.ms ?? 0);
  return [...byDir.values()].map((summaries) => summaries.reduce((a, b) => (busy(b) > busy(a) ? b : a)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
  };
  const top = option("--top", 25);
  const skip = option("--skip-s", 0);
  for (const summary of args.flatMap((path) => mainProfiles(path, skip))) {
    console.log(`${formatSummary(summary, top)}\n`);
  }
}
