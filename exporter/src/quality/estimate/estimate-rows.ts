/**
 * Folds rows into {@link EstimateSums} through a calibration: the one path the CLI, the service and the benchmark
 * share. `probabilities` is row-major n × k in `calibration.labels` order; `predicted` the predicted class index.
 * Cost: O(n·k²) (plus O(n·k log m) for isotonic maps).
 */
import { calibrateRow, type Calibration } from './calibration';
import { addEstimateRow, createEstimateSums, type EstimateSums } from './estimate-sums';

export function estimateSumsOfRows(
  calibration: Calibration,
  probabilities: ArrayLike<number>,
  predicted: ArrayLike<number>,
  into: EstimateSums = createEstimateSums(calibration.labels.length),
): EstimateSums {
  const k = calibration.labels.length;
  const p = new Float64Array(k);
  for (let i = 0; i < predicted.length; i++) {
    calibrateRow(calibration, probabilities, p, i * k);
    addEstimateRow(into, predicted[i], p);
  }
  return into;
}
