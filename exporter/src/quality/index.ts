export { joinFeedback } from './join';
export type { LabelledRow, JoinResult } from './join';
export { capClasses, confusionMatrix, confusionMatrixFromCounts, OTHER_CLASS } from './confusion-matrix';
export type { CappedClasses, ConfusionMatrix, ConfusionMatrixOptions } from './confusion-matrix';
export { classificationMetrics } from './classification-metrics';
export type { ClassificationMetrics, ClassScores } from './classification-metrics';
export { regressionMetrics } from './regression-metrics';
export type { RegressionMetrics } from './regression-metrics';
export { lowConfidenceShare } from './low-confidence-share';
export { median } from './median';
export { evaluateQuality } from './evaluate-quality';
export { predictionShare, qualityFromTally, tallyJoin } from './quality-report';
export type { JoinTally, PredictionTallies, QualityOptions, QualityReport } from './quality-report';
export {
  DEFAULT_MAX_HELD_LABELS,
  DEFAULT_MAX_HELD_PREDICTIONS,
  LABEL_JOIN_FORMAT_VERSION,
  LABEL_JOIN_STATE_FORMAT,
  MAX_ROWS_PER_KEY,
  createLabelJoinState,
  labelJoinStateFromJson,
} from './label-join-state';
export type {
  ExactPredictionCounts,
  LabelInput,
  LabelJoinState,
  LabelJoinStateJson,
  LabelJoinStateOptions,
  LabelJoinStats,
  PredictionInput,
  StateQualityOptions,
} from './label-join-state';
export { KEY_HASH_SPACE, keyHash, labelJoinKey } from './key-hash';
