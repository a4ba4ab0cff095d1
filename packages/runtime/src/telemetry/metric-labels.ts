import type { Message } from "@bufbuild/protobuf";
import type { Attributes } from "@opentelemetry/api";
import type { MethodDefinition, MetricLabel } from "../service.js";
import { OTHER_LABEL_VALUE } from "./semconv.js";

/**
 * The metric labels a method lifts from its request (the `metric_labels` proto
 * option), crossed into every combination of their values, each value list ending in
 * `_OTHER`. Built once per method when a client or server is created and handed to
 * every metrics part; a call picks its combination by number, so it allocates nothing.
 */
export interface LabelCombinations {
  /** The Prometheus labels of each combination; one empty set for a method without labels. */
  readonly labels: readonly Readonly<Record<string, string>>[];
  /** The same, as OpenTelemetry attributes. */
  readonly attributes: readonly Attributes[];
  /** The combination of a call's request; a request that did not parse (`undefined`) is `_OTHER` everywhere. */
  of(request: Message | undefined): number;
}

const NO_LABELS: LabelCombinations = Object.freeze({
  labels: [Object.freeze({})],
  attributes: [Object.freeze({})],
  of: () => 0,
});

/**
 * A method's label combinations, in the order of a number written in mixed radix: the
 * first label's value is the most significant digit, the last label's the least.
 */
export function labelCombinations(method: MethodDefinition): LabelCombinations {
  const declared: readonly MetricLabel[] = method.metricLabels ?? [];
  if (declared.length === 0) {
    return NO_LABELS;
  }
  const values = declared.map((label) => [...label.values, OTHER_LABEL_VALUE]);
  // strides[i]: how many combinations one step of label i's value skips.
  const strides: number[] = [];
  let count = 1;
  for (let i = values.length - 1; i >= 0; i--) {
    strides[i] = count;
    count *= values[i]?.length ?? 1;
  }
  const labels: Readonly<Record<string, string>>[] = [];
  const attributes: Attributes[] = [];
  for (let combination = 0; combination < count; combination++) {
    const labelSet: Record<string, string> = {};
    const attributeSet: Attributes = {};
    declared.forEach((label, i) => {
      const own = values[i] ?? [];
      const value = own[Math.floor(combination / (strides[i] ?? 1)) % own.length] ?? OTHER_LABEL_VALUE;
      labelSet[label.label] = value;
      attributeSet[label.attribute] = value;
    });
    labels.push(Object.freeze(labelSet));
    attributes.push(Object.freeze(attributeSet));
  }
  const other = count - 1;
  return {
    labels,
    attributes,
    of(request) {
      if (request === undefined) {
        return other;
      }
      let combination = 0;
      for (let i = 0; i < declared.length; i++) {
        const label = declared[i] as MetricLabel;
        const index = label.index(request);
        // The generated code answers values.length for a value it does not know; anything
        // else out of range is treated the same.
        const digit = index >= 0 && index < label.values.length ? index : label.values.length;
        combination += digit * (strides[i] ?? 1);
      }
      return combination;
    },
  };
}
