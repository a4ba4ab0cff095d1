import { ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMethod } from "@bufbuild/protobuf";
import type { MetricLabel } from "../gen/tsotel/v1/options_pb.js";
import type { EsNames } from "./es-names.js";
import { RESERVED_NAMESPACES, checkAttributeName, refuseContainer, requestField } from "./method-telemetry.js";
import type { FieldStep } from "./method-telemetry.js";

/** One request field lifted into a metric label. */
export interface MetricLabelModel {
  /** The OpenTelemetry attribute name, e.g. `order.status`. */
  readonly attribute: string;
  /** The Prometheus label name, e.g. `order_status`. */
  readonly label: string;
  readonly steps: readonly FieldStep[];
  /** Every value, in the order the index table and the runtime use; `_OTHER` is not among them. */
  readonly values: readonly string[];
  /** An enum (its label index table is made per file) or a bool. */
  readonly kind: { readonly enum: DescEnum } | "bool";
  /** The index of the value an unset field reads as (its default). */
  readonly unsetIndex: number;
}

/**
 * The most label value combinations (each label's values plus `_OTHER`, multiplied) one
 * method may have: each one multiplies every series of the method (17 handled codes,
 * each histogram bucket).
 */
export const MAX_LABEL_COMBINATIONS = 100;

/** Names the Prometheus families or scrapes already use, besides the grpc_* labels. */
const RESERVED_LABELS = ["le", "quantile", "code", "job", "instance"];

/**
 * The metric labels a method lifts from its request, validated; problems are pushed
 * one line each, naming the file, the method, the label and the fix.
 */
export function metricLabels(
  method: DescMethod,
  declared: readonly MetricLabel[],
  metricsOn: boolean,
  names: EsNames,
  problems: string[],
): MetricLabelModel[] {
  if (declared.length === 0) {
    return [];
  }
  const where = `${method.parent.file.name}.proto: rpc ${method.parent.typeName}.${method.name}`;
  if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") {
    problems.push(`${where}: metric_labels need a single request, but this method takes a stream; remove them`);
    return [];
  }
  if (!metricsOn) {
    problems.push(`${where}: metric_labels label the method's metrics, but its metrics are off; remove them or turn metrics on`);
    return [];
  }
  const models: MetricLabelModel[] = [];
  const seen = new Set<string>();
  for (const declaration of declared) {
    const attribute = declaration.name === "" ? declaration.field : declaration.name;
    const at = `${where}: metric label "${attribute}"`;
    const model = metricLabel(method, declaration.field, attribute, names, at, problems);
    if (model === undefined) {
      continue;
    }
    if (seen.has(model.label)) {
      problems.push(`${at}: the method has another label named ${model.label}; keep one`);
      continue;
    }
    seen.add(model.label);
    models.push(model);
  }
  const combinations = models.reduce((product, m) => product * (m.values.length + 1), 1);
  if (combinations > MAX_LABEL_COMBINATIONS) {
    problems.push(
      `${where}: metric_labels make ${combinations} combinations of values (each label's values and _OTHER, multiplied), over the ${MAX_LABEL_COMBINATIONS} allowed per method: every combination repeats every series of the method; drop a label or lift it into a span attribute`,
    );
    return [];
  }
  return models;
}

function metricLabel(
  method: DescMethod,
  path: string,
  attribute: string,
  names: EsNames,
  where: string,
  problems: string[],
): MetricLabelModel | undefined {
  if (!checkAttributeName(attribute, [...RESERVED_NAMESPACES, "grpc"], where, problems)) {
    return undefined;
  }
  const label = attribute.replaceAll(".", "_");
  if (RESERVED_LABELS.includes(label)) {
    problems.push(`${where}: the Prometheus label ${label} is taken by the families or the scrape; choose another name`);
    return undefined;
  }
  const found = requestField(method.input, path, "metric label", names, where, problems);
  if (found === undefined) {
    return undefined;
  }
  const { field, steps } = found;
  const refusal = refuseLabelField(field);
  if (refusal !== undefined) {
    problems.push(
      `${where}: field ${field.parent.typeName}.${field.name} ${refusal}; metric labels take enum and bool fields only, whose values are known when generating, so the number of series is bounded (every other value would add series without end); lift it into a span attribute instead`,
    );
    return undefined;
  }
  if (field.fieldKind === "enum") {
    // With allow_alias several names share a number; the first one names it.
    const distinct = field.enum.values.filter((v, i) => field.enum.values.findIndex((w) => w.number === v.number) === i);
    const numbers = distinct.map((v) => v.number);
    const fallback = field.getDefaultValue();
    const unset = typeof fallback === "number" ? fallback : (numbers[0] ?? 0);
    return { attribute, label, steps, values: distinct.map((v) => v.name), kind: { enum: field.enum }, unsetIndex: Math.max(0, numbers.indexOf(unset)) };
  }
  const unsetTrue = field.fieldKind === "scalar" && field.getDefaultValue() === true;
  return { attribute, label, steps, values: ["false", "true"], kind: "bool", unsetIndex: unsetTrue ? 1 : 0 };
}

function refuseLabelField(field: DescField): string | undefined {
  if (field.fieldKind === "scalar" && field.scalar !== ScalarType.BOOL) {
    const type = ScalarType[field.scalar].toLowerCase();
    return `is ${/^[aeio]/.test(type) ? "an" : "a"} ${type}`;
  }
  return refuseContainer(field);
}
