import { pairwiseSum, pairwiseSumOfSquaredDeviations } from '../stats/pairwise-sum';
import { quantileSorted } from '../stats/quantile-sorted';
import type { NumericSummary } from './profile-types';

/** The quantiles every numeric summary reports (reference profile and current window alike). */
export const SUMMARY_QUANTILES: Readonly<Record<string, number>> = {
  p01: 0.01,
  p05: 0.05,
  p25: 0.25,
  p50: 0.5,
  p75: 0.75,
  p95: 0.95,
  p99: 0.99,
};

/** Mean and population standard deviation (ddof = 0) of a sample, as numpy.mean / numpy.std compute them. */
export interface Moments {
  readonly mean: number;
  readonly std: number;
}

/**
 * numpy.mean and numpy.std (ddof = 0) of `values` **in the order given** (the order changes the last bits of a
 * pairwise sum: call it before sorting), to the last bit: mean = pairwise Σx / n, std = √(pairwise Σ(x − mean)² / n)
 * (stats/pairwise-sum.ts). NaN for an empty sample. Cost: O(n), two passes, no allocation.
 *
 * @example moments(Float64Array.of(1, 2, 3, 4)) // { mean: 2.5, std: 1.118… }
 */
export function moments(values: Float64Array): Moments {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = pairwiseSum(values) / n;
  return { mean, std: Math.sqrt(pairwiseSumOfSquaredDeviations(values, mean) / n) };
}

/**
 * Summary statistics of a **sorted** sample: count, the mean and population std it had in input order
 * ({@link moments}), min, max and the {@link SUMMARY_QUANTILES} (numpy linear). NaN fields when it is empty.
 * Cost: O(1) besides the quantile look-ups.
 *
 * @example const m = moments(x); numericSummary(x.sort(), 0, m).std // numpy.std(x)
 */
export function numericSummary(sorted: Float64Array, missing: number, inputOrder: Moments): NumericSummary {
  const n = sorted.length;
  const quantiles: Record<string, number> = {};
  for (const [k, q] of Object.entries(SUMMARY_QUANTILES))
    quantiles[k] = n ? quantileSorted(sorted, q) : Number.NaN;
  return {
    count: n,
    missing,
    mean: n ? inputOrder.mean : Number.NaN,
    std: n ? inputOrder.std : Number.NaN,
    min: n ? sorted[0] : Number.NaN,
    max: n ? sorted[n - 1] : Number.NaN,
    quantiles,
  };
}
