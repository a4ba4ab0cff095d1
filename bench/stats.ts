/** The median of `values`; NaN for none. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The `q` quantile (0…1) by linear interpolation between the closest ranks; NaN for
 * no values.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sortedQuantile(sorted, q);
}

/** As `quantile`, for values already sorted in increasing order (large latency arrays). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = (sorted.length - 1) * q;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (rank - low);
}

/** The lowest value, the quartiles and the highest. */
export interface Spread {
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    q1: sortedQuantile(sorted, 0.25),
    median: sortedQuantile(sorted, 0.5),
    q3: sortedQuantile(sorted, 0.75),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * A 95 % percentile-bootstrap interval of `statistic` over `n` samples: `statistic` is
 * handed `resamples` times the indices of `n` samples drawn with replacement. Paired
 * data (several figures measured in each round) is resampled by round, keeping the
 * pairs. The draws are seeded: the same data gives the same interval.
 */
export function bootstrapInterval(n: number, statistic: (indices: readonly number[]) => number, resamples = 2000): [number, number] {
  if (n === 0) {
    return [Number.NaN, Number.NaN];
  }
  // mulberry32
  let state = 0x9e3779b9;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const estimates = new Float64Array(resamples);
  const indices = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      indices[i] = Math.floor(random() * n);
    }
    estimates[r] = statistic(indices);
  }
  estimates.sort();
  return [sortedQuantile(estimates, 0.025), sortedQuantile(estimates, 0.975)];
}
