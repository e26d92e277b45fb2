/** Model versions side by side (issue #14): the comparison of two versions' windows. */
export {
  COMPARED_METRICS,
  compareVersions,
  DEFAULT_COMPARE_ALPHA,
  DEFAULT_COMPARE_MINIMUM_SAMPLES,
  VERDICTS,
} from './compare-versions';
export type {
  ComparedMetric,
  CompareOptions,
  ComparisonTest,
  ProportionFigures,
  Verdict,
  VersionComparison,
  VersionCounts,
} from './compare-versions';
