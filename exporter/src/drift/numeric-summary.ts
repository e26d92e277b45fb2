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
 * Summary statistics of a **sorted** sample: count, mean (running mean over the sorted values), population std
 * (two-pass, ddof = 0), min, max and the {@link SUMMARY_QUANTILES} (numpy linear). NaN fields when it is empty.
 * Cost: O(n), two passes; no allocation besides the result.
 *
 * @example numericSummary(Float64Array.of(1, 2, 3), 0).std // 0.816…
 */
export function numericSummary(sorted: Float64Array, missing: number): NumericSummary {
  const n = sorted.length;
  const mean = runningMean(sorted);
  const m2 = sumOfSquaredDeviations(sorted, mean);
  const quantiles: Record<string, number> = {};
  for (const [k, q] of Object.entries(SUMMARY_QUANTILES))
    quantiles[k] = n ? quantileSorted(sorted, q) : Number.NaN;
  return {
    count: n,
    missing,
    mean: n ? mean : Number.NaN,
    std: n ? Math.sqrt(m2 / n) : Number.NaN,
    min: n ? sorted[0] : Number.NaN,
    max: n ? sorted[n - 1] : Number.NaN,
    quantiles,
  };
}

// The two passes are functions of their own so V8 optimises each loop whole (see sortFloat64).

function runningMean(values: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += (values[i] - mean) / (i + 1);
  return mean;
}

function sumOfSquaredDeviations(values: Float64Array, mean: number): number {
  let m2 = 0;
  for (let i = 0; i < values.length; i++) m2 += (values[i] - mean) * (values[i] - mean);
  return m2;
}
