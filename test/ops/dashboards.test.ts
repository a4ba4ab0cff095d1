// The shipped Grafana dashboards (observability/grafana): their shape, their variables,
// a query in every panel, only contract metric names, the variables applied to every
// selector, and every query valid PromQL once the variables are set to All (promtool
// parses them). dashboardQueries(), which a live end-to-end test will use, is checked too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { repoRoot } from "../support/paths.js";
import { QUERY_INTERVAL, dashboardQueries } from "./support/dashboard-queries.js";
import { readDashboard } from "./support/grafana-dashboard.js";
import { metricNames, selectorMatchers } from "./support/promql.js";
import { promtool } from "./support/promtool.js";
import { QUERYABLE_METRICS } from "./support/telemetry-names.js";

const PROMETHEUS = "observability/grafana/grpc-prometheus.json";
const OTEL = "observability/grafana/grpc-otel.json";

interface Expectation {
  readonly file: string;
  /** The matchers every selector of every query carries. */
  readonly filters: readonly string[];
  /** The metrics the variables' label_values() queries list from. */
  readonly variableMetrics: readonly string[];
  /** Panel titles per row. */
  readonly rows: Readonly<Record<string, readonly string[]>>;
  /** The histogram the latency panels read, per row. */
  readonly latency: Readonly<Record<string, string>>;
}

const DASHBOARDS: readonly Expectation[] = [
  {
    file: PROMETHEUS,
    filters: ['job=~"$job"', 'grpc_service=~"$service"', 'grpc_method=~"$method"'],
    variableMetrics: ["grpc_server_started_total", "grpc_client_started_total"],
    rows: {
      Server: [
        "Calls started /s",
        "Calls handled /s by code",
        "Error ratio",
        "Error ratio by code",
        "Latency p50 / p95 / p99",
        "Unary calls slower than 250 ms",
        "Calls in flight",
        "Messages /s",
      ],
      Client: [
        "Calls started /s",
        "Calls handled /s by code",
        "Error ratio",
        "Error ratio by code",
        "Latency p50 / p95 / p99",
        "Calls in flight",
        "Messages /s",
      ],
    },
    latency: { Server: "grpc_server_handling_seconds_bucket", Client: "grpc_client_handling_seconds_bucket" },
  },
  {
    file: OTEL,
    filters: ['job=~"$job"', 'rpc_method=~"($service)/.*"', 'rpc_method=~"$method"'],
    variableMetrics: ["rpc_server_call_duration_seconds_count", "rpc_client_call_duration_seconds_count"],
    rows: Object.fromEntries(
      ["Server (rpc.server.call.duration)", "Client (rpc.client.call.duration)"].map((row) => [
        row,
        ["Calls /s", "Calls /s by status code", "Error ratio", "Error ratio by status code", "Latency p50 / p95 / p99", "Calls slower than 250 ms"],
      ]),
    ),
    latency: {
      "Server (rpc.server.call.duration)": "rpc_server_call_duration_seconds_bucket",
      "Client (rpc.client.call.duration)": "rpc_client_call_duration_seconds_bucket",
    },
  },
];

