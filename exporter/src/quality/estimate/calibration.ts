/**
 * Probability calibration of a classifier on a labelled reference, for the label-free performance estimate.
 *
 * Rule (docs/quality.md, "Estimated quality"): the model is miscalibrated on the reference when its expected
 * calibration error (top-label, 10 bins) exceeds the 95th percentile of the ECE a calibrated model shows on the
 * same rows ({@link calibratedEceQuantile}); then each class gets an isotonic map of its probability, fitted
 * one-vs-rest (probability of class j against "actual is j"), and a row's mapped probabilities are renormalised to
 * sum to 1 (NannyML's CBPE does the same). Otherwise the raw probabilities are used (`method: 'none'`).
 * Cost: O(k·n log n) to fit, O(k log n) per row to apply.
 */
import {
  calibratedEceQuantile,
  expectedCalibrationError,
  type CalibratedEceOptions,
  type CalibrationRows,
} from './expected-calibration-error';
import { isotonicFitSorted, isotonicPredict, type IsotonicFit } from './isotonic-regression';

export type CalibrationMethod = 'isotonic' | 'none';

export interface Calibration {
  /** Class labels, in the order of the probability vectors. */
  readonly labels: readonly string[];
  readonly method: CalibrationMethod;
  /** ECE of the raw probabilities on the reference. */
  readonly referenceExpectedCalibrationError: number;
  /** The ECE a calibrated model stays below on the reference with 95% probability (the decision threshold). */
  readonly calibratedEceThreshold: number;
  /** One isotonic map per class (method 'isotonic'), in `labels` order. */
  readonly maps: readonly IsotonicFit[] | null;
}

export interface FitCalibrationOptions extends CalibratedEceOptions {
  /** 'auto' decides by the rule above; the other two force a method. @default 'auto' */
  readonly method?: CalibrationMethod | 'auto';
}

export function fitCalibration(
  labels: readonly string[],
  rows: CalibrationRows,
  options: FitCalibrationOptions = {},
): Calibration {
  const k = rows.classes;
  if (labels.length !== k) throw new RangeError(`${labels.length} labels for ${k} probability columns`);
  const n = rows.predicted.length;
  if (n === 0) throw new RangeError('calibration needs at least one labelled reference row');
  const ece = expectedCalibrationError(rows, options.bins);
  const threshold = calibratedEceQuantile(rows, options);
  const method = options.method ?? 'auto';
  const calibrate = method === 'isotonic' || (method === 'auto' && ece > threshold);
  if (!calibrate)
    return {
      labels,
      method: 'none',
      referenceExpectedCalibrationError: ece,
      calibratedEceThreshold: threshold,
      maps: null,
    };
  const maps: IsotonicFit[] = [];
  for (let j = 0; j < k; j++) {
    // The targets are 0 or 1: sort each group's x natively and merge (ties: 0 first), faster than an index sort.
    let positives = 0;
    for (let i = 0; i < n; i++) if (rows.actual[i] === j) positives++;
    const one = new Float64Array(positives);
    const zero = new Float64Array(n - positives);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const p = rows.probabilities[i * k + j];
      if (!Number.isFinite(p)) throw new RangeError(`probability of row ${i}, class ${j} is not finite`);
      if (rows.actual[i] === j) one[a++] = p;
      else zero[b++] = p;
    }
    one.sort();
    zero.sort();
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let r = 0, u = 0, v = 0; r < n; r++) {
      if (v < zero.length && (u >= one.length || zero[v] <= one[u])) x[r] = zero[v++];
      else {
        x[r] = one[u++];
        y[r] = 1;
      }
    }
    maps.push(isotonicFitSorted(x, y, new Float64Array(n).fill(1)));
  }
  return {
    labels,
    method: 'isotonic',
    referenceExpectedCalibrationError: ece,
    calibratedEceThreshold: threshold,
    maps,
  };
}

/**
 * Writes the calibrated probabilities of one row into `out` (length k): each class's map, then renormalised to
 * sum 1. When every mapped value is 0 (possible at the edge of the reference's range), the raw row is kept.
 */
export function calibrateRow(
  calibration: Calibration,
  raw: ArrayLike<number>,
  out: Float64Array,
  offset = 0,
): void {
  const k = calibration.labels.length;
  const maps = calibration.maps;
  if (!maps) {
    for (let j = 0; j < k; j++) out[j] = raw[offset + j];
    return;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) sum += out[j] = isotonicPredict(maps[j], raw[offset + j]);
  if (sum > 0) for (let j = 0; j < k; j++) out[j] /= sum;
  else for (let j = 0; j < k; j++) out[j] = raw[offset + j];
}
