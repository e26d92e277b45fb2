/**
 * Summary statistics of one feature in a window, pure.
 *
 * Numerical: mean, standard deviation with ddof = 1 (pandas' `describe()`; numpy `std(ddof=1)`, both to the last
 * bit: stats/pairwise-sum.ts), min, max and
 * the quantiles 0.05, 0.25, 0.5, 0.75, 0.95 by numpy's default 'linear' method; missing ratio = missing / rows
 * (missing = null, empty string, NaN). Values of a numerical feature that are not numbers count as missing.
 * Categorical: only the missing ratio. Cost: O(n) (radix sort).
 */
import { isMissing, type CellValue } from '../stats/missing';
import { moments } from '../stats/pairwise-sum';
import { quantileSorted } from '../stats/quantile-sorted';
import { sortFloat64 } from '../stats/sort-float64';

export const SUMMARY_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

export interface FeatureSummary {
  rows: number;
  missingRatio: number;
  /** Null for categorical features or when every value is missing. */
  numeric: {
    mean: number;
    /** null with a single value (ddof = 1). */
    std: number | null;
    min: number;
    max: number;
    quantiles: Record<string, number>;
    /**
     * Set when the quantiles came from a sample of the window's rows (windowFeatureSummaries, a window bigger
     * than its uniform sample): the finite values they were computed from. Absent: every value.
     */
    sampled?: number;
  } | null;
}

function toNumber(value: CellValue): number | null {
  if (isMissing(value)) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function summarizeFeature(
  values: readonly CellValue[],
  type: 'numerical' | 'categorical',
): FeatureSummary {
  const rows = values.length;
  if (type === 'categorical') {
    const missing = values.filter((v) => isMissing(v)).length;
    return { rows, missingRatio: rows === 0 ? 0 : missing / rows, numeric: null };
  }
  const numbers: number[] = [];
  for (const v of values) {
    const n = toNumber(v);
    if (n !== null) numbers.push(n);
  }
  const missingRatio = rows === 0 ? 0 : (rows - numbers.length) / rows;
  if (numbers.length === 0) return { rows, missingRatio, numeric: null };
  // Mean and std in input order (numpy's pairwise sums, so both equal numpy's to the last bit), then the radix
  // sort for the quantiles.
  const inputOrder = Float64Array.from(numbers);
  const { mean, std } = moments(inputOrder, 1);
  const sorted = sortFloat64(inputOrder);
  const quantiles: Record<string, number> = {};
  for (const q of SUMMARY_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  return {
    rows,
    missingRatio,
    numeric: {
      mean,
      std: sorted.length > 1 ? std : null,
      min: sorted[0],
      max: sorted[sorted.length - 1],
      quantiles,
    },
  };
}
