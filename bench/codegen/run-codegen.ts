// The codegen benchmark: each plugin on the same requests, runs interleaved, medians.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "../stats.js";
import { ensureVendorInstalled, plugins } from "./plugins.js";
import type { PluginId } from "./plugins.js";
import { buildRequest } from "./requests.js";
import type { CodegenCorpus, CorpusName } from "./requests.js";
import { runPlugin } from "./run-plugin.js";
import type { PluginRun } from "./run-plugin.js";

/** How often, and how long at most, one plugin runs on one corpus; 0 runs skips it. */
export interface PluginBudget {
  readonly runs: number;
  readonly timeoutMs: number;
}

export interface CorpusPlan {
  readonly corpus: CorpusName;
  /** Only the first files of the corpus (the smoke run). */
  readonly limit?: number | undefined;
  readonly budgets: Readonly<Record<PluginId, PluginBudget>>;
}

export interface PluginSummary {
  readonly id: PluginId;
  readonly label: string;
  readonly runs: readonly PluginRun[];
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  readonly files: number;
  /** Every run hit the time limit: the plugin takes at least `wallMs`. */
  readonly timedOut: boolean;
  readonly error?: string | undefined;
}

export interface CorpusResult {
  readonly corpus: CodegenCorpus;
  readonly plugins: readonly PluginSummary[];
}

export interface CodegenResult {
  readonly seconds: number;
  readonly corpora: readonly CorpusResult[];
}

export async function runCodegen(plan: readonly CorpusPlan[], log: (line: string) => void): Promise<CodegenResult> {
  const started = performance.now();
  ensureVendorInstalled(log);
  const dir = mkdtempSync(join(tmpdir(), "ts-otel-bench-requests-"));
  try {
    const corpora: CorpusResult[] = [];
    for (const entry of plan) {
      const corpus = buildRequest(entry.corpus, dir, entry.limit);
      log(`codegen ${corpus.label}: ${corpus.files} files, ${corpus.services} services, request ${(corpus.requestBytes / 2 ** 20).toFixed(1)} MiB`);
      corpora.push({ corpus, plugins: await runCorpus(corpus, entry, log) });
    }
    return { seconds: (performance.now() - started) / 1000, corpora };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runCorpus(corpus: CodegenCorpus, plan: CorpusPlan, log: (line: string) => void): Promise<PluginSummary[]> {
  const chosen = plugins.filter((p) => plan.budgets[p.id].runs > 0);
  const runs = new Map<PluginId, PluginRun[]>(chosen.map((p) => [p.id, []]));
  const errors = new Map<PluginId, string>();
  const rounds = Math.max(...chosen.map((p) => plan.budgets[p.id].runs));
  // Interleaved, so that a slow spell of a shared machine hits every plugin alike.
  for (let round = 0; round < rounds; round++) {
    for (const plugin of chosen) {
      const budget = plan.budgets[plugin.id];
      if (round >= budget.runs || errors.has(plugin.id)) {
        continue;
      }
      try {
        const run = await runPlugin(plugin, corpus.requestPath, budget.timeoutMs);
        runs.get(plugin.id)?.push(run);
        log(`  ${plugin.id} run ${round + 1}/${budget.runs}: ${run.timedOut ? `cut at ${run.wallMs / 1000} s` : `${(run.wallMs / 1000).toFixed(2)} s, ${run.maxRssMiB.toFixed(0)} MiB`}`);
      } catch (err) {
        errors.set(plugin.id, err instanceof Error ? err.message : String(err));
        log(`  ${plugin.id} FAILED: ${errors.get(plugin.id)}`);
      }
    }
  }
  return chosen.map((plugin) => {
    const all = runs.get(plugin.id) ?? [];
    const finished = all.filter((r) => !r.timedOut);
    const counted = finished.length > 0 ? finished : all;
    return {
      id: plugin.id,
      label: plugin.label,
      runs: all,
      wallMs: median(counted.map((r) => r.wallMs)),
      cpuMs: median(finished.map((r) => r.cpuMs)),
      maxRssMiB: median(finished.map((r) => r.maxRssMiB)),
      files: finished[0]?.files ?? 0,
      timedOut: all.length > 0 && finished.length === 0,
      error: errors.get(plugin.id),
    };
  });
}
