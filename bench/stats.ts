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
 * A 95 % percentile-bootstrap interval of `statistic` over samples that come in
 * clusters (`clusters` holds each cluster's sample indices): `statistic` is handed
 * `resamples` times the indices of a resample, which draws as many clusters as there
 * are, with replacement, and from each drawn cluster as many of its samples, again with
 * replacement. Samples of one cluster that share something the others do not (the
 * rounds of one start of the benchmark's processes) then count as the few independent
 * draws they are; with one sample per cluster it is the ordinary bootstrap. Paired data
 * (several figures measured in each round) is resampled by round, keeping the pairs.
 * The draws are seeded: the same data gives the same interval.
 */
export function bootstrapInterval(clusters: readonly (readonly number[])[], statistic: (indices: readonly number[]) => number, resamples = 2000): [number, number] {
  const n = clusters.reduce((sum, cluster) => sum + cluster.length, 0);
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
  const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)] as T;
  const estimates = new Float64Array(resamples);
  const indices: number[] = [];
  for (let r = 0; r < resamples; r++) {
    indices.length = 0;
    for (let c = 0; c < clusters.length; c++) {
      const cluster = pick(clusters);
      for (let i = 0; i < cluster.length; i++) {
        indices.push(cluster.length === 1 ? (cluster[0] as number) : pick(cluster));
      }
    }
    estimates[r] = statistic(indices);
  }
  estimates.sort();
  return [sortedQuantile(estimates, 0.025), sortedQuantile(estimates, 0.975)];
}
