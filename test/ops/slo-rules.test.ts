// The Prometheus rules the plugin generates from SLOs declared in the proto (slo=true):
// promtool accepts every generated rule file, the project's promtool unit tests of the
// golden case pass and cover every alert both firing and quiet, the thresholds are the
// SRE workbook's factors times each method's own budget, and the checks fail when the
// rules or the objectives change under them.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { repoRoot } from "../support/paths.js";
import { promtool, PROMTOOL_BOUNDS } from "./support/promtool.js";
import { readRuleTests, readRules } from "./support/rule-files.js";

const GOLDEN_RULES = join(repoRoot, "golden/slo/slo/v1/checkout_slo.rules.yml");
const TESTS_DIR = join(repoRoot, "test/ops/slo-rules");
const rules = readRules(GOLDEN_RULES);
const alerts = rules.filter((r) => r.kind === "alert");

const BURN_ALERTS = ["GrpcServerErrorBudgetFastBurn", "GrpcServerErrorBudgetSlowBurn", "GrpcServerLatencyBudgetFastBurn", "GrpcServerLatencyBudgetSlowBurn"];

/** Every generated rule file under golden/. */
function generatedRuleFiles(): string[] {
  return readdirSync(join(repoRoot, "golden"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith("_slo.rules.yml"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const workDir = mkdtempSync(join(tmpdir(), "slo-rules-"));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe("promtool check rules", PROMTOOL_BOUNDS, () => {
  it("accepts every generated rule file, duplicate-rule lint included", () => {
    const files = generatedRuleFiles();
    expect(files.map((f) => relative(repoRoot, f))).toEqual(["golden/slo/slo/v1/checkout_slo.rules.yml"]);
    const run = promtool(["check", "rules", "--lint-fatal", ...files]);
    expect(run.output).toContain(`SUCCESS: ${String(rules.length)} rules found`);
    expect(run.status, run.output).toBe(0);
  });

  it("would catch two methods' rules with the same labels (the static method labels keep them apart)", () => {
    const content = parse(readFileSync(GOLDEN_RULES, "utf8")) as { groups: { rules: { labels?: Record<string, string> }[] }[] };
    for (const group of content.groups) {
      for (const rule of group.rules) {
        if (rule.labels !== undefined) {
          delete rule.labels["grpc_method"];
        }
      }
    }
    const stripped = join(workDir, "without-method-labels.yml");
    writeFileSync(stripped, stringify(content));
    const run = promtool(["check", "rules", "--lint-fatal", stripped]);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("duplicate rule(s) found");
  });
});

describe("the generated alerts", () => {
  it("are the shipped rules' names, each labelled with the method, severity and slo, and annotated with the objective", () => {
    expect([...new Set(alerts.map((a) => a.name))].sort()).toEqual([...BURN_ALERTS, "GrpcServerLatencyBucketMissing"].sort());
    for (const alert of alerts) {
      expect(Object.keys(alert.labels).sort(), alert.name).toEqual(["grpc_method", "grpc_service", "severity", "slo"]);
      expect(alert.annotations["summary"], alert.name).toContain(`${alert.labels["grpc_service"] ?? ""}/${alert.labels["grpc_method"] ?? ""}`);
      expect(alert.annotations["description"], alert.name).toMatch(/\d+(\.\d+)?%/);
    }
    expect(alerts.filter((a) => a.name.includes("Fast")).map((a) => [a.labels["severity"], a.for])).toEqual(
      alerts.filter((a) => a.name.includes("Fast")).map(() => ["page", "1m"]),
    );
    expect(alerts.filter((a) => a.name.includes("Slow")).map((a) => [a.labels["severity"], a.for])).toEqual(
      alerts.filter((a) => a.name.includes("Slow")).map(() => ["ticket", "15m"]),
    );
  });

  it("exist for every method with objectives, and none for the switched-off Ping or the metrics-off Reserve", () => {
    const methods = (name: string): string[] => alerts.filter((a) => a.name === name).map((a) => a.labels["grpc_method"] ?? "");
    expect(methods("GrpcServerErrorBudgetFastBurn")).toEqual(["PlaceOrder", "GetCart", "FindProduct", "Quote", "WatchOrder", "ListStock"]);
    // WatchOrder streams, and its latency objective is for unary calls.
    expect(methods("GrpcServerLatencyBudgetFastBurn")).toEqual(["PlaceOrder", "GetCart", "FindProduct", "Quote", "ListStock"]);
    expect(rules.filter((r) => /"(Ping|Reserve)"/.test(r.expr))).toEqual([]);
  });

  it.each([
    ["PlaceOrder", "GrpcServerErrorBudgetFastBurn", [["1h", "14.4 * 0.001"], ["5m", "14.4 * 0.001"], ["6h", "6 * 0.001"], ["30m", "6 * 0.001"]]],
    ["PlaceOrder", "GrpcServerErrorBudgetSlowBurn", [["1d", "3 * 0.001"], ["2h", "3 * 0.001"], ["3d", "1 * 0.001"], ["6h", "1 * 0.001"]]],
    ["GetCart", "GrpcServerErrorBudgetFastBurn", [["1h", "14.4 * 0.01"], ["5m", "14.4 * 0.01"], ["6h", "6 * 0.01"], ["30m", "6 * 0.01"]]],
    ["Quote", "GrpcServerLatencyBudgetFastBurn", [["1h", "13.44 * 0.01"], ["5m", "13.44 * 0.01"], ["6h", "5.6 * 0.01"], ["30m", "5.6 * 0.01"]]],
    ["Quote", "GrpcServerErrorBudgetSlowBurn", [["1d", "2.8 * 0.001"], ["2h", "2.8 * 0.001"], ["3d", "0.9333 * 0.001"], ["6h", "0.9333 * 0.001"]]],
    ["ListStock", "GrpcServerLatencyBudgetSlowBurn", [["1d", "2.8 * 0.1"], ["2h", "2.8 * 0.1"], ["3d", "0.9333 * 0.1"], ["6h", "0.9333 * 0.1"]]],
  ])("%s %s: the workbook's windows, the factor scaled to the window, times the method's budget", (method, name, pairs) => {
    const alert = alerts.find((a) => a.name === name && a.labels["grpc_method"] === method);
    const conditions = [...(alert?.expr ?? "").matchAll(/ratio_rate(\w+)\{[^}]*\} > ([\d.]+ \* [\d.]+)/g)].map((m) => [m[1], m[2]]);
    expect(conditions).toEqual(pairs);
  });

  it("count Go's and the canonical spelling of each error code, and only the method's codes", () => {
    const ratio = (method: string): string => rules.find((r) => r.name === "grpc_server_slo:errors_per_call:ratio_rate5m" && r.labels["grpc_method"] === method)?.expr ?? "";
    const codes = (method: string): string[] | undefined => /grpc_code=~"([^"]+)"/.exec(ratio(method))?.[1]?.split("|");
    expect(codes("PlaceOrder")).toEqual([
      ...["Unknown", "DeadlineExceeded", "Unimplemented", "Internal", "Unavailable", "DataLoss"],
      ...["UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS"],
    ]);
    expect(codes("Quote")).toEqual(["Unknown", "ResourceExhausted", "Internal", "Unavailable", "UNKNOWN", "RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE"]);
  });

  it("read the bucket of each method's threshold; an integral one in both its spellings", () => {
    const slow = (method: string): string => rules.find((r) => r.name === "grpc_server_slo:slow_calls_per_call:ratio_rate5m" && r.labels["grpc_method"] === method)?.expr ?? "";
    expect(slow("PlaceOrder")).toContain('le="0.25"');
    expect(slow("Quote")).toContain('le="0.1"');
    expect(slow("ListStock")).toContain('le=~"1(\\\\.0)?"');
  });
});

describe("promtool test rules on the generated rules", PROMTOOL_BOUNDS, () => {
  const files = readdirSync(TESTS_DIR).filter((f) => f.endsWith(".yml")).sort();

  it("passes every unit test file", () => {
    expect(files).toEqual(["availability.yml", "latency.yml"]);
    const run = promtool(["test", "rules", ...files], TESTS_DIR);
    expect(run.output).not.toContain("FAILED");
    expect(run.output.match(/SUCCESS/g)).toHaveLength(files.length);
    expect(run.status, run.output).toBe(0);
  });

  it("covers every generated alert, each firing at one evaluation time and quiet at another", () => {
    const tests = files.flatMap((f) => readRuleTests(f, TESTS_DIR).alertTests);
    for (const name of new Set(alerts.map((a) => a.name))) {
      const ofAlert = tests.filter((t) => t.alertname === name);
      expect(ofAlert.some((t) => t.expectedAlerts > 0), `${name} fires in a test`).toBe(true);
      expect(ofAlert.some((t) => t.expectedAlerts === 0), `${name} stays quiet in a test`).toBe(true);
    }
  });

  it("fails when a method's objective changes under the tests", () => {
    // GetCart's 99% becomes 99.9%: its 5% errors then page, which the tests say they do not.
    const loosened = readFileSync(GOLDEN_RULES, "utf8").replace(
      /(grpc_method="GetCart"\} > [\d.]+ \* )0\.01\b/g,
      "$10.001",
    );
    expect(loosened).not.toBe(readFileSync(GOLDEN_RULES, "utf8"));
    const rulesCopy = join(workDir, "checkout_slo.rules.yml");
    writeFileSync(rulesCopy, loosened);
    const testCopy = join(workDir, "availability.yml");
    const content = parse(readFileSync(join(TESTS_DIR, "availability.yml"), "utf8")) as Record<string, unknown>;
    writeFileSync(testCopy, stringify({ ...content, rule_files: [rulesCopy] }));
    const run = promtool(["test", "rules", testCopy]);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/alertname: GrpcServerErrorBudgetFastBurn[\s\S]*grpc_method="GetCart"/);
  });
});
