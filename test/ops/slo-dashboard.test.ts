// The Grafana dashboard the plugin generates from SLOs declared in the proto
// (slo=true): the conventions of observability/grafana, a row per method with
// objectives and four panels per objective, queries of only the series the generated
// rules record, the job variable on every recorded per-job series, and every query
// valid PromQL once the variables are set (promtool parses them).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { repoRoot } from "../support/paths.js";
import { dashboardQueries } from "./support/dashboard-queries.js";
import { readDashboard } from "./support/grafana-dashboard.js";
import { metricNames, selectorMatchers } from "./support/promql.js";
import { promtool } from "./support/promtool.js";
import { readRules } from "./support/rule-files.js";

const DASHBOARD = join(repoRoot, "golden/slo/slo/v1/checkout_slo.dashboard.json");
const RULES = join(repoRoot, "golden/slo/slo/v1/checkout_slo.rules.yml");
const dashboard = readDashboard(DASHBOARD);
const recorded = new Set(readRules(RULES).filter((r) => r.kind === "record").map((r) => r.name));
const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: `${p.row} / ${p.title}`, ...t })));

const workDir = mkdtempSync(join(tmpdir(), "slo-dashboard-"));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe("the generated SLO dashboard", () => {
  it("is a dashboard for Grafana 9 and later, on a Prometheus data source variable, with a stable uid", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^tsotel-slo-[0-9a-f]{16}$/);
    expect(dashboard.title).toBe("SLOs: slo/v1/checkout.proto");
    expect(dashboard.variables.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(dashboard.variables.find((v) => v.name === "job")).toMatchObject({
      type: "query",
      datasourceUid: "${datasource}",
      multi: true,
      includeAll: true,
      allValue: ".*",
    });
    for (const panel of dashboard.panels) {
      expect(panel.datasourceUid, panel.title).toBe("${datasource}");
    }
  });

  it("has a row per method with objectives, and per objective its objective, budget, burn rate and SLI", () => {
    const rows: Record<string, string[]> = {};
    for (const panel of dashboard.panels) {
      (rows[panel.row] ??= []).push(panel.title);
    }
    const availability = ["Availability objective", "Availability budget left (30d)", "Availability burn rate", "Calls without an error (SLI)"];
    const latency = ["Latency objective", "Latency budget left (30d)", "Latency burn rate", "Calls within 250 ms (SLI)"];
    expect(rows).toEqual({
      "slo.v1.CheckoutService/PlaceOrder": [...availability, ...latency],
      "slo.v1.CheckoutService/GetCart": [...availability, ...latency],
      "slo.v1.CheckoutService/FindProduct": [...availability, ...latency],
      "slo.v1.CheckoutService/Quote": [
        ...availability.map((t) => t.replace("30d", "28d")),
        ...["Latency objective", "Latency budget left (28d)", "Latency burn rate", "Calls within 100 ms (SLI)"],
      ],
      "slo.v1.CheckoutService/WatchOrder": availability,
      "slo.v1.InventoryService/ListStock": [
        ...availability.map((t) => t.replace("30d", "4w")),
        ...["Latency objective", "Latency budget left (4w)", "Latency burn rate", "Calls within 1 s (SLI)"],
      ],
    });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("reads only series the generated rules record", () => {
    for (const target of targets) {
      const names = metricNames(target.expr);
      expect(names.length, target.panel).toBeGreaterThan(0);
      for (const name of names) {
        expect(recorded, `${target.panel}: ${name}`).toContain(name);
      }
    }
  });

  it("selects each row's method, and the chosen jobs on every per-job series", () => {
    for (const target of targets) {
      const [service, method] = target.panel.split(" / ")[0]?.split("/") ?? [];
      for (const matchers of selectorMatchers(target.expr)) {
        expect(matchers, target.panel).toContain(`grpc_service="${service ?? ""}", grpc_method="${method ?? ""}"`);
        // The objectives are constants without a job.
        if (!target.expr.startsWith("grpc_server_slo:objective:ratio")) {
          expect(matchers, target.panel).toContain('job=~"$job"');
        }
      }
    }
  });

  it("divides the burn rates by the method's own budget, with the alert thresholds as lines", () => {
    const burn = dashboard.panels.filter((p) => p.title.endsWith("burn rate"));
    const quote = burn.find((p) => p.row === "slo.v1.CheckoutService/Quote" && p.title === "Latency burn rate");
    expect(quote?.targets.map((t) => t.expr.replace(/\{.*\}/, "{…}"))).toEqual([
      "grpc_server_slo:slow_calls_per_call:ratio_rate1h{…} / 0.01",
      "grpc_server_slo:slow_calls_per_call:ratio_rate6h{…} / 0.01",
      "grpc_server_slo:slow_calls_per_call:ratio_rate1d{…} / 0.01",
      "grpc_server_slo:slow_calls_per_call:ratio_rate3d{…} / 0.01",
    ]);
    const getCart = burn.find((p) => p.row === "slo.v1.CheckoutService/GetCart" && p.title === "Availability burn rate");
    expect(getCart?.targets[0]?.expr).toMatch(/\/ 0\.01$/);
  });

  it("has only queries promtool parses, with the variables set to All", () => {
    const queries = dashboardQueries(DASHBOARD);
    expect(queries).toHaveLength(targets.length);
    const rules = join(workDir, "slo-dashboard-queries.yml");
    writeFileSync(rules, stringify({ groups: [{ name: dashboard.uid, rules: queries.map((q, i) => ({ record: `dashboard:query_${String(i)}`, expr: q.expr })) }] }));
    const run = promtool(["check", "rules", rules]);
    expect(run.output).toContain(`SUCCESS: ${String(queries.length)} rules found`);
    expect(run.status, run.output).toBe(0);
  });
});
