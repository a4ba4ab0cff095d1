import type { FileModel, MethodModel, ServiceModel } from "../src/model/file-model.js";
import type { BurnAlert, MethodSloModel } from "../src/model/slo.js";
import { GRPC_CODE_NAMES } from "../packages/runtime/src/telemetry/semconv.js";
import { HANDLED, HANDLING_BUCKET, HANDLING_COUNT, PER_METHOD, SLO_SERIES, codeMatcher, duration, leMatcher, methodMatchers, percent } from "./slo-series.js";

/** One rule of a group, as the YAML lists it. */
interface Rule {
  readonly comment?: string;
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `<file>_slo.rules.yml`: per service a group of Prometheus rules; per method with
 * objectives, the objective, its SLI ratios over every window the alerts read and over
 * the SLO window, the budget left, then the multi-window, multi-burn-rate alerts with
 * thresholds from the method's own objective. Alerts come after the series they read
 * in the same group, so they never see a value one evaluation late.
 */
export function printSloRules(model: FileModel, header: readonly string[]): string {
  const lines: string[] = [...header.map((h) => `# ${h}`.trimEnd())];
  lines.push(
    "#",
    `# Prometheus rules for the service level objectives declared in ${model.file.name}.proto`,
    "# (tsotel.v1 slo options), generated with it: regenerate, do not edit. Load the file",
    "# as it is (rule_files, or spec.groups of a PrometheusRule); it needs no other.",
    "#",
    ...objectivesTable(model).map((line) => `#   ${line}`.trimEnd()),
    "groups:",
  );
  for (const service of model.services) {
    const methods = service.methods.filter((m) => m.slo !== undefined);
    if (methods.length === 0) {
      continue;
    }
    lines.push(`  - name: ${quote(`grpc-slo:${service.typeName}`)}`, "    rules:");
    for (const method of methods) {
      // Every rule names its method in static labels too (the values its expression
      // keeps anyway): rules told apart by their labels alone, as promtool's duplicate
      // check wants, whatever the number of methods in the group.
      const own = { grpc_service: service.typeName, grpc_method: method.name };
      for (const rule of methodRules(service, method, method.slo as MethodSloModel)) {
        lines.push(...printRule({ ...rule, labels: { ...own, ...rule.labels } }));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function objectivesTable(model: FileModel): string[] {
  const rows: [string, string, string][] = [["method", "objective", "window"]];
  for (const service of model.services) {
    for (const m of service.methods) {
      if (m.slo === undefined) continue;
      const objectives = [
        ...(m.slo.availability === undefined ? [] : [`availability ${percent(m.slo.availability.target)}`]),
        ...(m.slo.latency === undefined ? [] : [`latency ${percent(m.slo.latency.target)} within ${duration(m.slo.latency.thresholdSeconds)}`]),
      ];
      objectives.forEach((objective, i) => rows.push([i === 0 ? `${service.typeName}/${m.name}` : "", objective, i === 0 ? m.slo?.window.text ?? "" : ""]));
    }
  }
  const width = (column: 0 | 1): number => Math.max(...rows.map((r) => r[column].length));
  return rows.map((r) => `${r[0].padEnd(width(0))}  ${r[1].padEnd(width(1))}  ${r[2]}`);
}

function methodRules(service: ServiceModel, m: MethodModel, slo: MethodSloModel): Rule[] {
  const name = `${service.typeName}/${m.name}`;
  const matchers = methodMatchers(service.typeName, m.name);
  const rules: Rule[] = [];
  const window = slo.window.text;
  if (slo.availability !== undefined) {
    const { target, budget, errorCodes } = slo.availability;
    const codes = errorCodes.map((c) => GRPC_CODE_NAMES[c]?.canonical ?? String(c)).join(", ");
    rules.push(objective("availability", target, window, `${name}: ${percent(target)} of calls end without ${codes} over ${window} (an error budget of ${percent(budget)}).`));
    for (const w of slo.rateWindows) {
      rules.push({
        record: `${SLO_SERIES.ERRORS}${w}`,
        expr: [
          "(",
          `    ${PER_METHOD} (rate(${HANDLED}{${matchers}, ${codeMatcher(errorCodes)}}[${w}]))`,
          "  or",
          `    0 * ${PER_METHOD} (rate(${HANDLED}{${matchers}}[${w}]))`,
          ")",
          "/",
          `${PER_METHOD} (rate(${HANDLED}{${matchers}}[${w}]))`,
        ].join("\n"),
      });
    }
    rules.push(budgetRemaining(m, service, "availability", SLO_SERIES.ERRORS, window, budget));
    for (const alert of slo.alerts) {
      rules.push(
        burnAlert(alert, `GrpcServerErrorBudget${alert.speed}Burn`, "availability", SLO_SERIES.ERRORS, matchers, budget, {
          summary: `${name} is burning its error budget ${alert.speed === "Fast" ? "fast" : "steadily"}`,
          description: description(alert, slo, `of the calls to ${name} on {{ $labels.job }} ended with ${codes}`, `${percent(target)} of calls without those codes`, budget),
        }),
      );
    }
  }
  if (slo.latency !== undefined) {
    const { target, budget, thresholdSeconds } = slo.latency;
    const within = duration(thresholdSeconds);
    rules.push(objective("latency", target, window, `${name}: ${percent(target)} of ${callsOf(m)} finish within ${within} over ${window} (a budget of ${percent(budget)} slower ones).`));
    for (const w of slo.rateWindows) {
      rules.push({
        record: `${SLO_SERIES.SLOW_CALLS}${w}`,
        expr: [
          "1 - (",
          `    ${PER_METHOD} (rate(${HANDLING_BUCKET}{${matchers}, ${leMatcher(thresholdSeconds)}}[${w}]))`,
          "  /",
          `    ${PER_METHOD} (rate(${HANDLING_COUNT}{${matchers}}[${w}]))`,
          ")",
        ].join("\n"),
      });
    }
    rules.push(budgetRemaining(m, service, "latency", SLO_SERIES.SLOW_CALLS, window, budget));
    for (const alert of slo.alerts) {
      rules.push(
        burnAlert(alert, `GrpcServerLatencyBudget${alert.speed}Burn`, "latency", SLO_SERIES.SLOW_CALLS, matchers, budget, {
          summary: `${name} is burning its latency budget ${alert.speed === "Fast" ? "fast" : "steadily"}`,
          description: description(alert, slo, `of the ${callsOf(m)} to ${name} on {{ $labels.job }} took longer than ${within}`, `${percent(target)} within ${within}`, budget),
        }),
      );
    }
    rules.push({
      comment: `The latency rules read the le="${String(thresholdSeconds)}" bucket; without it they record nothing and the latency alerts cannot fire.`,
      alert: "GrpcServerLatencyBucketMissing",
      expr: [
        `count by (job, grpc_service, grpc_method) (${HANDLING_COUNT}{${matchers}})`,
        "unless on (job, grpc_service, grpc_method)",
        `count by (job, grpc_service, grpc_method) (${HANDLING_BUCKET}{${matchers}, ${leMatcher(thresholdSeconds)}})`,
      ].join("\n"),
      for: "1h",
      labels: { severity: "ticket", slo: "latency" },
      annotations: {
        summary: `${name} on {{ $labels.job }} has no ${within} latency bucket`,
        description: `The grpc_server_handling_seconds histogram of ${name} on {{ $labels.job }} has no le="${String(thresholdSeconds)}" bucket, so its latency objective (${percent(target)} within ${within}) cannot be measured. Keep ${String(thresholdSeconds)} among the server's telemetry.prometheus.buckets.`,
      },
    });
  }
  return rules;
}

function callsOf(m: MethodModel): string {
  return m.kind === "unary" ? "calls" : "streams";
}

function objective(slo: string, target: number, window: string, comment: string): Rule {
  return {
    comment,
    record: SLO_SERIES.OBJECTIVE,
    expr: `vector(${String(target)})`,
    labels: { slo, slo_window: window },
  };
}

function budgetRemaining(m: MethodModel, service: ServiceModel, slo: string, ratio: string, window: string, budget: number): Rule {
  return {
    comment: `The share of the ${window} ${slo} budget left; below 0 when overspent.`,
    record: SLO_SERIES.BUDGET_REMAINING,
    expr: `1 - ${ratio}${window}{${methodMatchers(service.typeName, m.name)}} / ${String(budget)}`,
    labels: { slo },
  };
}

function burnAlert(
  alert: BurnAlert,
  name: string,
  slo: string,
  ratio: string,
  matchers: string,
  budget: number,
  annotations: Readonly<Record<string, string>>,
): Rule {
  const expr = alert.conditions.flatMap((c, i) => [
    ...(i === 0 ? [] : ["or"]),
    "(",
    `    ${ratio}${c.long}{${matchers}} > ${String(c.factor)} * ${String(budget)}`,
    "  and",
    `    ${ratio}${c.short}{${matchers}} > ${String(c.factor)} * ${String(budget)}`,
    ")",
  ]);
  return { alert: name, expr: expr.join("\n"), for: alert.for, labels: { severity: alert.severity, slo }, annotations };
}

function description(alert: BurnAlert, slo: MethodSloModel, what: string, objectiveText: string, budget: number): string {
  const [first, second] = alert.conditions;
  const windows = second === undefined ? first?.long ?? "" : `${first?.long ?? ""} (or ${second.long})`;
  const factors = second === undefined ? `${String(first?.factor)}×` : `${String(first?.factor)}× (${String(second.factor)}×)`;
  const exhaustion = alert.conditions.map((c) => days(slo.window.hours / c.factor));
  return (
    `{{ $value | humanizePercentage }} ${what} over the last ${windows}: over ${factors} the budget of ${percent(budget)} ` +
    `that the objective of ${objectiveText} over ${slo.window.text} allows. At that rate the budget is gone in ${exhaustion.join(" (")}${exhaustion.length > 1 ? ")" : ""}.`
  );
}

function days(hours: number): string {
  const d = Number((hours / 24).toPrecision(2));
  return d === 1 ? "1 day" : `${String(d)} days`;
}

function printRule(rule: Rule): string[] {
  const lines: string[] = [];
  if (rule.comment !== undefined) {
    lines.push(`      # ${rule.comment}`);
  }
  lines.push(rule.record === undefined ? `      - alert: ${rule.alert ?? ""}` : `      - record: ${rule.record}`);
  // Plain only where YAML cannot misread it (quotes, colons and braces go in a block).
  if (!/^[\w().]+$/.test(rule.expr)) {
    lines.push("        expr: |", ...rule.expr.split("\n").map((l) => `          ${l}`));
  } else {
    lines.push(`        expr: ${rule.expr}`);
  }
  if (rule.for !== undefined) {
    lines.push(`        for: ${rule.for}`);
  }
  for (const [key, map] of [["labels", rule.labels], ["annotations", rule.annotations]] as const) {
    if (map !== undefined) {
      lines.push(`        ${key}:`, ...Object.entries(map).map(([k, v]) => `          ${k}: ${quote(v)}`));
    }
  }
  return lines;
}

/** A YAML double-quoted scalar; JSON's escapes are a subset of YAML's. */
function quote(text: string): string {
  return JSON.stringify(text);
}
