// Reads a shipped Grafana dashboard JSON into the few typed fields the tests look at,
// failing with the file and the field when the shape is not a dashboard's.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { repoRoot } from "../../support/paths.js";

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly datasourceUid: string | undefined;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  /** The title of the row the panel sits under, "" above the first row. */
  readonly row: string;
  readonly datasourceUid: string | undefined;
  readonly targets: readonly DashboardTarget[];
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  /** The variable's query as a string (`label_values(...)`), "" when it has none. */
  readonly query: string;
  readonly datasourceUid: string | undefined;
  readonly multi: boolean;
  readonly includeAll: boolean;
  readonly allValue: string | undefined;
  readonly regex: string;
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly variables: readonly DashboardVariable[];
  /** Every panel that is not a row, rows' collapsed panels included, in order. */
  readonly panels: readonly DashboardPanel[];
}

type Json = Record<string, unknown>;

/** Reads a dashboard; a relative `file` is resolved against the repository root. */
export function readDashboard(file: string): Dashboard {
  const path = isAbsolute(file) ? file : join(repoRoot, file);
  const root = record(JSON.parse(readFileSync(path, "utf8")), file);
  const templating = record(root["templating"], `${file}: templating`);
  const panels: DashboardPanel[] = [];
  collectPanels(list(root["panels"], `${file}: panels`), "", file, panels);
  return {
    file,
    uid: string(root["uid"], `${file}: uid`),
    title: string(root["title"], `${file}: title`),
    schemaVersion: number(root["schemaVersion"], `${file}: schemaVersion`),
    variables: list(templating["list"], `${file}: templating.list`).map((v, i) => variable(v, `${file}: templating.list[${i}]`)),
    panels,
  };
}

function collectPanels(items: readonly unknown[], row: string, where: string, into: DashboardPanel[]): void {
  for (const [i, item] of items.entries()) {
    const at = `${where}: panel ${i}`;
    const panel = record(item, at);
    const type = string(panel["type"], `${at}.type`);
    const title = string(panel["title"], `${at}.title`);
    if (type === "row") {
      // A collapsed row keeps its panels inside it; an open one has them after it.
      collectPanels(list(panel["panels"] ?? [], `${at}.panels`), title, where, into);
      row = title;
      continue;
    }
    into.push({
      id: number(panel["id"], `${at}.id`),
      type,
      title,
      row,
      datasourceUid: datasourceUid(panel["datasource"]),
      targets: list(panel["targets"] ?? [], `${at}.targets`).map((t, j) => target(t, `${at}.targets[${j}]`)),
    });
  }
}

function target(value: unknown, at: string): DashboardTarget {
  const t = record(value, at);
  return {
    refId: string(t["refId"], `${at}.refId`),
    expr: typeof t["expr"] === "string" ? t["expr"] : "",
    datasourceUid: datasourceUid(t["datasource"]),
  };
}

function variable(value: unknown, at: string): DashboardVariable {
  const v = record(value, at);
  const query = v["query"];
  return {
    name: string(v["name"], `${at}.name`),
    type: string(v["type"], `${at}.type`),
    // Grafana stores a Prometheus variable's query as a string or as { query: "..." }.
    query: typeof query === "string" ? query : typeof query === "object" && query !== null ? string((query as Json)["query"], `${at}.query.query`) : "",
    datasourceUid: datasourceUid(v["datasource"]),
    multi: v["multi"] === true,
    includeAll: v["includeAll"] === true,
    allValue: typeof v["allValue"] === "string" ? v["allValue"] : undefined,
    regex: typeof v["regex"] === "string" ? v["regex"] : "",
  };
}

function datasourceUid(value: unknown): string | undefined {
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "object" && value !== null) {
    const uid = (value as Json)["uid"];
    return typeof uid === "string" ? uid : undefined;
  }
  return undefined;
}

function record(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${at}: expected an object`);
  }
  return value as Json;
}

function list(value: unknown, at: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${at}: expected an array`);
  }
  return value as readonly unknown[];
}

function string(value: unknown, at: string): string {
  if (typeof value !== "string") {
    throw new Error(`${at}: expected a string`);
  }
  return value;
}

function number(value: unknown, at: string): number {
  if (typeof value !== "number") {
    throw new Error(`${at}: expected a number`);
  }
  return value;
}
