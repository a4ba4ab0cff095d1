import { fieldAccess, join } from "./field-access.js";
import { imported, schemaType } from "./imports.js";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import type { EnumNamesModel, FileModel, MethodModel } from "../src/model/file-model.js";
import type { MetricLabelModel } from "../src/model/metric-labels.js";

/**
 * const orderStatusLabelIndexes: { readonly [value: number]: number } = { 0: 0, 1: 1, 2: 2 };
 */
export function printLabelIndexes(f: GeneratedFile, table: EnumNamesModel): void {
  f.print("/** Label value positions of ", table.desc.typeName, "'s numbers, for metric labels. */");
  const entries = table.values.map((v, i) => `${String(v.number)}: ${String(i)}`);
  f.print("const ", table.name, ": { readonly [value: number]: number } = { ", entries.join(", "), " };");
}

/**
 * const orderServiceGetOrderMetricLabels: readonly MetricLabel<typeof GetOrderRequestSchema>[] = [
 *   {
 *     attribute: "order.status",
 *     label: "order_status",
 *     values: ["ORDER_STATUS_UNSPECIFIED", "ORDER_STATUS_OPEN"],
 *     index(request) {
 *       return orderStatusLabelIndexes[request.status] ?? 2;
 *     },
 *   },
 * ];
 */
export function printMetricLabels(f: GeneratedFile, model: FileModel, m: MethodModel): void {
  if (m.metricLabelsName === undefined) {
    return;
  }
  const labelType = imported(f, "MetricLabel", model.runtimeImport, true);
  f.print("/** The metric labels ", m.name, " lifts from its request (proto option tsotel.v1.method). */");
  f.print("const ", m.metricLabelsName, ": readonly ", labelType, "<typeof ", schemaType(f, m.input), ">[] = [");
  for (const label of m.metricLabels) {
    f.print("  {");
    f.print("    attribute: ", f.string(label.attribute), ",");
    f.print("    label: ", f.string(label.label), ",");
    f.print("    values: [", join(label.values.map((v) => f.string(v)), ", "), "],");
    f.print("    index(request) {");
    const { guards, value } = fieldAccess(f, label.steps, "default");
    if (guards.length === 0) {
      f.print("      return ", position(model, label, value), ";");
    } else {
      f.print("      if (", join(guards, " && "), ") {");
      f.print("        return ", position(model, label, value), ";");
      f.print("      }");
      f.print("      return ", String(label.unsetIndex), ";");
    }
    f.print("    },");
    f.print("  },");
  }
  f.print("];");
}

// The value's position in `values`; values.length (_OTHER) for an enum number the
// proto does not declare.
function position(model: FileModel, label: MetricLabelModel, value: string): Printable {
  const kind = label.kind;
  if (kind === "bool") {
    return `${value} ? 1 : 0`;
  }
  const table = model.labelIndexes.find((t) => t.desc === kind.enum);
  return `${table?.name ?? ""}[${value}] ?? ${String(label.values.length)}`;
}
