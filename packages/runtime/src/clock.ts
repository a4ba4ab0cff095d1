import { performance } from "node:perf_hooks";

/**
 * Wall-clock milliseconds since the epoch with sub-millisecond precision and a
 * monotonic source, so that durations computed from two readings never go negative
 * and the same instants can be handed to spans and histograms.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
