/**
 * Regression quality: MAE = mean(|y − ŷ|), RMSE = sqrt(mean((y − ŷ)²)) (sklearn's `mean_absolute_error`,
 * `root_mean_squared_error`), through simple-statistics' `mean` (a compensated sum) and `rootMeanSquare`.
 * Cost: O(n).
 *
 * @example regressionMetrics([3, -0.5, 2, 7], [2.5, 0, 2, 8]) → { mae: 0.5, rmse: 0.6123724356957945, n: 4 }
 */
import { mean, rootMeanSquare } from './simple-statistics';

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  n: number;
}

export function regressionMetrics(
  actual: readonly number[],
  predicted: readonly number[],
): RegressionMetrics {
  if (actual.length !== predicted.length) {
    throw new RangeError(`actual and predicted differ in length (${actual.length} vs ${predicted.length})`);
  }
  if (actual.length === 0) throw new RangeError('regression metrics need at least one labelled row');
  const errors = actual.map((y, i) => {
    const d = y - predicted[i];
    if (!Number.isFinite(d)) throw new RangeError(`row ${i} is not a finite number`);
    return d;
  });
  return { mae: mean(errors.map(Math.abs)), rmse: rootMeanSquare(errors), n: actual.length };
}
