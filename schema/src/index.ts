export {
  SCHEMA_VERSION,
  PROTOCOLS,
  FeatureValueSchema,
  ModelRefSchema,
  OutputsSchema,
  InferenceEventSchema,
  EVENT_ROLES,
  ShadowOfSchema,
  inferenceEventId,
} from './inference-event';
export type {
  Protocol,
  FeatureValue,
  ModelRef,
  Outputs,
  InferenceEvent,
  EventRole,
  ShadowOf,
} from './inference-event';
export { FeedbackEventSchema, feedbackEventId, reviewEventId, REVIEW_ACTIONS } from './feedback-event';
export type { FeedbackEvent, ReviewAction } from './feedback-event';
export {
  HUMAN_SOURCE,
  foldFeedback,
  isHumanFeedback,
  labelOf,
  rowLabel,
  standingReview,
} from './label-precedence';
export type { LabelFeedback, LatestFeedback, RowFeedbackState, RowLabel } from './label-precedence';
export { validateInferenceEvent, validateFeedbackEvent } from './validate';
export type { Validation } from './validate';
export { inferenceEventJsonSchema, feedbackEventJsonSchema } from './json-schema';
export {
  SIDECAR_METRICS,
  EXPORTER_METRICS,
  SIDECAR_PROCESS_METRICS,
  EXPORTER_PROCESS_METRICS,
  PROCESS_METRICS_PREFIX,
  PROCESS_METRICS_OPTIONS,
  PROCESS_METRICS_DROPPED,
  METRIC_CATALOG,
  exposedSeriesNames,
  knownSeriesNames,
} from './metric-names';
export type { MetricDescriptor, MetricType } from './metric-names';
export { collectProcessMetrics, createMetric, createMetrics, getOrCreateMetric } from './prometheus';
export type { MetricFor } from './prometheus';
