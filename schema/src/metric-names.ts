/**
 * The metric catalog: every Prometheus metric Plumbline emits, in one place.
 *
 * The sidecar and the exporter create their metrics from these descriptors (with an injected prom-client
 * Registry); dashboards and alert rules are checked against this list, so nothing can query a metric that no
 * service emits. docs/metrics.md is the human-readable copy, and a test keeps the two in step.
 *
 * Conventions: base units in names (`_seconds`, `_bytes`), counters end in `_total`, labels are bounded
 * (never payload values; `feature` only for features named in config or in a baseline).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDescriptor {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
  /** Which service emits it. */
  readonly emitter: 'sidecar' | 'exporter';
  /**
   * `process`: one of prom-client's default metrics (collectDefaultMetrics, through collectProcessMetrics): the
   * service does not create it from this descriptor, prom-client does, under the service's prefix; name, type and
   * labels are prom-client 15's, and a test keeps them in step.
   */
  readonly origin?: 'process';
}

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1] as const;
const RATIO_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] as const;
const BYTES_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216] as const;

function m<const T extends MetricDescriptor>(d: T): T {
  return d;
}

const MV = ['model', 'model_version'] as const;

export const SIDECAR_METRICS = {
  requests: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_requests_total',
    type: 'counter',
    help: 'Requests proxied to the model server, by HTTP status the client received.',
    labels: [...MV, 'protocol', 'status'],
  }),
  requestDuration: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_request_duration_seconds',
    type: 'histogram',
    help: 'Time from request received to response written, as the sidecar saw it.',
    labels: [...MV, 'protocol'],
    buckets: LATENCY_BUCKETS,
  }),
  upstreamDuration: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_upstream_duration_seconds',
    type: 'histogram',
    help: 'Time spent waiting on the model server (request sent to response fully received).',
    labels: [...MV, 'protocol'],
    buckets: LATENCY_BUCKETS,
  }),
  overhead: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_overhead_seconds',
    type: 'histogram',
    help: "The sidecar's own share of each request: total minus upstream time.",
    labels: [...MV, 'protocol'],
    buckets: OVERHEAD_BUCKETS,
  }),
  upstreamErrors: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_upstream_errors_total',
    type: 'counter',
    help: 'Requests the model server could not answer, by reason: refused, reset or invalid_response (502), unavailable (503), timeout (504). model_version: the version the request named (path, header or config), "" when none.',
    labels: [...MV, 'reason'],
  }),
  payloadBytes: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_payload_bytes',
    type: 'histogram',
    help: 'Body size of requests and responses; direction is request or response.',
    labels: [...MV, 'direction'],
    buckets: BYTES_BUCKETS,
  }),
  predictions: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_predictions_total',
    type: 'counter',
    help: 'Predicted rows by class (classifiers).',
    labels: [...MV, 'class'],
  }),
  confidence: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_prediction_confidence',
    type: 'histogram',
    help: 'Confidence (max class probability) of each predicted row.',
    labels: [...MV],
    buckets: RATIO_BUCKETS,
  }),
  regressionOutput: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_regression_output',
    type: 'histogram',
    help: 'Predicted value of each row (regressors); buckets are configurable per model.',
    labels: [...MV],
    buckets: [-100, -10, -1, 0, 1, 10, 100, 1000],
  }),
  invalidOutputs: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_invalid_outputs_total',
    type: 'counter',
    help: 'Output rows that were NaN, Inf or null; kind is nan, inf or null.',
    labels: [...MV, 'kind'],
  }),
  featureValue: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_feature_value',
    type: 'histogram',
    help: 'Value of numeric features named in config (bounded cardinality).',
    labels: [...MV, 'feature'],
    buckets: [-100, -10, -1, 0, 1, 2, 5, 10, 100, 1000],
  }),
  events: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_events_total',
    type: 'counter',
    help: 'Inference events captured (one per row), before sampling.',
    labels: [...MV],
  }),
  unparsed: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_unparsed_bodies_total',
    type: 'counter',
    help: 'Bodies an adapter could not read; the request was still proxied. direction is request or response; model_version "" when the body that named it could not be read and nothing else did.',
    labels: [...MV, 'protocol', 'direction'],
  }),
  feedback: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_feedback_events_total',
    type: 'counter',
    help: 'Ground-truth feedback events accepted on POST /feedback; model_version as the feedback names it ("" when it names none).',
    labels: [...MV],
  }),
  humanLabels: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_human_labels_total',
    type: 'counter',
    help: 'Human labels accepted on POST /feedback: events with `source: "human"` or a review action that confirm or correct a prediction (not reject or retract), posted directly or by the exporter\'s review API. The humanLabels retrain trigger counts these.',
    labels: [...MV],
  }),
  sinkQueueDepth: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_sink_queue_depth',
    type: 'gauge',
    help: 'Events waiting in memory for a sink.',
    labels: ['sink'],
  }),
  sinkWritten: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_sink_events_written_total',
    type: 'counter',
    help: 'Events a sink acknowledged.',
    labels: ['sink'],
  }),
  spooled: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_events_spooled_total',
    type: 'counter',
    help: 'Events written to the local spool because a sink was down, slow or refused them.',
    labels: ['sink'],
  }),
  replayed: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_events_replayed_total',
    type: 'counter',
    help: 'Spooled events delivered to their sink after it returned.',
    labels: ['sink'],
  }),
  dropped: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_events_dropped_total',
    type: 'counter',
    help: 'Events not delivered to a sink, by reason: sampled_out, capture_backlog (exchanges), spool_full, queue_full, spool_error, closed, expired, submit_error (lost); oversize, rejected (kept in the dead-letter stream).',
    labels: ['sink', 'reason'],
  }),
  spoolBytes: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_spool_bytes',
    type: 'gauge',
    help: 'Bytes held in the local spool.',
    labels: [],
  }),
  shadowRequests: m({
    emitter: 'sidecar',
    name: 'plumbline_sidecar_shadow_requests_total',
    type: 'counter',
    help: 'Copies of requests for the shadow model (challenger), each counted once by how it ended: sent (answered below 500), error (refused, reset or a 5xx answer), timeout (no full answer within shadow.timeoutMs), dropped (not sent: maxConcurrent copies already in flight, the request body was not kept whole, the client left, or the sidecar was stopping).',
    labels: ['model', 'outcome'],
  }),
} as const;

