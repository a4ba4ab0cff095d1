import { ExemplarCell } from "./exemplar-cell.js";
import type { Labels } from "./exposition-types.js";

/** One counter series: its labels, fixed when the method is set up, and its value. */
export class CounterCell {
  value = 0;
  /** Present when exemplars are on. */
  readonly exemplar: ExemplarCell | undefined;

  constructor(
    readonly labels: Labels,
    exemplars: boolean,
  ) {
    this.exemplar = exemplars ? new ExemplarCell() : undefined;
  }

  /** Adds one; `traceId` is the call's sampled trace, if any, for the exemplar. */
  inc(traceId: string | undefined, timestampMs: number): void {
    this.value += 1;
    if (traceId !== undefined) {
      this.exemplar?.set(traceId, 1, timestampMs);
    }
  }

  reset(): void {
    this.value = 0;
    this.exemplar?.clear();
  }
}
