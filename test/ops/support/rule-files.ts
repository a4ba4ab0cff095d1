// The shipped Prometheus rule files and their promtool unit tests, read with the yaml
// package into the fields the tests check.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../support/paths.js";

export const RULES_DIR = join(repoRoot, "observability", "prometheus");
export const RECORDING_RULES = join(RULES_DIR, "grpc-recording-rules.yml");
export const ALERT_RULES = join(RULES_DIR, "grpc-alert-rules.yml");
export const RULE_TESTS_DIR = join(RULES_DIR, "tests");

export interface Rule {
  readonly group: string;
  /** The recorded series or the alert's name. */
  readonly name: string;
  readonly kind: "record" | "alert";
  readonly expr: string;
  readonly for: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AlertRuleTest {
  readonly alertname: string;
  readonly evalTime: string;
  readonly expectedAlerts: number;
}

export interface RuleTestFile {
  readonly file: string;
  readonly ruleFiles: readonly string[];
  readonly alertTests: readonly AlertRuleTest[];
  /** The expressions of the promql_expr_test entries. */
  readonly exprTests: readonly string[];
}

type Json = Record<string, unknown>;

export function readRules(path: string): Rule[] {
  const groups = list(mapping(parse(readFileSync(path, "utf8")), path)["groups"], `${path}: groups`);
  return groups.flatMap((g, i) => {
    const group = mapping(g, `${path}: group ${i}`);
    const groupName = string(group["name"], `${path}: group ${i} name`);
    return list(group["rules"], `${path}: ${groupName}: rules`).map((r, j) => {
      const at = `${path}: ${groupName}: rule ${j}`;
      const rule = mapping(r, at);
      const recorded = rule["record"];
      return {
        group: groupName,
        name: string(recorded ?? rule["alert"], `${at}: record or alert`),
        kind: recorded === undefined ? "alert" : "record",
        expr: string(rule["expr"], `${at}: expr`),
        for: rule["for"] === undefined ? undefined : string(rule["for"], `${at}: for`),
        labels: strings(rule["labels"] ?? {}, `${at}: labels`),
        annotations: strings(rule["annotations"] ?? {}, `${at}: annotations`),
      } satisfies Rule;
    });
  });
}

/** The unit test files, sorted by name. */
export function ruleTestFiles(): string[] {
  return readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith(".yml"))
    .sort();
}

/** A unit test file of `dir`: the shipped rules' tests unless another directory is given. */
export function readRuleTests(file: string, dir: string = RULE_TESTS_DIR): RuleTestFile {
  const path = join(dir, file);
  const root = mapping(parse(readFileSync(path, "utf8")), path);
  const tests = list(root["tests"], `${path}: tests`).map((t, i) => mapping(t, `${path}: test ${i}`));
  return {
    file,
    ruleFiles: list(root["rule_files"], `${path}: rule_files`).map((f, i) => string(f, `${path}: rule_files[${i}]`)),
    alertTests: tests.flatMap((test, i) =>
      list(test["alert_rule_test"] ?? [], `${path}: test ${i} alert_rule_test`).map((a, j) => {
        const at = `${path}: test ${i} alert_rule_test ${j}`;
        const entry = mapping(a, at);
        return {
          alertname: string(entry["alertname"], `${at}: alertname`),
          evalTime: string(entry["eval_time"], `${at}: eval_time`),
          expectedAlerts: list(entry["exp_alerts"] ?? [], `${at}: exp_alerts`).length,
        };
      }),
    ),
    exprTests: tests.flatMap((test, i) =>
      list(test["promql_expr_test"] ?? [], `${path}: test ${i} promql_expr_test`).map((e, j) =>
        string(mapping(e, `${path}: test ${i} promql_expr_test ${j}`)["expr"], `${path}: test ${i} promql_expr_test ${j}: expr`),
      ),
    ),
  };
}

function mapping(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${at}: expected a mapping`);
  }
  return value as Json;
}

function list(value: unknown, at: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${at}: expected a sequence`);
  }
  return value as readonly unknown[];
}

function string(value: unknown, at: string): string {
  if (typeof value !== "string") {
    throw new Error(`${at}: expected a string`);
  }
  return value;
}

function strings(value: unknown, at: string): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping(value, at)).map(([k, v]) => [k, string(v, `${at}.${k}`)]));
}
