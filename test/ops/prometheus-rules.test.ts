// The shipped Prometheus rules (observability/prometheus): promtool accepts them, their
// promtool unit tests pass and cover every alert, the names, windows, thresholds and
// `for` durations are the ones the docs and the end-to-end test rely on, and both
// checks fail when the rules or the expectations are wrong.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { promtool, PROMTOOL_BOUNDS } from "./support/promtool.js";
import { ALERT_RULES, RECORDING_RULES, RULES_DIR, RULE_TESTS_DIR, readRuleTests, readRules, ruleTestFiles } from "./support/rule-files.js";

const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];
const PER_METHOD = "sum by (job, grpc_type, grpc_service, grpc_method)";

/** The server error set of docs/telemetry.md#span-status, in Go's and the canonical spelling. */
const SERVER_ERROR_CODES = [
  ...["Unknown", "DeadlineExceeded", "Unimplemented", "Internal", "Unavailable", "DataLoss"],
  ...["UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS"],
];

/** The alerts, as observability/README.md lists them and the end-to-end test will look for them. */
const ALERTS: Record<string, { severity: string; for: string }> = {
  GrpcServerErrorBudgetFastBurn: { severity: "page", for: "1m" },
  GrpcServerErrorBudgetSlowBurn: { severity: "ticket", for: "15m" },
  GrpcServerLatencyBudgetFastBurn: { severity: "page", for: "1m" },
  GrpcServerLatencyBudgetSlowBurn: { severity: "ticket", for: "15m" },
  GrpcServerMethodNoTraffic: { severity: "ticket", for: "10m" },
  GrpcSloRecordingRulesMissing: { severity: "ticket", for: "10m" },
  GrpcServerLatencyBucketMissing: { severity: "ticket", for: "1h" },
};

const recording = readRules(RECORDING_RULES);
const alerts = readRules(ALERT_RULES);
const recorded = new Set(recording.map((r) => r.name));
const alert = (name: string): string => {
  const found = alerts.find((a) => a.name === name);
  if (found === undefined) {
    throw new Error(`no alert ${name}`);
  }
  return found.expr;
};

const workDir = mkdtempSync(join(tmpdir(), "ops-rules-"));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe("promtool check rules", PROMTOOL_BOUNDS, () => {
  it("accepts both files: 23 recording rules and 7 alerts", () => {
    const run = promtool(["check", "rules", RECORDING_RULES, ALERT_RULES]);
    expect(run.output).toContain("SUCCESS: 23 rules found");
    expect(run.output).toContain("SUCCESS: 7 rules found");
    expect(run.status, run.output).toBe(0);
    expect(recording.filter((r) => r.kind === "record")).toHaveLength(23);
    expect(alerts.filter((r) => r.kind === "alert")).toHaveLength(7);
  });

  it("fails on a rule whose PromQL does not parse", () => {
    const broken = join(workDir, "broken-rules.yml");
    writeFileSync(
      broken,
      stringify({ groups: [{ name: "broken", rules: [{ alert: "Broken", expr: "sum by (job (rate(grpc_server_handled_total[5m]))" }] }] }),
    );
    const run = promtool(["check", "rules", broken]);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/could not parse expression/);
  });
});

describe("recording rules", () => {
  it("record the objectives, 99.9% availability and 99% of unary calls within 250 ms", () => {
    expect(recording.filter((r) => r.group === "grpc-slo-objectives").map((r) => [r.name, r.expr])).toEqual([
      ["grpc_server:slo_availability_objective:ratio", "vector(0.999)"],
      ["grpc_server:slo_latency_objective:ratio", "vector(0.99)"],
    ]);
  });

  it("record, for every window, the call rate, the server-error ratio and the slow-call ratio per method", () => {
    const expected = WINDOWS.flatMap((w) => [
      `grpc_server_method:handled:rate${w}`,
      `grpc_server_method:slo_errors_per_request:ratio_rate${w}`,
      `grpc_server_method:slo_slow_calls_per_call:ratio_rate${w}`,
    ]);
    expect([...recorded].filter((n) => n.startsWith("grpc_server_method:")).sort()).toEqual(expected.sort());
    for (const rule of recording.filter((r) => r.name.startsWith("grpc_server_method:"))) {
      const window = /(?:rate)(\w+)$/.exec(rule.name)?.[1] ?? "";
      expect(rule.expr, rule.name).toContain(PER_METHOD);
      // Every range in the expression is the rule's own window.
      expect(new Set([...rule.expr.matchAll(/\[(\w+)\]/g)].map((m) => m[1])), rule.name).toEqual(new Set([window]));
    }
  });

  it("count as errors exactly the server error codes, in both spellings", () => {
    for (const rule of recording.filter((r) => r.name.includes(":slo_errors_per_request:"))) {
      const codes = /grpc_code=~"([^"]+)"/.exec(rule.expr)?.[1]?.split("|");
      expect(codes, rule.name).toEqual(SERVER_ERROR_CODES);
    }
  });

  it("measure latency on unary calls from the le=\"0.25\" bucket", () => {
    for (const rule of recording.filter((r) => r.name.includes(":slo_slow_calls_per_call:"))) {
      expect(rule.expr, rule.name).toContain('grpc_server_handling_seconds_bucket{grpc_type="unary", le="0.25"}');
      expect(rule.expr, rule.name).toContain('grpc_server_handling_seconds_count{grpc_type="unary"}');
    }
  });
});

