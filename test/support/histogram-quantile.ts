// Prometheus's histogram_quantile, for checking its answer against the buckets of an
// exposition: find the bucket the rank falls in and interpolate linearly inside it.

export interface CumulativeBucket {
  /** The `le` bound; Infinity for `+Inf`. */
  readonly upperBound: number;
  readonly count: number;
}

export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number {
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound);
  const last = sorted.at(-1);
  if (last === undefined || last.upperBound !== Infinity || sorted.length < 2) {
    return NaN;
  }
  const observations = last.count;
  if (observations === 0) {
    return NaN;
  }
  let rank = q * observations;
  const b = sorted.slice(0, -1).findIndex((bucket) => bucket.count >= rank);
  if (b < 0) {
    return sorted.at(-2)?.upperBound ?? NaN;
  }
  const bucket = sorted[b] ?? last;
  if (b === 0 && bucket.upperBound <= 0) {
    return bucket.upperBound;
  }
  const below = b === 0 ? undefined : sorted[b - 1];
  const bucketStart = below?.upperBound ?? 0;
  const count = bucket.count - (below?.count ?? 0);
  rank -= below?.count ?? 0;
  return bucketStart + (bucket.upperBound - bucketStart) * (rank / count);
}
