import { createHash } from "node:crypto";
import type { FileModel, MethodModel, ServiceModel } from "../src/model/file-model.js";
import type { MethodSloModel } from "../src/model/slo.js";
import { HANDLED, SLO_SERIES, duration, methodMatchers, percent } from "./slo-series.js";

type Json = string | number | boolean | null | readonly Json[] | JsonObject;
interface JsonObject {
  readonly [key: string]: Json;
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const ROW_HEIGHT = 8;

/** The SLO panels' shared look: one objective (availability or latency) of one method. */
interface ObjectivePanels {
  readonly slo: "availability" | "latency";
  readonly title: string;
  readonly sli: string;
  readonly ratio: string;
  readonly target: number;
  readonly budget: number;
  readonly about: string;
}

/**
 * `<file>_slo.dashboard.json`: a Grafana dashboard with, per method with objectives, a
 * row; per objective the objective, the error budget left over the SLO window, the
 * burn rates over the alerts' long windows (with the alert thresholds as lines) and
 * the SLI over time against the objective. Same conventions as observability/grafana:
 * a `datasource` variable, `job` (multi, All = `.*`), schema 36.
 */
export function printSloDashboard(model: FileModel, generatedBy: string): string {
  const services = model.services.filter((s) => s.methods.some((m) => m.slo !== undefined));
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const service of services) {
    for (const m of service.methods) {
      const slo = m.slo;
      if (slo === undefined) continue;
      panels.push({ type: "row", title: `${service.typeName}/${m.name}`, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, id: id++, panels: [] });
      y += 1;
      for (const objective of objectivesOf(service, m, slo)) {
        for (const panel of objectivePanels(service, m, slo, objective, y)) {
          panels.push({ ...panel, id: id++ });
        }
        y += ROW_HEIGHT;
      }
    }
  }
  const serviceNames = services.map((s) => s.typeName);
  const dashboard: Json = {
    annotations: {
      list: [
        { builtIn: 1, datasource: { type: "grafana", uid: "-- Grafana --" }, enable: true, hide: true, iconColor: "rgba(0, 211, 255, 1)", name: "Annotations & Alerts", type: "dashboard" },
      ],
    },
    description: `Service level objectives declared in ${model.file.name}.proto, from the series of ${model.file.name}_slo.rules.yml (load it in Prometheus). ${generatedBy}.`,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels,
    refresh: "1m",
    schemaVersion: 36,
    tags: ["grpc", "slo", "protoc-gen-ts-otel"],
    templating: {
      list: [
        { name: "datasource", label: "Data source", type: "datasource", query: "prometheus", regex: "", current: {}, hide: 0, refresh: 1, options: [] },
        {
          name: "job",
          label: "job",
          type: "query",
          datasource: DATASOURCE,
          query: `label_values(${HANDLED}{grpc_service=~"${serviceNames.join("|")}"}, job)`,
          definition: `label_values(${HANDLED}{grpc_service=~"${serviceNames.join("|")}"}, job)`,
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: ".*",
          current: { selected: true, text: ["All"], value: ["$__all"] },
          regex: "",
          sort: 1,
          hide: 0,
          options: [],
        },
      ],
    },
    time: { from: "now-24h", to: "now" },
    timepicker: {},
    timezone: "",
    title: `SLOs: ${model.file.name}.proto`,
    // Stable across regenerations, unique per proto file; Grafana allows 40 characters.
    uid: `tsotel-slo-${createHash("sha256").update(model.file.name).digest("hex").slice(0, 16)}`,
    version: 1,
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

function objectivesOf(service: ServiceModel, m: MethodModel, slo: MethodSloModel): ObjectivePanels[] {
  const out: ObjectivePanels[] = [];
  if (slo.availability !== undefined) {
    const { target, budget } = slo.availability;
    out.push({
      slo: "availability",
      title: "Availability",
      sli: "Calls without an error",
      ratio: SLO_SERIES.ERRORS,
      target,
      budget,
      about: `${percent(target)} of the calls to ${service.typeName}/${m.name} end without an error code over ${slo.window.text}`,
    });
  }
  if (slo.latency !== undefined) {
    const { target, budget, thresholdSeconds } = slo.latency;
    const within = duration(thresholdSeconds);
    out.push({
      slo: "latency",
      title: "Latency",
      sli: `Calls within ${within}`,
      ratio: SLO_SERIES.SLOW_CALLS,
      target,
      budget,
      about: `${percent(target)} of the ${m.kind === "unary" ? "calls" : "streams"} to ${service.typeName}/${m.name} finish within ${within} over ${slo.window.text}`,
    });
  }
  return out;
}

function objectivePanels(service: ServiceModel, m: MethodModel, slo: MethodSloModel, o: ObjectivePanels, y: number): JsonObject[] {
  const method = methodMatchers(service.typeName, m.name);
  const perJob = `job=~"$job", ${method}`;
  const window = slo.window.text;
  const factors = [...new Set(slo.alerts.flatMap((a) => a.conditions.map((c) => c.factor)))];
  const longWindows = slo.alerts.flatMap((a) => a.conditions.map((c) => c.long));
  return [
    stat(`${o.title} objective`, `${o.about}.`, { x: 0, y, w: 4 }, `${SLO_SERIES.OBJECTIVE}{${method}, slo="${o.slo}"}`, "", [
      { color: "blue", value: null },
    ]),
    stat(
      `${o.title} budget left (${window})`,
      `The share of the ${window} error budget (${percent(o.budget)} of calls) not yet spent; below 0 when overspent.`,
      { x: 4, y, w: 4 },
      `${SLO_SERIES.BUDGET_REMAINING}{${perJob}, slo="${o.slo}"}`,
      "{{job}}",
      [
        { color: "red", value: null },
        { color: "orange", value: 0 },
        { color: "green", value: 0.25 },
      ],
    ),
    timeseries(
      `${o.title} burn rate`,
      `How many times faster than the objective allows the budget burns, over the alerts' long windows. The lines mark the alert thresholds (${factors.map((f) => `${String(f)}×`).join(", ")}); an alert needs its short window above the threshold too.`,
      { x: 8, y, w: 8 },
      longWindows.map((w) => ({ expr: `${o.ratio}${w}{${perJob}} / ${String(o.budget)}`, legend: `{{job}} ${w}` })),
      { unit: "x", min: 0, thresholds: factors },
    ),
    timeseries(
      `${o.sli} (SLI)`,
      `The share of good calls over 5m and over ${window}, against the objective of ${percent(o.target)}.`,
      { x: 16, y, w: 8 },
      [
        { expr: `1 - ${o.ratio}5m{${perJob}}`, legend: "{{job}} 5m" },
        { expr: `1 - ${o.ratio}${window}{${perJob}}`, legend: `{{job}} ${window}` },
        { expr: `${SLO_SERIES.OBJECTIVE}{${method}, slo="${o.slo}"}`, legend: "objective" },
      ],
      { unit: "percentunit", max: 1 },
    ),
  ];
}

interface Place {
  readonly x: number;
  readonly y: number;
  readonly w: number;
}

/** What every panel starts with. */
function panel(type: string, title: string, description: string, at: Place): JsonObject {
  return { type, title, description, datasource: DATASOURCE, gridPos: { h: ROW_HEIGHT, w: at.w, x: at.x, y: at.y } };
}

function stat(title: string, description: string, at: Place, expr: string, legend: string, steps: readonly Json[]): JsonObject {
  return {
    ...panel("stat", title, description, at),
    fieldConfig: {
      defaults: { unit: "percentunit", decimals: 2, color: { mode: "thresholds" }, thresholds: { mode: "absolute", steps } },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "none", textMode: "auto", justifyMode: "auto", orientation: "auto" },
    targets: [target("A", expr, legend, false)],
  };
}

function timeseries(
  title: string,
  description: string,
  at: Place,
  queries: readonly { expr: string; legend: string }[],
  axis: { unit: string; min?: number; max?: number; thresholds?: readonly number[] },
): JsonObject {
  const thresholds = axis.thresholds ?? [];
  return {
    ...panel("timeseries", title, description, at),
    fieldConfig: {
      defaults: {
        unit: axis.unit,
        ...(axis.min === undefined ? {} : { min: axis.min }),
        ...(axis.max === undefined ? {} : { max: axis.max }),
        color: { mode: "palette-classic" },
        custom: {
          drawStyle: "line",
          lineWidth: 1,
          fillOpacity: 10,
          showPoints: "never",
          spanNulls: false,
          thresholdsStyle: { mode: thresholds.length === 0 ? "off" : "line" },
        },
        thresholds: { mode: "absolute", steps: [{ color: "green", value: null }, ...thresholds.map((value) => ({ color: "red", value }))] },
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
    targets: queries.map((q, i) => target(String.fromCharCode(65 + i), q.expr, q.legend, true)),
  };
}

function target(refId: string, expr: string, legendFormat: string, range: boolean): Json {
  return { datasource: DATASOURCE, expr, legendFormat, range, ...(range ? {} : { instant: true }), refId };
}