describe("alerts", () => {
  it("are the documented ones, with their severities, `for` durations and annotations", () => {
    expect(Object.fromEntries(alerts.map((a) => [a.name, { severity: a.labels["severity"], for: a.for }]))).toEqual(ALERTS);
    for (const a of alerts) {
      expect(Object.keys(a.annotations).sort(), a.name).toEqual(["description", "summary"]);
    }
  });

  it("read only series the recording rules record", () => {
    for (const a of alerts.filter((r) => r.group !== "grpc-slo-guards")) {
      const used = [...a.expr.matchAll(/\bgrpc_server[a-z_]*:[a-z_]+:[a-z0-9_]+/g)].map((m) => m[0]);
      expect(used.length, a.name).toBeGreaterThan(0);
      for (const name of used) {
        expect(recorded, `${a.name} reads ${name}`).toContain(name);
      }
    }
  });

  it.each([
    ["GrpcServerErrorBudgetFastBurn", "slo_errors_per_request", "availability", [["1h", "14.4"], ["5m", "14.4"], ["6h", "6"], ["30m", "6"]]],
    ["GrpcServerErrorBudgetSlowBurn", "slo_errors_per_request", "availability", [["1d", "3"], ["2h", "3"], ["3d", "1"], ["6h", "1"]]],
    ["GrpcServerLatencyBudgetFastBurn", "slo_slow_calls_per_call", "latency", [["1h", "14.4"], ["5m", "14.4"], ["6h", "6"], ["30m", "6"]]],
    ["GrpcServerLatencyBudgetSlowBurn", "slo_slow_calls_per_call", "latency", [["1d", "3"], ["2h", "3"], ["3d", "1"], ["6h", "1"]]],
  ])("%s burns at the SRE workbook's rates over its window pairs", (name, ratio, slo, pairs) => {
    const condition = new RegExp(
      `grpc_server_method:${ratio}:ratio_rate(\\w+) > ([\\d.]+) \\* \\(1 - scalar\\(grpc_server:slo_${slo}_objective:ratio\\)\\)`,
      "g",
    );
    expect([...alert(name).matchAll(condition)].map((m) => [m[1], m[2]])).toEqual(pairs);
  });
});

describe("promtool test rules", PROMTOOL_BOUNDS, () => {
  const files = ruleTestFiles();

  it("passes every unit test file", () => {
    expect(files).toEqual(["availability.yml", "guards.yml", "latency.yml", "no-traffic.yml"]);
    const run = promtool(["test", "rules", ...files.map((f) => join("tests", f))], RULES_DIR);
    expect(run.output).not.toContain("FAILED");
    expect(run.output.match(/SUCCESS/g)).toHaveLength(files.length);
    expect(run.status, run.output).toBe(0);
  });

  it("covers every alert, each firing at one evaluation time and quiet at another", () => {
    const tests = files.flatMap((f) => readRuleTests(f).alertTests);
    const tested = new Set(tests.map((t) => t.alertname));
    expect([...tested].sort()).toEqual(Object.keys(ALERTS).sort());
    expect(tested.size).toBe(7);
    for (const name of tested) {
      const ofAlert = tests.filter((t) => t.alertname === name);
      expect(ofAlert.some((t) => t.expectedAlerts > 0), `${name} fires in a test`).toBe(true);
      expect(ofAlert.some((t) => t.expectedAlerts === 0), `${name} stays quiet in a test`).toBe(true);
    }
  });

  it("checks the values of the three recorded families", () => {
    const exprs = files.flatMap((f) => readRuleTests(f).exprTests).join("\n");
    for (const family of ["handled:rate", "slo_errors_per_request:ratio_rate", "slo_slow_calls_per_call:ratio_rate"]) {
      expect(exprs).toContain(`grpc_server_method:${family}`);
    }
  });

  it("fails when a test expects the fast-burn page one evaluation early", () => {
    const run = runEditedTest("availability.yml", "a burst pages", (test) => {
      const firing = alertTests(test).find((t) => t["eval_time"] === "370m");
      if (firing === undefined) {
        throw new Error("no evaluation at 370m");
      }
      firing["eval_time"] = "369m";
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("FAILED");
    expect(run.output).toContain("alertname: GrpcServerErrorBudgetFastBurn, time: 6h9m");
  });

  it("fails when the availability objective changes under the tests", () => {
    const rules = join(workDir, "objective-99.yml");
    writeFileSync(rules, readFileSync(RECORDING_RULES, "utf8").replace("vector(0.999)", "vector(0.99)"));
    const run = runEditedTest("availability.yml", "steady error ratios", () => undefined, [rules, ALERT_RULES]);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("alertname: GrpcServerErrorBudgetFastBurn");
  });
});

type YamlMap = Record<string, unknown>;

function alertTests(test: YamlMap): YamlMap[] {
  return test["alert_rule_test"] as YamlMap[];
}

/**
 * Runs one test of a unit test file, edited, from a temporary copy whose rule_files are
 * absolute (the shipped rule files, unless others are given).
 */
function runEditedTest(
  file: string,
  testName: string,
  edit: (test: YamlMap) => void,
  ruleFiles: readonly string[] = [RECORDING_RULES, ALERT_RULES],
): ReturnType<typeof promtool> {
  const content = parse(readFileSync(join(RULE_TESTS_DIR, file), "utf8")) as YamlMap;
  const test = (content["tests"] as YamlMap[]).find((t) => String(t["name"]).startsWith(testName));
  if (test === undefined) {
    throw new Error(`${file}: no test named ${testName}…`);
  }
  edit(test);
  const copy = join(workDir, `edited-${file}`);
  writeFileSync(copy, stringify({ ...content, rule_files: ruleFiles, tests: [test] }));
  return promtool(["test", "rules", copy]);
}