const workDir = mkdtempSync(join(tmpdir(), "ops-dashboards-"));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe.each(DASHBOARDS)("$file", (expected) => {
  const dashboard = readDashboard(expected.file);
  const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: `${p.row} / ${p.title}`, ...t })));

  it("is a dashboard for Grafana 9 and later, on a Prometheus data source variable", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const datasource = dashboard.variables.find((v) => v.name === "datasource");
    expect(datasource).toMatchObject({ type: "datasource", query: "prometheus" });
    for (const panel of dashboard.panels) {
      expect(panel.datasourceUid, panel.title).toBe("${datasource}");
    }
    for (const target of targets) {
      expect(target.datasourceUid, target.panel).toBe("${datasource}");
    }
  });

  it("has job, service and method variables with multi-select and All = .*", () => {
    for (const name of ["job", "service", "method"]) {
      const variable = dashboard.variables.find((v) => v.name === name);
      expect(variable, name).toMatchObject({ type: "query", datasourceUid: "${datasource}", multi: true, includeAll: true, allValue: ".*" });
      const listed = /__name__=~"([^"]+)"/.exec(variable?.query ?? "")?.[1]?.split("|");
      expect(listed, `${name} lists from`).toEqual(expected.variableMetrics);
    }
    // Each variable narrows the next.
    const query = (name: string): string => dashboard.variables.find((v) => v.name === name)?.query ?? "";
    expect(query("service")).toContain('job=~"$job"');
    expect(query("method")).toContain('job=~"$job"');
    expect(query("method")).toContain("$service");
  });

  it("has the panels of every row, each with a query, with unique ids", () => {
    const rows: Record<string, string[]> = {};
    for (const panel of dashboard.panels) {
      (rows[panel.row] ??= []).push(panel.title);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.expr.trim(), `${panel.title} ${target.refId}`).not.toBe("");
      }
    }
    expect(rows).toEqual(expected.rows);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("queries only metric names of the telemetry contract", () => {
    for (const target of targets) {
      const names = metricNames(target.expr);
      expect(names.length, target.panel).toBeGreaterThan(0);
      for (const name of names) {
        expect(QUERYABLE_METRICS, `${target.panel}: ${name}`).toContain(name);
      }
    }
  });

  it("applies the job, service and method variables to every selector", () => {
    for (const target of targets) {
      for (const matchers of selectorMatchers(target.expr)) {
        for (const filter of expected.filters) {
          expect(matchers, target.panel).toContain(filter);
        }
      }
    }
  });

  it("shows p50, p95 and p99 from the duration histogram of each side", () => {
    for (const [row, histogram] of Object.entries(expected.latency)) {
      const panel = dashboard.panels.find((p) => p.row === row && p.title === "Latency p50 / p95 / p99");
      const quantiles = (panel?.targets ?? []).map((t) => {
        expect(metricNames(t.expr), `${row} ${t.refId}`).toEqual([histogram]);
        return /histogram_quantile\(([\d.]+),/.exec(t.expr)?.[1];
      });
      expect(quantiles, row).toEqual(["0.5", "0.95", "0.99"]);
    }
  });

  it("has only queries promtool parses, with the variables set to All", () => {
    const queries = dashboardQueries(expected.file);
    expect(queries).toHaveLength(targets.length);
    const rules = join(workDir, `${dashboard.uid}.yml`);
    writeFileSync(rules, stringify({ groups: [{ name: dashboard.uid, rules: queries.map((q, i) => ({ record: `dashboard:query_${String(i)}`, expr: q.expr })) }] }));
    const run = promtool(["check", "rules", rules]);
    expect(run.output).toContain(`SUCCESS: ${String(queries.length)} rules found`);
    expect(run.status, run.output).toBe(0);
  });
});

describe("dashboardQueries", () => {
  it("sets every variable to All and the intervals to 1m", () => {
    const queries = [...dashboardQueries(PROMETHEUS), ...dashboardQueries(join(repoRoot, OTEL))];
    expect(queries.length).toBeGreaterThan(30);
    for (const { panel, expr } of queries) {
      expect(expr, panel).not.toMatch(/\$|\[\[/);
      expect(expr, panel).not.toContain("$__rate_interval");
    }
    expect(queries.filter((q) => q.expr.includes(`[${QUERY_INTERVAL}]`)).length).toBeGreaterThan(20);
    expect(queries).toContainEqual({
      panel: "Server / Calls started /s (A)",
      expr: 'sum by (grpc_service, grpc_method) (rate(grpc_server_started_total{job=~".*", grpc_service=~".*", grpc_method=~".*"}[1m]))',
    });
  });

  it("refuses a variable the dashboard does not define", () => {
    const original = JSON.parse(readFileSync(join(repoRoot, PROMETHEUS), "utf8")) as { panels: { targets?: { expr: string }[] }[] };
    const target = original.panels.find((p) => p.targets !== undefined)?.targets?.[0];
    if (target === undefined) {
      throw new Error("no target");
    }
    target.expr = 'sum(rate(grpc_server_started_total{cluster=~"$cluster"}[$__rate_interval]))';
    const file = join(workDir, "unknown-variable.json");
    writeFileSync(file, JSON.stringify(original));
    expect(() => dashboardQueries(file)).toThrow(/\$cluster is not a variable of the dashboard/);
  });
});

describe("the dashboard checks can fail", () => {
  it("metricNames finds a name outside the contract, and skips functions, keywords, labels and strings", () => {
    const expr =
      'histogram_quantile(0.99, sum by (grpc_type, le) (rate(grpc_server_handling_seconds_bucket{le="0.25", job=~"a|b"}[5m]))) > bool 1e3 and on (job) grpc_server_bogus_total offset 5m';
    expect(metricNames(expr)).toEqual(["grpc_server_bogus_total", "grpc_server_handling_seconds_bucket"]);
    expect(QUERYABLE_METRICS).not.toContain("grpc_server_bogus_total");
  });

  it("selectorMatchers sees a selector without the variables", () => {
    expect(selectorMatchers('sum(rate(grpc_server_started_total{job=~"$job"}[1m])) / sum(grpc_server_handled_total{grpc_code="}"})')).toEqual([
      'job=~"$job"',
      'grpc_code="}"',
    ]);
  });

  it("promtool rejects a query that does not parse", () => {
    const rules = join(workDir, "broken-query.yml");
    writeFileSync(rules, stringify({ groups: [{ name: "q", rules: [{ record: "dashboard:query_0", expr: "sum by (grpc_code (rate(grpc_server_handled_total[1m]))" }] }] }));
    const run = promtool(["check", "rules", rules]);
    expect(run.status).not.toBe(0);
  });
});
