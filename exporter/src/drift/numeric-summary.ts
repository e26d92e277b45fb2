import { type Moments } from '../stats/pairwise-sum';
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

/**
 * Summary statistics of a **sorted** sample: count, the mean and population std it had in input order
 * (`moments` in stats/pairwise-sum.ts), min, max and the {@link SUMMARY_QUANTILES} (numpy linear). NaN fields when it is empty.
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
