import { performance } from "node:perf_hooks";

/** Read once: constant for the process, and a getter call on every read. */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond precision and a
 * monotonic source, so that durations computed from two readings never go negative
 * and the same instants can be handed to spans and histograms.
 */
export function now(): number {
  return TIME_ORIGIN + performance.now();
}
