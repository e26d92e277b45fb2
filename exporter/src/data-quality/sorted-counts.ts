import type { NumericalColumnSchema } from '../windows/buckets/bucket-schema';
import type { OutOfRangeCounts } from './types';

/** The reference bounds a numerical column's out-of-range counts are taken against (a bucket schema's column). */
export type QualityBounds = Pick<NumericalColumnSchema, 'min' | 'max' | 'p01' | 'p05' | 'p95' | 'p99'>;

/** What {@link sortedQualityCounts} reads off a sorted column: the value-dependent counts of the fold. */
export interface SortedQualityCounts extends OutOfRangeCounts {
  /** +Infinity / −Infinity values. */
  readonly positiveInfinite: number;
  readonly negativeInfinite: number;
}

/** Values of `sorted` (ascending) below t: 0 when t is NaN. Binary search, O(log n). */
function countBelow(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Values of `sorted` (ascending) above t: 0 when t is NaN. Binary search, O(log n). */
function countAbove(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}

/**
 * The data-quality counts that depend on a numerical column's values, read off the column sorted ascending (no
 * NaN; ±Infinity included, as the drift pass sorts it): the same numbers the bucket fold (`foldNumerical`) counts
 * value by value — values below the reference min, above its max, below p01 / p05, above p95 / p99 (those above
 * p95 only among those not below p05, as the fold's else-branch has it), the infinities, min and max — by binary
 * search instead of a pass. Bounds that are NaN (a reference without values) count nothing, as in the fold. Should
 * the bounds be out of order (min > max, p05 > p95: not from a profile), it counts with the fold's own comparisons.
 * Cost: O(log n); O(n) for bounds out of order.
 *
 * @example sortedQualityCounts(Float64Array.of(-1, 2, 5, Infinity), { min: 0, max: 4, p01: 0, p05: 1, p95: 3, p99: 4 })
 *   // belowMin 1, aboveMax 2, belowP01 1, belowP05 1, aboveP95 2, aboveP99 2, positiveInfinite 1
 */
export function sortedQualityCounts(sorted: Float64Array, bounds: QualityBounds): SortedQualityCounts {
  const n = sorted.length;
  const positiveInfinite = countAbove(sorted, Number.MAX_VALUE);
  const negativeInfinite = countBelow(sorted, -Number.MAX_VALUE);
  const min = n ? sorted[0] : Number.POSITIVE_INFINITY;
  const max = n ? sorted[n - 1] : Number.NEGATIVE_INFINITY;
  const { p01, p05, p95, p99 } = bounds;
  if (bounds.min > bounds.max || p05 > p95)
    return foldedCounts(sorted, bounds, { positiveInfinite, negativeInfinite, min, max });
  return {
    positiveInfinite,
    negativeInfinite,
    min,
    max,
    belowMin: countBelow(sorted, bounds.min),
    aboveMax: countAbove(sorted, bounds.max),
    belowP05: countBelow(sorted, p05),
    // Below p01 and below p05; above p95 and p99 (NaN, from Math.min / max, counts nothing: the fold's too).
    belowP01: countBelow(sorted, Math.min(p01, p05)),
    aboveP95: countAbove(sorted, p95),
    aboveP99: countAbove(sorted, Math.max(p95, p99)),
  };
}

/** The fold's comparisons, value by value (bounds out of order). */
function foldedCounts(
  sorted: Float64Array,
  bounds: QualityBounds,
  ends: Pick<SortedQualityCounts, 'positiveInfinite' | 'negativeInfinite' | 'min' | 'max'>,
): SortedQualityCounts {
  let belowMin = 0;
  let aboveMax = 0;
  let belowP01 = 0;
  let belowP05 = 0;
  let aboveP95 = 0;
  let aboveP99 = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i];
    if (x < bounds.min) belowMin++;
    else if (x > bounds.max) aboveMax++;
    if (x < bounds.p05) {
      belowP05++;
      if (x < bounds.p01) belowP01++;
    } else if (x > bounds.p95) {
      aboveP95++;
      if (x > bounds.p99) aboveP99++;
    }
  }
  return { ...ends, belowMin, aboveMax, belowP01, belowP05, aboveP95, aboveP99 };
}
