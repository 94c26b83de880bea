// The lab's statistics: a proportion's 95 % Wilson interval and nearest-rank quantiles.

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** The 95 % Wilson score interval of k successes in n trials, as fractions [lo, hi]. */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / den;
  const half = (z / den) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the rounding at the ends (k = 0 gives lo = 0 exactly in exact arithmetic).
  return [k === 0 ? 0 : Math.max(0, center - half), k === n ? 1 : Math.min(1, center + half)];
}

/**
 * The q-quantile by nearest rank: the smallest value with at least q·n values at or below
 * it (the median of an even count is the lower middle value). null for no values.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Median and 90th percentile (nearest rank) of `values`; null when there are none. */
export function spread(values: readonly number[]): { median: number; p90: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5)!, p90: quantile(sorted, 0.9)! };
}