const MVF = [...MV, 'feature'] as const;
const MVFS = [...MVF, 'stattest'] as const;

export const EXPORTER_METRICS = {
  driftStatistic: m({
    emitter: 'exporter',
    name: 'plumbline_drift_statistic',
    type: 'gauge',
    help: 'Drift test statistic of a feature in the latest window (KS D, chi-square, PSI, distance).',
    labels: MVFS,
  }),
  driftPValue: m({
    emitter: 'exporter',
    name: 'plumbline_drift_p_value',
    type: 'gauge',
    help: 'p-value of a drift test that has one, in the latest window.',
    labels: MVFS,
  }),
  driftThreshold: m({
    emitter: 'exporter',
    name: 'plumbline_drift_threshold',
    type: 'gauge',
    help: 'Threshold the drift rule compares with: alpha for p-value tests, a distance for the others.',
    labels: MVFS,
  }),
  driftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_drift_detected',
    type: 'gauge',
    help: '1 when the test flags drift of the feature in the latest window, else 0.',
    labels: MVFS,
  }),
  datasetDriftShare: m({
    emitter: 'exporter',
    name: 'plumbline_dataset_drift_share',
    type: 'gauge',
    help: 'Share of features that drift in the latest window (after the configured correction).',
    labels: [...MV],
  }),
  datasetDriftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_dataset_drift_detected',
    type: 'gauge',
    help: '1 when the dataset verdict is drift in the latest window, else 0.',
    labels: [...MV],
  }),
  multivariateDriftError: m({
    emitter: 'exporter',
    name: 'plumbline_multivariate_drift_error',
    type: 'gauge',
    help: "Mean reconstruction error of the latest window's rows under the reference's PCA (multivariate drift by data reconstruction, docs/stattests.md).",
    labels: [...MV],
  }),
  multivariateDriftUpper: m({
    emitter: 'exporter',
    name: 'plumbline_multivariate_drift_upper_threshold',
    type: 'gauge',
    help: "Upper threshold of the reconstruction error for the latest window's row count (reference mean + 3 sigma / sqrt(rows)).",
    labels: [...MV],
  }),
  multivariateDriftLower: m({
    emitter: 'exporter',
    name: 'plumbline_multivariate_drift_lower_threshold',
    type: 'gauge',
    help: 'Lower threshold of the reconstruction error (absent when it would be at or below 0).',
    labels: [...MV],
  }),
  multivariateDriftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_multivariate_drift_detected',
    type: 'gauge',
    help: "1 when the latest window's reconstruction error is outside its thresholds (a change in how features move together), else 0.",
    labels: [...MV],
  }),
  dataQualityValue: m({
    emitter: 'exporter',
    name: 'plumbline_data_quality_value',
    type: 'gauge',
    help: 'Value of a data-quality check in the latest window: a share in [0, 1], or 0 / 1 for missing_column and constant (docs/stattests.md, "Data-quality checks").',
    labels: [...MV, 'feature', 'check'],
  }),
  dataQualityThreshold: m({
    emitter: 'exporter',
    name: 'plumbline_data_quality_threshold',
    type: 'gauge',
    help: 'Threshold of a data-quality check in the latest window: it fails when the value is above it.',
    labels: [...MV, 'feature', 'check'],
  }),
  dataQualityFailed: m({
    emitter: 'exporter',
    name: 'plumbline_data_quality_failed',
    type: 'gauge',
    help: '1 when a data-quality check failed in the latest window, else 0.',
    labels: [...MV, 'feature', 'check'],
  }),
  dataQualityFailedChecks: m({
    emitter: 'exporter',
    name: 'plumbline_data_quality_failed_checks',
    type: 'gauge',
    help: 'Data-quality checks that failed in the latest window (0 when every check passed).',
    labels: [...MV],
  }),
  featureMean: m({
    emitter: 'exporter',
    name: 'plumbline_feature_mean',
    type: 'gauge',
    help: 'Mean of a numerical feature in the latest window.',
    labels: MVF,
  }),
  featureStd: m({
    emitter: 'exporter',
    name: 'plumbline_feature_std',
    type: 'gauge',
    help: 'Standard deviation of a numerical feature in the latest window.',
    labels: MVF,
  }),
  featureMin: m({
    emitter: 'exporter',
    name: 'plumbline_feature_min',
    type: 'gauge',
    help: 'Minimum of a numerical feature in the latest window.',
    labels: MVF,
  }),
  featureMax: m({
    emitter: 'exporter',
    name: 'plumbline_feature_max',
    type: 'gauge',
    help: 'Maximum of a numerical feature in the latest window.',
    labels: MVF,
  }),
  featureQuantile: m({
    emitter: 'exporter',
    name: 'plumbline_feature_quantile',
    type: 'gauge',
    // `q`, not `quantile`: Prometheus reserves the `quantile` label for summaries (promtool check metrics).
    help: 'Quantile q (0.05, 0.25, 0.5, 0.75, 0.95; numpy linear) of a numerical feature in the latest window.',
    labels: [...MVF, 'q'],
  }),
  featureMissingRatio: m({
    emitter: 'exporter',
    name: 'plumbline_feature_missing_ratio',
    type: 'gauge',
    help: 'Share of missing values (null, empty, NaN) of a feature in the latest window.',
    labels: MVF,
  }),
  predictionShare: m({
    emitter: 'exporter',
    name: 'plumbline_prediction_share',
    type: 'gauge',
    help: 'Share of predictions per class in the latest window.',
    labels: [...MV, 'class'],
  }),
  predictionDriftStatistic: m({
    emitter: 'exporter',
    name: 'plumbline_prediction_drift_statistic',
    type: 'gauge',
    help: 'Drift statistic of the model output against the baseline.',
    labels: [...MV, 'stattest'],
  }),
  predictionDriftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_prediction_drift_detected',
    type: 'gauge',
    help: '1 when the model output drifts against the baseline.',
    labels: [...MV, 'stattest'],
  }),
  labelDriftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_label_drift_detected',
    type: 'gauge',
    help: '1 when the ground-truth labels drift against the baseline.',
    labels: [...MV, 'stattest'],
  }),
  confusionMatrix: m({
    emitter: 'exporter',
    // Not `_count`: that suffix is reserved for histograms and summaries (promtool check metrics).
    name: 'plumbline_confusion_matrix_rows',
    type: 'gauge',
    help: 'Rows with ground truth `actual` that the model predicted as `predicted`, in the latest window.',
    labels: [...MV, 'actual', 'predicted'],
  }),
  accuracy: m({
    emitter: 'exporter',
    name: 'plumbline_model_accuracy',
    type: 'gauge',
    help: 'Accuracy over rows with ground truth in the latest window.',
    labels: [...MV],
  }),
  precision: m({
    emitter: 'exporter',
    name: 'plumbline_model_precision',
    type: 'gauge',
    help: 'Precision per class.',
    labels: [...MV, 'class'],
  }),
  recall: m({
    emitter: 'exporter',
    name: 'plumbline_model_recall',
    type: 'gauge',
    help: 'Recall per class.',
    labels: [...MV, 'class'],
  }),
  f1: m({
    emitter: 'exporter',
    name: 'plumbline_model_f1',
    type: 'gauge',
    help: 'F1 per class.',
    labels: [...MV, 'class'],
  }),
  f1Macro: m({
    emitter: 'exporter',
    name: 'plumbline_model_f1_macro',
    type: 'gauge',
    help: 'Unweighted mean of per-class F1.',
    labels: [...MV],
  }),
  f1Micro: m({
    emitter: 'exporter',
    name: 'plumbline_model_f1_micro',
    type: 'gauge',
    help: 'F1 over all rows pooled (equals accuracy for single-label classification).',
    labels: [...MV],
  }),
  mae: m({
    emitter: 'exporter',
    name: 'plumbline_model_mae',
    type: 'gauge',
    help: 'Mean absolute error (regression).',
    labels: [...MV],
  }),
  rmse: m({
    emitter: 'exporter',
    name: 'plumbline_model_rmse',
    type: 'gauge',
    help: 'Root mean squared error (regression).',
    labels: [...MV],
  }),
  labelDelay: m({
    emitter: 'exporter',
    name: 'plumbline_label_delay_seconds',
    type: 'gauge',
    help: 'Median time from prediction to its ground truth in the latest window.',
    labels: [...MV],
  }),
  realizedPredictionRows: m({
    emitter: 'exporter',
    name: 'plumbline_realized_prediction_rows',
    type: 'gauge',
    help: 'Predictions made in the reporting range `range` (1h, 24h, 7d: quality.ranges), whose realized quality the plumbline_realized_* gauges report (docs/stattests.md, "Realized quality by prediction time").',
    labels: ['model', 'range'],
  }),
  realizedLabelledRows: m({
    emitter: 'exporter',
    name: 'plumbline_realized_labelled_rows',
    type: 'gauge',
    help: 'Predictions made in the reporting range whose label has arrived so far (joined up to quality.labelHorizon late).',
    labels: ['model', 'range'],
  }),
  realizedLabelCoverage: m({
    emitter: 'exporter',
    name: 'plumbline_realized_label_coverage',
    type: 'gauge',
    help: 'Label coverage of the reporting range: labelled share of the predictions made in it (labelled_rows / prediction_rows).',
    labels: ['model', 'range'],
  }),
  realizedClassLabelCoverage: m({
    emitter: 'exporter',
    name: 'plumbline_realized_class_label_coverage',
    type: 'gauge',
    help: 'Label coverage of the predictions of one predicted class made in the reporting range.',
    labels: ['model', 'range', 'class'],
  }),
  realizedAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_realized_accuracy',
    type: 'gauge',
    help: 'Accuracy of the predictions made in the reporting range, over those labelled so far (see plumbline_realized_label_coverage).',
    labels: ['model', 'range'],
  }),
  realizedPrecisionMacro: m({
    emitter: 'exporter',
    name: 'plumbline_realized_precision_macro',
    type: 'gauge',
    help: 'Unweighted mean of per-class precision of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range'],
  }),
  realizedRecallMacro: m({
    emitter: 'exporter',
    name: 'plumbline_realized_recall_macro',
    type: 'gauge',
    help: 'Unweighted mean of per-class recall of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range'],
  }),
  realizedF1Macro: m({
    emitter: 'exporter',
    name: 'plumbline_realized_f1_macro',
    type: 'gauge',
    help: 'Unweighted mean of per-class F1 of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range'],
  }),
  realizedPrecision: m({
    emitter: 'exporter',
    name: 'plumbline_realized_precision',
    type: 'gauge',
    help: 'Precision per class of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range', 'class'],
  }),
  realizedRecall: m({
    emitter: 'exporter',
    name: 'plumbline_realized_recall',
    type: 'gauge',
    help: 'Recall per class of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range', 'class'],
  }),
  realizedF1: m({
    emitter: 'exporter',
    name: 'plumbline_realized_f1',
    type: 'gauge',
    help: 'F1 per class of the predictions made in the reporting range, over those labelled so far.',
    labels: ['model', 'range', 'class'],
  }),
  realizedMae: m({
    emitter: 'exporter',
    name: 'plumbline_realized_mae',
    type: 'gauge',
    help: 'Mean absolute error of the predictions made in the reporting range, over those labelled so far (regression).',
    labels: ['model', 'range'],
  }),
  realizedRmse: m({
    emitter: 'exporter',
    name: 'plumbline_realized_rmse',
    type: 'gauge',
    help: 'Root mean squared error of the predictions made in the reporting range, over those labelled so far (regression).',
    labels: ['model', 'range'],
  }),
  labelsUnjoined: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_labels_unjoined_total',
    type: 'counter',
    help: 'Feedback events not joined to a prediction, by reason: expired (its prediction is older than quality.labelHorizon), unknown (no prediction with its request id and row was found, waiting up to the window retention for it). A label that names no model is looked up in every watched model and counted under each.',
    labels: ['model', 'reason'],
  }),
  labelHorizonPredictions: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_label_horizon_predictions',
    type: 'gauge',
    help: 'Predictions the label horizon store holds on disk (every watched model, up to quality.labelHorizon plus a day).',
    labels: [],
  }),
  labelHorizonDiskBytes: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_label_horizon_disk_bytes',
    type: 'gauge',
    help: 'Bytes on disk of the label horizon store (its LMDB file).',
    labels: [],
  }),
  lowConfidenceShare: m({
    emitter: 'exporter',
    name: 'plumbline_low_confidence_share',
    type: 'gauge',
    help: 'Share of predictions below the confidence threshold (handed to a human).',
    labels: [...MV],
  }),
  routingShare: m({
    emitter: 'exporter',
    name: 'plumbline_review_routing_share',
    type: 'gauge',
    help: "Share of the latest window's predictions by route: `automatic` (confidence at or above its limit: the class's `classThresholds` entry, else the model's `confidenceThreshold`) or `people` (below it: the review queue).",
    labels: [...MV, 'route'],
  }),
  routingAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_review_routing_accuracy',
    type: 'gauge',
    help: "Realized accuracy of each route's labelled predictions in the latest window (absent for a route with no labelled row).",
    labels: [...MV, 'route'],
  }),
  reviewActions: m({
    emitter: 'exporter',
    name: 'plumbline_review_actions_total',
    type: 'counter',
    help: 'Reviews written through the review API (`POST /api/models/{model}/review`) by action: confirm, correct, reject, retract.',
    labels: ['model', 'action'],
  }),
  estimatedConfusionMatrix: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_confusion_matrix_rows',
    type: 'gauge',
    help: 'Expected rows with ground truth `actual` predicted as `predicted` in the latest window, estimated without labels (sum of calibrated probabilities).',
    labels: [...MV, 'actual', 'predicted'],
  }),
  estimatedAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_accuracy',
    type: 'gauge',
    help: 'Accuracy estimated without labels from calibrated probabilities over the latest window (docs/quality.md).',
    labels: [...MV],
  }),
  estimatedAccuracyLower: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_accuracy_lower',
    type: 'gauge',
    help: 'Lower bound of the estimated accuracy’s 95% sampling band.',
    labels: [...MV],
  }),
  estimatedAccuracyUpper: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_accuracy_upper',
    type: 'gauge',
    help: 'Upper bound of the estimated accuracy’s 95% sampling band.',
    labels: [...MV],
  }),
  estimatedPrecisionMacro: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_precision_macro',
    type: 'gauge',
    help: 'Macro precision estimated without labels over the latest window.',
    labels: [...MV],
  }),
  estimatedRecallMacro: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_recall_macro',
    type: 'gauge',
    help: 'Macro recall estimated without labels over the latest window.',
    labels: [...MV],
  }),
  estimatedF1Macro: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_f1_macro',
    type: 'gauge',
    help: 'Macro F1 estimated without labels over the latest window.',
    labels: [...MV],
  }),
  estimatedF1MacroLower: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_f1_macro_lower',
    type: 'gauge',
    help: 'Lower bound of the estimated macro F1’s 95% sampling band.',
    labels: [...MV],
  }),
  estimatedF1MacroUpper: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_f1_macro_upper',
    type: 'gauge',
    help: 'Upper bound of the estimated macro F1’s 95% sampling band.',
    labels: [...MV],
  }),
  estimatedRows: m({
    emitter: 'exporter',
    name: 'plumbline_estimated_rows',
    type: 'gauge',
    help: 'Rows of the latest window the label-free estimate covers (predicted class and probabilities present).',
    labels: [...MV],
  }),
  rangeEstimatedAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_accuracy',
    type: 'gauge',
    help: 'Accuracy estimated without labels over the predictions made in the reporting range `range` (quality.ranges), beside plumbline_realized_accuracy: each prediction calibrated by the quality baseline in force when it was taken (docs/quality.md, "Per reporting range").',
    labels: ['model', 'range'],
  }),
  rangeEstimatedAccuracyLower: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_accuracy_lower',
    type: 'gauge',
    help: 'Lower bound of the 95% sampling band of the accuracy estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedAccuracyUpper: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_accuracy_upper',
    type: 'gauge',
    help: 'Upper bound of the 95% sampling band of the accuracy estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedPrecisionMacro: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_precision_macro',
    type: 'gauge',
    help: 'Macro precision estimated without labels over the predictions made in the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedPrecisionMacroLower: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_precision_macro_lower',
    type: 'gauge',
    help: 'Lower bound of the 95% sampling band of the macro precision estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedPrecisionMacroUpper: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_precision_macro_upper',
    type: 'gauge',
    help: 'Upper bound of the 95% sampling band of the macro precision estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedRecallMacro: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_recall_macro',
    type: 'gauge',
    help: 'Macro recall estimated without labels over the predictions made in the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedRecallMacroLower: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_recall_macro_lower',
    type: 'gauge',
    help: 'Lower bound of the 95% sampling band of the macro recall estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedRecallMacroUpper: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_recall_macro_upper',
    type: 'gauge',
    help: 'Upper bound of the 95% sampling band of the macro recall estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedF1Macro: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_f1_macro',
    type: 'gauge',
    help: 'Macro F1 estimated without labels over the predictions made in the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedF1MacroLower: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_f1_macro_lower',
    type: 'gauge',
    help: 'Lower bound of the 95% sampling band of the macro F1 estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedF1MacroUpper: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_f1_macro_upper',
    type: 'gauge',
    help: 'Upper bound of the 95% sampling band of the macro F1 estimated over the reporting range.',
    labels: ['model', 'range'],
  }),
  rangeEstimatedRows: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_rows',
    type: 'gauge',
    help: 'Predictions made in the reporting range that the label-free estimate covers (predicted class and probabilities present, a quality baseline in force when taken).',
    labels: ['model', 'range'],
  }),
  rangeEstimatedSkippedRows: m({
    emitter: 'exporter',
    name: 'plumbline_range_estimated_skipped_rows',
    type: 'gauge',
    help: 'Predictions made in the reporting range left out of the label-free estimate: no quality baseline in force when taken, no usable probabilities, or calibrated for other classes.',
    labels: ['model', 'range'],
  }),
  baselineAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_baseline_accuracy',
    type: 'gauge',
    help: 'Realized accuracy of the reference (the quality baseline stored with the profile).',
    labels: [...MV],
  }),
  baselineF1Macro: m({
    emitter: 'exporter',
    name: 'plumbline_baseline_f1_macro',
    type: 'gauge',
    help: 'Realized macro F1 of the reference (the quality baseline stored with the profile).',
    labels: [...MV],
  }),
  windowSamples: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_window_samples',
    type: 'gauge',
    help: 'Rows in the latest evaluated window.',
    labels: [...MV],
  }),
  windowSampledShare: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_window_sampled_share',
    type: 'gauge',
    help: "Share of the latest window's rows in the uniform sample its raw-value tests (KS, Wasserstein, quantiles) ran on; 1 when they saw every row. Counts are exact whatever it is.",
    labels: [...MV],
  }),
  evaluationDuration: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_evaluation_duration_seconds',
    type: 'histogram',
    help: 'Time one evaluation of one model took.',
    labels: ['model'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
  }),
  lastSuccess: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful evaluation of a model.',
    labels: ['model'],
  }),
  evaluationErrors: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_evaluation_errors_total',
    type: 'counter',
    help: 'Evaluations that failed, by stage.',
    labels: ['model', 'stage'],
  }),
  eventsConsumed: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_events_consumed_total',
    type: 'counter',
    help: 'Events read from a source (elasticsearch, kafka, spool), by kind (inference, feedback).',
    labels: ['source', 'kind'],
  }),
  eventsInvalid: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_events_invalid_total',
    type: 'counter',
    help: 'Events a source delivered that failed the event schema (skipped, not evaluated), by source and kind.',
    labels: ['source', 'kind'],
  }),
  eventsSkipped: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_events_skipped_total',
    type: 'counter',
    help: 'Valid events not folded into a window, by source and reason: duplicate (an event id seen again within the dedupe horizon: a redelivery), out_of_retention (older than the longest window, or that far in the future).',
    labels: ['source', 'reason'],
  }),
  checkpointDuration: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_checkpoint_duration_seconds',
    type: 'histogram',
    help: 'Time one checkpoint of the window state took (the changed buckets and the source position).',
    labels: [],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
  }),
  checkpointErrors: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_checkpoint_errors_total',
    type: 'counter',
    help: 'Checkpoints of the window state that failed to be written (the previous one stays valid).',
    labels: [],
  }),
  windowStatus: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_window_status',
    type: 'gauge',
    help: 'State of the latest window, one series per state (ok, insufficient_data, no_baseline, error); 1 marks the current one.',
    labels: [...MV, 'status'],
  }),
  notifications: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_notifications_total',
    type: 'counter',
    help: 'Drift notifications sent, by channel and result.',
    labels: ['channel', 'result'],
  }),
  versionWindowSamples: m({
    emitter: 'exporter',
    name: 'plumbline_version_window_samples',
    type: 'gauge',
    help: 'Rows of one model version in the latest window (the versions side by side, exporter README "Versions and segments").',
    labels: [...MV],
  }),
  versionErrorRatio: m({
    emitter: 'exporter',
    name: 'plumbline_version_error_ratio',
    type: 'gauge',
    help: "Share of one version's rows in the latest window that errored (HTTP status ≥ 400 or an error the sidecar recorded).",
    labels: [...MV],
  }),
  versionLatency: m({
    emitter: 'exporter',
    name: 'plumbline_version_latency_seconds',
    type: 'gauge',
    // `q`, not `quantile` (reserved for summaries), as plumbline_feature_quantile.
    help: "Quantile q (0.5, 0.9, 0.99; within 1%) of one version's request latency (latency_ms.total) in the latest window.",
    labels: [...MV, 'q'],
  }),
  versionAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_version_accuracy',
    type: 'gauge',
    help: 'Accuracy of one version on the labelled rows of the latest window (classifiers).',
    labels: [...MV],
  }),
  versionEstimatedAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_version_estimated_accuracy',
    type: 'gauge',
    help: 'Accuracy of one version in the latest window estimated without labels from its calibrated confidence (docs/quality.md); absent without a quality baseline.',
    labels: [...MV],
  }),
  versionLabelledSamples: m({
    emitter: 'exporter',
    name: 'plumbline_version_labelled_samples',
    type: 'gauge',
    help: 'Rows of one version in the latest window with joined ground truth.',
    labels: [...MV],
  }),
  versionMae: m({
    emitter: 'exporter',
    name: 'plumbline_version_mae',
    type: 'gauge',
    help: 'Mean absolute error of one version on the labelled rows of the latest window (regressors).',
    labels: [...MV],
  }),
  versionDatasetDriftShare: m({
    emitter: 'exporter',
    name: 'plumbline_version_dataset_drift_share',
    type: 'gauge',
    help: "Share of features drifting in one version's rows of the latest window, against the model's baseline.",
    labels: [...MV],
  }),
  versionDataQualityFailedChecks: m({
    emitter: 'exporter',
    name: 'plumbline_version_data_quality_failed_checks',
    type: 'gauge',
    help: "Data-quality checks failing on one version's rows of the latest window.",
    labels: [...MV],
  }),
  versionLowConfidenceShare: m({
    emitter: 'exporter',
    name: 'plumbline_version_low_confidence_share',
    type: 'gauge',
    help: "Share of one version's predictions in the latest window whose confidence is below confidenceThreshold.",
    labels: [...MV],
  }),
  versionPredictionShare: m({
    emitter: 'exporter',
    name: 'plumbline_version_prediction_share',
    type: 'gauge',
    help: "Share of one version's predictions per class in the latest window.",
    labels: [...MV, 'class'],
  }),
  versionComparisonPValue: m({
    emitter: 'exporter',
    name: 'plumbline_version_comparison_p_value',
    type: 'gauge',
    help: 'p-value of the two-proportion z-test of a newer version (model_version) against the oldest in the window (baseline_version), per metric (error_rate, accuracy); absent below versions.minimumSamples.',
    labels: [...MV, 'baseline_version', 'metric'],
  }),
  versionComparisonWorse: m({
    emitter: 'exporter',
    name: 'plumbline_version_comparison_worse',
    type: 'gauge',
    help: '1 when a newer version (model_version) is significantly worse than the oldest in the window (baseline_version) on the metric (Bonferroni-corrected; docs/stattests.md "Comparing two versions"), else 0.',
    labels: [...MV, 'baseline_version', 'metric'],
  }),
  versionsEvicted: m({
    emitter: 'exporter',
    name: 'plumbline_exporter_versions_evicted_total',
    type: 'counter',
    help: 'Versions whose window state was dropped to keep at most versions.max per model (the one idle the longest goes).',
    labels: ['model'],
  }),
  shadowAgreementRatio: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_agreement_ratio',
    type: 'gauge',
    help: 'Share of the window\'s paired rows on which a shadow version (shadow_version) agrees with the primary (model_version): the same label for classifiers, a relative difference within shadow.regressionTolerance for regressors (docs/stattests.md "Shadow agreement").',
    labels: [...MV, 'shadow_version'],
  }),
  shadowPairs: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_pairs',
    type: 'gauge',
    help: 'Rows of the latest window answered by both the primary (model_version) and a shadow version (shadow_version), both with a prediction; estimated from a hash sample when a minute held more than shadow.maxRowsPerBucket rows.',
    labels: [...MV, 'shadow_version'],
  }),
  shadowAbsoluteDifference: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_absolute_difference',
    type: 'gauge',
    help: "Regressors: mean |shadow − primary| prediction over the window's paired rows, in the model's output unit.",
    labels: [...MV, 'shadow_version'],
  }),
  shadowRelativeDifference: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_relative_difference',
    type: 'gauge',
    help: "Regressors: mean |shadow − primary| / max(|shadow|, |primary|) over the window's paired rows (0 to 1).",
    labels: [...MV, 'shadow_version'],
  }),
  shadowAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_accuracy',
    type: 'gauge',
    help: 'Accuracy of a shadow version (model_version) on the rows of the latest window whose primary row has ground truth (classifiers).',
    labels: [...MV],
  }),
  shadowMae: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_mae',
    type: 'gauge',
    help: 'Mean absolute error of a shadow version (model_version) on the rows of the latest window whose primary row has ground truth (regressors).',
    labels: [...MV],
  }),
  shadowLabelledSamples: m({
    emitter: 'exporter',
    name: 'plumbline_shadow_labelled_samples',
    type: 'gauge',
    help: 'Rows of a shadow version (model_version) in the latest window whose primary row has ground truth.',
    labels: [...MV],
  }),
  segmentWindowSamples: m({
    emitter: 'exporter',
    name: 'plumbline_segment_window_samples',
    type: 'gauge',
    help: 'Rows of one segment (a value of a models[].segments feature, top K or `other`) in the latest window.',
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentErrorRatio: m({
    emitter: 'exporter',
    name: 'plumbline_segment_error_ratio',
    type: 'gauge',
    help: "Share of one segment's rows in the latest window that errored.",
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_segment_accuracy',
    type: 'gauge',
    help: 'Accuracy on the labelled rows of one segment in the latest window (classifiers).',
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentEstimatedAccuracy: m({
    emitter: 'exporter',
    name: 'plumbline_segment_estimated_accuracy',
    type: 'gauge',
    help: 'Accuracy of one segment in the latest window estimated without labels from its calibrated confidence (docs/quality.md); absent without a quality baseline.',
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentMae: m({
    emitter: 'exporter',
    name: 'plumbline_segment_mae',
    type: 'gauge',
    help: 'Mean absolute error on the labelled rows of one segment in the latest window (regressors).',
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentDatasetDriftShare: m({
    emitter: 'exporter',
    name: 'plumbline_segment_dataset_drift_share',
    type: 'gauge',
    help: "Share of features drifting in one segment's rows of the latest window, against the model's baseline.",
    labels: ['model', 'segment_feature', 'segment'],
  }),
  segmentDatasetDriftDetected: m({
    emitter: 'exporter',
    name: 'plumbline_segment_dataset_drift_detected',
    type: 'gauge',
    help: "1 when one segment's rows of the latest window drift as a dataset (the model's driftShare rule), else 0.",
    labels: ['model', 'segment_feature', 'segment'],
  }),
  retrainRequests: m({
    emitter: 'exporter',
    name: 'plumbline_retrain_requests_total',
    type: 'counter',
    help: 'Retrain requests, by outcome (triggered, cooldown, duplicate, unauthorized, failed).',
    labels: ['model', 'outcome'],
  }),
} as const;

/** The prefix each service puts before prom-client's default metric names (collectDefaultMetrics' `prefix`). */
export const PROCESS_METRICS_PREFIX = {
  sidecar: 'plumbline_sidecar_',
  exporter: 'plumbline_exporter_',
} as const;

/** How the process metrics are collected (collectDefaultMetrics' options besides the registry and the prefix). */
export const PROCESS_METRICS_OPTIONS = {
  /**
   * Sampling interval of the event-loop delay histogram (perf_hooks.monitorEventLoopDelay), in milliseconds. Its
   * samples are the time between two timer ticks, interval included: an idle loop reads about 0.010 s.
   */
  eventLoopMonitoringPrecision: 10,
  /** Buckets of nodejs_gc_duration_seconds (prom-client's defaults). */
  gcDurationBuckets: [0.001, 0.01, 0.1, 1, 2, 5],
} as const;

/**
 * prom-client's default gauges whose names end in `_total` (nodejs_active_{handles,requests,resources}_total):
 * `promtool check metrics` rejects a gauge named like a counter, so collectProcessMetrics unregisters them; the
 * same totals are `sum(…nodejs_active_handles)` and so on.
 */
export const PROCESS_METRICS_DROPPED = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * prom-client 15's default metrics as one service exposes them (names from node_modules/prom-client/lib/metrics/*).
 * CPU, resident memory, file descriptors and the start time describe the whole process; heap, GC, event loop and
 * active handles describe the thread that collects them (for the sidecar: the proxy thread, see
 * inference-sidecar/src/app.ts). The `process_virtual_memory_bytes`, `process_heap_bytes` and `*_fds` gauges exist
 * on Linux only.
 */
function processMetrics<E extends 'sidecar' | 'exporter'>(emitter: E) {
  const prefix = PROCESS_METRICS_PREFIX[emitter];
  /** A descriptor from prom-client's unprefixed name: the emitter's prefix, the emitter, origin `process`. */
  const p = <const T extends Omit<MetricDescriptor, 'emitter' | 'origin'>>(
    d: T,
  ): Omit<T, 'name'> & { name: string; emitter: E; origin: 'process' } => ({
    ...d,
    name: `${prefix}${d.name}`,
    emitter,
    origin: 'process',
  });
  return {
    cpuUser: p({
      name: 'process_cpu_user_seconds_total',
      type: 'counter',
      help: 'User CPU time the process spent, all threads (prom-client default metric).',
      labels: [],
    }),
    cpuSystem: p({
      name: 'process_cpu_system_seconds_total',
      type: 'counter',
      help: 'System CPU time the process spent, all threads (prom-client default metric).',
      labels: [],
    }),
    cpu: p({
      name: 'process_cpu_seconds_total',
      type: 'counter',
      help: 'User and system CPU time the process spent, all threads (prom-client default metric).',
      labels: [],
    }),
    startTime: p({
      name: 'process_start_time_seconds',
      type: 'gauge',
      help: 'Start time of the process, Unix seconds (prom-client default metric).',
      labels: [],
    }),
    residentMemory: p({
      name: 'process_resident_memory_bytes',
      type: 'gauge',
      help: 'Resident memory of the process (RSS), all threads (prom-client default metric).',
      labels: [],
    }),
    virtualMemory: p({
      name: 'process_virtual_memory_bytes',
      type: 'gauge',
      help: 'Virtual memory size of the process, Linux only (prom-client default metric).',
      labels: [],
    }),
    heap: p({
      name: 'process_heap_bytes',
      type: 'gauge',
      help: 'Data segment size of the process (VmData), Linux only (prom-client default metric).',
      labels: [],
    }),
    openFds: p({
      name: 'process_open_fds',
      type: 'gauge',
      help: 'Open file descriptors of the process, Linux only (prom-client default metric).',
      labels: [],
    }),
    maxFds: p({
      name: 'process_max_fds',
      type: 'gauge',
      help: 'Limit on open file descriptors of the process, Linux only (prom-client default metric).',
      labels: [],
    }),
    eventLoopLag: p({
      name: 'nodejs_eventloop_lag_seconds',
      type: 'gauge',
      help: 'Delay of a setImmediate queued at the previous scrape, collecting thread (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagMin: p({
      name: 'nodejs_eventloop_lag_min_seconds',
      type: 'gauge',
      help: 'Minimum event-loop delay since the previous scrape, collecting thread (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagMax: p({
      name: 'nodejs_eventloop_lag_max_seconds',
      type: 'gauge',
      help: 'Maximum event-loop delay since the previous scrape, collecting thread (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagMean: p({
      name: 'nodejs_eventloop_lag_mean_seconds',
      type: 'gauge',
      help: 'Mean event-loop delay since the previous scrape, collecting thread (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagStddev: p({
      name: 'nodejs_eventloop_lag_stddev_seconds',
      type: 'gauge',
      help: 'Standard deviation of the event-loop delay since the previous scrape (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagP50: p({
      name: 'nodejs_eventloop_lag_p50_seconds',
      type: 'gauge',
      help: 'Median event-loop delay since the previous scrape, collecting thread (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagP90: p({
      name: 'nodejs_eventloop_lag_p90_seconds',
      type: 'gauge',
      help: '90th percentile of the event-loop delay since the previous scrape (prom-client default metric).',
      labels: [],
    }),
    eventLoopLagP99: p({
      name: 'nodejs_eventloop_lag_p99_seconds',
      type: 'gauge',
      help: '99th percentile of the event-loop delay since the previous scrape (prom-client default metric).',
      labels: [],
    }),
    activeResources: p({
      name: 'nodejs_active_resources',
      type: 'gauge',
      help: 'Resources keeping the event loop alive, by async resource type (prom-client default metric).',
      labels: ['type'],
    }),
    activeHandles: p({
      name: 'nodejs_active_handles',
      type: 'gauge',
      help: 'Active libuv handles by handle class (prom-client default metric).',
      labels: ['type'],
    }),
    activeRequests: p({
      name: 'nodejs_active_requests',
      type: 'gauge',
      help: 'Active libuv requests by request class (prom-client default metric).',
      labels: ['type'],
    }),
    heapSizeTotal: p({
      name: 'nodejs_heap_size_total_bytes',
      type: 'gauge',
      help: 'V8 heap size of the collecting thread (prom-client default metric).',
      labels: [],
    }),
    heapSizeUsed: p({
      name: 'nodejs_heap_size_used_bytes',
      type: 'gauge',
      help: 'V8 heap used by the collecting thread (prom-client default metric).',
      labels: [],
    }),
    externalMemory: p({
      name: 'nodejs_external_memory_bytes',
      type: 'gauge',
      help: 'Memory of C++ objects bound to JavaScript objects of the collecting thread (prom-client default metric).',
      labels: [],
    }),
    heapSpaceTotal: p({
      name: 'nodejs_heap_space_size_total_bytes',
      type: 'gauge',
      help: 'Size of each V8 heap space (new, old, code, …) of the collecting thread (prom-client default metric).',
      labels: ['space'],
    }),
    heapSpaceUsed: p({
      name: 'nodejs_heap_space_size_used_bytes',
      type: 'gauge',
      help: 'Used size of each V8 heap space of the collecting thread (prom-client default metric).',
      labels: ['space'],
    }),
    heapSpaceAvailable: p({
      name: 'nodejs_heap_space_size_available_bytes',
      type: 'gauge',
      help: 'Available size of each V8 heap space of the collecting thread (prom-client default metric).',
      labels: ['space'],
    }),
    version: p({
      name: 'nodejs_version_info',
      type: 'gauge',
      help: 'Node.js version, always 1 (prom-client default metric).',
      labels: ['version', 'major', 'minor', 'patch'],
    }),
    gcDuration: p({
      name: 'nodejs_gc_duration_seconds',
      type: 'histogram',
      help: 'Garbage collection pauses of the collecting thread, by kind: major, minor, incremental or weakcb (prom-client default metric).',
      labels: ['kind'],
      buckets: PROCESS_METRICS_OPTIONS.gcDurationBuckets,
    }),
  } as const;
}

/** The sidecar's process metrics: plumbline_sidecar_process_*, plumbline_sidecar_nodejs_*. */
export const SIDECAR_PROCESS_METRICS = processMetrics('sidecar');
/** The exporter's process metrics: plumbline_exporter_process_*, plumbline_exporter_nodejs_*. */
export const EXPORTER_PROCESS_METRICS = processMetrics('exporter');

export const METRIC_CATALOG: readonly MetricDescriptor[] = [
  ...Object.values(SIDECAR_METRICS),
  ...Object.values(SIDECAR_PROCESS_METRICS),
  ...Object.values(EXPORTER_METRICS),
  ...Object.values(EXPORTER_PROCESS_METRICS),
];

/** The series names a metric exposes (histograms add _bucket, _sum, _count). */
export function exposedSeriesNames(d: MetricDescriptor): string[] {
  return d.type === 'histogram' ? [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`] : [d.name];
}

/** Every series name any Plumbline service exposes: what dashboards and alerts may query. */
export function knownSeriesNames(): Set<string> {
  return new Set(METRIC_CATALOG.flatMap(exposedSeriesNames));
}
