import { sortFloat64 } from '../stats/sort-float64';

/**
 * Median (numpy's `median`: the mean of the two middle values for an even count). Returns null for no values.
 * Cost: O(n log n) at worst (a sorted copy by sortFloat64, the same order as TypedArray sort; the input is left
 * alone). Not simple-statistics' `median`, which interpolates a + (b − a) / 2 instead (exporter/README.md,
 * "Dependencies").
 *
 * @example median([4, 1, 3, 2]) → 2.5
 */
export function median(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  const sorted = sortFloat64(Float64Array.from(values));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
