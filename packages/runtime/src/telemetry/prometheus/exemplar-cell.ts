import type { ExemplarSample } from "./exposition-types.js";

/**
 * The latest exemplar of one counter or histogram bucket: the trace id of the last
 * sampled call that moved it. Overwritten in place, so recording allocates nothing;
 * the exemplar object is built at scrape time.
 */
export class ExemplarCell {
  private traceId = "";
  private value = 0;
  private timestampMs = 0;

  set(traceId: string, value: number, timestampMs: number): void {
    this.traceId = traceId;
    this.value = value;
    this.timestampMs = timestampMs;
  }

  clear(): void {
    this.traceId = "";
  }

  /** The exemplar under `label`, or undefined when no sampled call has moved this cell. */
  sample(label: string): ExemplarSample | undefined {
    if (this.traceId === "") {
      return undefined;
    }
    return { labelSet: { [label]: this.traceId }, value: this.value, timestamp: this.timestampMs / 1000 };
  }
}
