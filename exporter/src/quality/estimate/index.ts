/**
 * Label-free performance estimate for classifiers (issue #11; docs/quality.md, "Estimated quality"): calibrate on
 * the labelled reference, sum calibrated probabilities per predicted class into mergeable sums, read the estimated
 * confusion matrix and its metrics with sampling bands from them. Pure: no I/O.
 */
export { isotonicFit, isotonicFitSorted, isotonicFromPoints, isotonicPredict } from './isotonic-regression';
export type { IsotonicFit } from './isotonic-regression';
export {
  DEFAULT_ECE_BINS,
  calibratedEceQuantile,
  expectedCalibrationError,
} from './expected-calibration-error';
export type { CalibratedEceOptions, CalibrationRows } from './expected-calibration-error';
export { calibrateRow, fitCalibration } from './calibration';
export type { Calibration, CalibrationMethod, FitCalibrationOptions } from './calibration';
export { addEstimateRow, createEstimateSums, mergeEstimateSumsInto, totalRows } from './estimate-sums';
export type { EstimateSums } from './estimate-sums';
export { estimatePerformance } from './estimate-performance';
export type { Band, EstimatedPerformance, EstimateOptions } from './estimate-performance';
export { estimateSumsOfRows } from './estimate-rows';
export { performanceFromMatrix } from './performance';
export type { ClassPerformance, Performance } from './performance';
export { calibrationFromJson, calibrationToJson } from './calibration-json';
export type { CalibrationJson } from './calibration-json';
