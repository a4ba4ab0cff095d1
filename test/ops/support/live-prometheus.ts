// A real Prometheus server for an end-to-end test: /usr/bin/prometheus as a child on a
// free 127.0.0.1 port, scraping the given targets and evaluating the given rule files
// every second, and the parts of its HTTP API the tests read.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { pollUntil } from "../../support/poll.js";
import { instantQuery } from "../../support/prometheus-api.js";
import { freePort, startProcess } from "../../support/processes.js";
import type { Started } from "../../support/processes.js";
import { dashboardQueries } from "./dashboard-queries.js";

export const PROMETHEUS = "/usr/bin/prometheus";

export interface ScrapeTarget {
  readonly job: string;
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
}

export interface LivePrometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly process: Started;
}

/**
 * Starts Prometheus with its data in `workDir`, scrape and evaluation interval 1s, and
 * waits until it is ready. `ruleFiles` are loaded as they are, by absolute path;
 * `flags` are added to its command line (`--enable-feature=exemplar-storage`, say).
 */
export async function startPrometheus(
  workDir: string,
  targets: readonly ScrapeTarget[],
  ruleFiles: readonly string[],
  flags: readonly string[] = [],
): Promise<LivePrometheus> {
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    rule_files: ruleFiles,
    scrape_configs: targets.map(({ job, url }) => {
      const { host, pathname } = new URL(url);
      return { job_name: job, metrics_path: pathname, static_configs: [{ targets: [host] }] };
    }),
  };
  const configFile = join(workDir, "prometheus.yml");
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = startProcess(PROMETHEUS, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(workDir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...flags,
  ]);
  await pollUntil(
    () => fetch(`${url}/-/ready`).then((r) => r.ok, () => false),
    (ready) => ready,
    `Prometheus to be ready\n${process.output()}`,
    20_000,
    100,
  );
  return { url, process };
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: "pending" | "firing";
  /** When the alert became pending, in ms since the epoch. */
  readonly activeAt: number;
}

/** `/api/v1/alerts`: every alert that is pending or firing now. */
export async function activeAlerts(baseUrl: string): Promise<ActiveAlert[]> {
  const body = (await (await fetch(new URL("/api/v1/alerts", baseUrl))).json()) as {
    status: string;
    data?: { alerts: { labels: Record<string, string>; state: string; activeAt: string }[] };
  };
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`Prometheus refused /api/v1/alerts: ${JSON.stringify(body)}`);
  }
  return body.data.alerts
    .filter((a) => a.state === "pending" || a.state === "firing")
    .map((a) => ({ labels: a.labels, state: a.state as ActiveAlert["state"], activeAt: Date.parse(a.activeAt) }));
}

export interface LoadedRule {
  readonly group: string;
  readonly name: string;
  /** `ok`, `unknown` (not evaluated yet) or `err`. */
  readonly health: string;
  readonly lastError: string;
}

/** `/api/v1/rules`: every rule Prometheus loaded, with the health of its last evaluation. */
export async function loadedRules(baseUrl: string): Promise<LoadedRule[]> {
  const body = (await (await fetch(new URL("/api/v1/rules", baseUrl))).json()) as {
    status: string;
    data?: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
  };
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`Prometheus refused /api/v1/rules: ${JSON.stringify(body)}`);
  }
  return body.data.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, name: r.name, health: r.health, lastError: r.lastError ?? "" })));
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** A Prometheus duration (`1m`, `1h30m`, `500ms`) in milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|[smhdwy])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  }
  return parts.reduce((sum, [, n = "", unit = ""]) => sum + Number(n) * (DURATION_UNITS[unit] ?? NaN), 0);
}

/**
 * The queries of a dashboard file (as `dashboardQueries` sets its variables) that return
 * no finite value now, each as its panel, what came back and the query.
 */
export async function queriesWithoutData(baseUrl: string, dashboardFile: string): Promise<string[]> {
  const empty: string[] = [];
  for (const { panel, expr } of dashboardQueries(dashboardFile)) {
    const result = await instantQuery(baseUrl, expr);
    if (!result.some((sample) => Number.isFinite(sample.value))) {
      empty.push(`${panel}: ${JSON.stringify(result)}\n  ${expr}`);
    }
  }
  return empty;
}
