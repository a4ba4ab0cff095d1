// Every PromQL query of a shipped Grafana dashboard, with the template variables set
// as a user who picks "All" everywhere would have them, so that a test can run each
// query against a real Prometheus exactly as Grafana would send it.
import { readDashboard } from "./grafana-dashboard.js";
import type { Dashboard } from "./grafana-dashboard.js";

/** What `$__rate_interval`, `$__interval` and `$__range` become. */
export const QUERY_INTERVAL = "1m";

const BUILT_INS: Readonly<Record<string, string>> = {
  __rate_interval: QUERY_INTERVAL,
  __interval: QUERY_INTERVAL,
  __range: QUERY_INTERVAL,
  __interval_ms: "60000",
  __range_ms: "60000",
  __range_s: "60",
};

export interface DashboardQuery {
  /** `<row> / <panel title> (<refId>)`, to name a query in a failure. */
  readonly panel: string;
  /** The PromQL, variables substituted. */
  readonly expr: string;
}

/**
 * The queries of every panel of a dashboard file (relative paths resolve against the
 * repository root), each template variable replaced by its "All" value (its allValue,
 * `.*` without one), Grafana's interval variables by `1m`. A `$variable` the dashboard
 * does not define is an error naming the panel, never left in the query.
 */
export function dashboardQueries(file: string): { panel: string; expr: string }[] {
  const dashboard = readDashboard(file);
  const values = allValues(dashboard);
  return dashboard.panels.flatMap((panel) =>
    panel.targets
      .filter((target) => target.expr !== "")
      .map((target) => {
        const name = `${panel.row === "" ? "" : `${panel.row} / `}${panel.title} (${target.refId})`;
        return { panel: name, expr: substituteVariables(target.expr, values, `${file}: ${name}`) };
      }),
  );
}

function allValues(dashboard: Dashboard): Map<string, string> {
  const values = new Map(Object.entries(BUILT_INS));
  for (const variable of dashboard.variables) {
    if (variable.type !== "datasource") {
      values.set(variable.name, variable.allValue ?? ".*");
    }
  }
  return values;
}

// $name, ${name}, ${name:format} and the deprecated [[name]].
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g;

/** Replaces every Grafana variable reference in `expr`; throws on one `values` lacks. */
export function substituteVariables(expr: string, values: ReadonlyMap<string, string>, where: string): string {
  return expr.replace(VARIABLE, (reference: string, braced?: string, plain?: string, bracketed?: string) => {
    const name = braced ?? plain ?? bracketed ?? "";
    const value = values.get(name);
    if (value === undefined) {
      throw new Error(`${where}: ${reference} is not a variable of the dashboard`);
    }
    return value;
  });
}
