/**
 * The alert catalogue: every Plumbline alert, written once.
 *
 * The Prometheus rule file (alerting/generated/prometheus/plumbline.rules.yml) and the Grafana-managed alert-rule
 * provisioning (alerting/generated/grafana/alert-rules.yaml) are both rendered from this list by
 * `npm run generate -w alerting`; a test fails when the committed files differ from a fresh rendering.
 *
 * Every `expr` is a PromQL filter: it returns one series per thing that is wrong (its comparison drops the rest),
 * so Prometheus fires one alert per returned series, and Grafana does the same through `count without ()`.
 * Metric names come from the catalog (schema/src/metric-names.ts); tests/contract checks that.
 */
import {
  EXPORTER_METRICS,
  EXPORTER_PROCESS_METRICS,
  SIDECAR_METRICS,
  SIDECAR_PROCESS_METRICS,
} from '@plumbline/schema';

/** Thresholds and windows. Change them here and regenerate; runbooks quote the defaults. */
export const ALERT_THRESHOLDS = {
  /** Length of one exporter evaluation window (the exporter's default window). @default 300 */
  driftWindowSeconds: 300,
  /** A feature must drift in this many consecutive windows before we alert. @default 3 */
  driftConsecutiveWindows: 3,
  /** Share of drifting features that makes the whole dataset drift (Evidently's default). @default 0.5 */
  datasetDriftShare: 0.5,
  /** PSI at or above this is a significant shift (0.1 moderate, 0.2 significant, industry convention). @default 0.2 */
  psi: 0.2,
  /** Accuracy / macro-F1 more than this below the trailing 7-day average (absolute points). @default 0.05 */
  qualityDrop: 0.05,
  /**
   * Realized or estimated accuracy / macro F1 more than this below the reference's realized quality (the quality
   * baseline stored with the profile, issue #11), absolute points. @default 0.05
   */
  referenceQualityDrop: 0.05,
  /** Rows the window's figure must rest on (labelled rows for realized, estimated rows for the estimate). @default 200 */
  referenceQualityMinRows: 200,
  /** How long the drop must last. @default 1800 (30 minutes) */
  referenceQualityForSeconds: 1800,
  /** Prediction rate change against the same hour last week, as a share. @default 0.4 */
  predictionRateChange: 0.4,
  /** Mean confidence over 15 min below this share of its mean over the previous day. @default 0.8 */
  confidenceCollapseRatio: 0.8,
  /** Latency SLO: requests slower than this count against the budget; must be a histogram bucket. @default 0.25 */
  latencySloSeconds: 0.25,
  /** Latency SLO target: share of requests within latencySloSeconds. @default 0.99 */
  latencySloTarget: 0.99,
  /** Events waiting in memory for one sink. @default 1000 */
  sinkBacklogEvents: 1000,
  /**
   * A data-quality check must fail this many window lengths before we page. The exporter evaluates its sliding
   * window every 60 s, so a burst of bad rows stays in the window, and fails the check, for a whole window length
   * after it ends: one window of `for` would page on a burst of a minute. Two windows page only on a break that
   * outlasts the window it appeared in. @default 2
   */
  dataQualityWindows: 2,
  /** Seconds since the exporter's last successful evaluation of a model. @default 900 */
  exporterStaleSeconds: 900,
  /**
   * p99 event-loop delay of a service's collecting thread (the sidecar's proxy thread), in seconds; samples include
   * the 10 ms sampling interval, so an idle loop reads about 0.01. @default 0.2
   */
  eventLoopLagSeconds: 0.2,
  /**
   * A newer version must stay significantly worse than the oldest in the window for this long before we page (the
   * exporter re-tests every step; one window length keeps a single unlucky step from paging). @default 300
   */
  rolloutWorseSeconds: 300,
} as const;

export type Severity = 'critical' | 'warning';
export type AlertCategory = 'drift' | 'quality' | 'predictions' | 'latency' | 'pipeline';

/** A dashboard an alert links to: uid and slug as the dashboards workspace provisions them. */
export interface DashboardLink {
  uid: string;
  slug: string;
}

export const DASHBOARDS = {
  overview: { uid: 'plumbline-model-overview', slug: 'plumbline-model-overview' },
  drift: { uid: 'plumbline-data-drift', slug: 'plumbline-data-drift' },
  quality: { uid: 'plumbline-model-quality', slug: 'plumbline-model-quality' },
  pipeline: { uid: 'plumbline-pipeline-health', slug: 'plumbline-pipeline-health' },
  versions: { uid: 'plumbline-model-versions', slug: 'plumbline-model-versions' },
} as const satisfies Record<string, DashboardLink>;

export interface AlertSpec {
  /** Prometheus alert name (PascalCase, `Plumbline` prefix). */
  name: string;
  /** Stable uid of the Grafana-managed copy (≤ 40 chars). */
  uid: string;
  category: AlertCategory;
  severity: Severity;
  /** A PromQL filter: one series per problem. */
  expr: string;
  /** How long the condition must hold, Prometheus duration. */
  for: string;
  /** One line; may use `{{ $labels.x }}`. */
  summary: string;
  /** What happened and what it means; may use `{{ $labels.x }}` and `{{VALUE}}` (the alert's value, formatted). */
  description: string;
  /** How `{{VALUE}}` is formatted: a share as %, a number (3 significant digits), a count (SI-humanized), seconds. */
  valueFormat: 'percentage' | 'number' | 'count' | 'seconds';
  /** File name under docs/runbooks/. */
  runbook: string;
  dashboard: DashboardLink;
  /** Labels of the alert's series passed to the dashboard as `var-<name>` (dashboard variable ← label). */
  dashboardVars: Record<string, string>;
  /**
   * A second figure the summary and description may quote as `{{THRESHOLD}}` (formatted like the value): the
   * series of `metric` with the alert's labels, `max by (<labels>) (metric{…})`. Prometheus reads it with a
   * template query, Grafana with a second query. `labels` must be the labels of the alert's series.
   */
  threshold?: { metric: string; labels: readonly string[] };
}

/** Prometheus job names the rules and the compose / Kubernetes scrape configs agree on. */
export const SCRAPE_JOBS = { sidecar: 'plumbline-sidecar', exporter: 'plumbline-exporter' } as const;

const T = ALERT_THRESHOLDS;
const S = SIDECAR_METRICS;
const E = EXPORTER_METRICS;
const MV = { model: 'model', version: 'model_version' };
/** The labels of a version comparison's series: the newer version, the one it is compared with, the metric. */
const VERSION_COMPARISON_LABELS = ['model', 'model_version', 'baseline_version', 'metric'] as const;

/** Formats a number for PromQL without floating-point noise (0.1 + 0.2 style). */
export function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Prometheus duration for a number of seconds (whole minutes when it divides). */
export function duration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

const errorBudget = 1 - T.latencySloTarget;

/** Recording rules the alerts (and the overview dashboard) use: the latency SLI over the burn-rate windows. */
export const BURN_RATE_WINDOWS = ['5m', '30m', '1h', '6h'] as const;
export type BurnRateWindow = (typeof BURN_RATE_WINDOWS)[number];

export function slowRatioRecord(window: BurnRateWindow): string {
  return `plumbline:sidecar_request_slow_ratio:rate${window}`;
}

export interface RecordingRuleSpec {
  record: string;
  expr: string;
}

export const RECORDING_RULES: readonly RecordingRuleSpec[] = BURN_RATE_WINDOWS.map((w) => ({
  record: slowRatioRecord(w),
  expr:
    `1 - (sum by (model) (rate(${S.requestDuration.name}_bucket{le="${num(T.latencySloSeconds)}"}[${w}]))` +
    ` / sum by (model) (rate(${S.requestDuration.name}_count[${w}])))`,
}));

const meanConfidence = (range: string, offset: string): string => {
  const off = offset ? ` offset ${offset}` : '';
  return (
    `sum by (model, model_version) (rate(${S.confidence.name}_sum[${range}]${off}))` +
    ` / sum by (model, model_version) (rate(${S.confidence.name}_count[${range}]${off}))`
  );
};

/** A quality score of the latest version below its model's 7-day average (before yesterday) by qualityDrop. */
function qualityBelowBaselineAlert(o: {
  name: string;
  uid: string;
  metric: string;
  /** What the score is called at the start of the summary and of the description. */
  short: string;
  long: string;
}): AlertSpec {
  return {
    name: o.name,
    uid: o.uid,
    category: 'quality',
    severity: 'critical',
    expr:
      `max by (model, model_version) (${o.metric})\n` +
      `  < on (model) group_left ()\n` +
      `    (avg by (model) (avg_over_time(${o.metric}[7d] offset 1d)) - ${num(T.qualityDrop)})`,
    for: '30m',
    summary: `${o.short} of {{ $labels.model }} fell to {{VALUE}}`,
    description:
      `${o.long} of model {{ $labels.model }} (version {{ $labels.model_version }}) is {{VALUE}}, more than ` +
      `${num(T.qualityDrop * 100)} points below its average over the 7 days before yesterday.`,
    valueFormat: 'percentage',
    runbook: 'quality-below-baseline.md',
    dashboard: DASHBOARDS.quality,
    dashboardVars: MV,
  };
}

/**
 * Issue #11: a quality figure of the latest window (realized from labels, or estimated without them) more than
 * `referenceQualityDrop` below the reference's realized figure (plumbline_baseline_*, from the profile), with at
 * least `referenceQualityMinRows` rows behind it, for `referenceQualityForSeconds`.
 */
function referenceQualityAlert(o: {
  name: string;
  uid: string;
  metric: string;
  baseline: string;
  /** A PromQL expression of the rows per (model, model_version) the figure rests on. */
  rows: string;
  short: string;
  long: string;
  kind: 'realized' | 'estimated';
}): AlertSpec {
  const mv = 'model, model_version';
  return {
    name: o.name,
    uid: o.uid,
    category: 'quality',
    severity: o.kind === 'realized' ? 'critical' : 'warning',
    expr:
      `max by (${mv}) (${o.metric})\n` +
      `  < on (${mv}) (max by (${mv}) (${o.baseline}) - ${num(T.referenceQualityDrop)})\n` +
      `  and on (${mv}) ${o.rows} >= ${num(T.referenceQualityMinRows)}`,
    for: duration(T.referenceQualityForSeconds),
    summary: `${o.short} of {{ $labels.model }} fell to {{VALUE}}, below its reference`,
    description:
      `${o.long} of model {{ $labels.model }} (version {{ $labels.model_version }}) is {{VALUE}}, more than ` +
      `${num(T.referenceQualityDrop * 100)} points below what it scored on its reference data (the quality baseline ` +
      `of \`plumbline baseline import\`), for ${duration(T.referenceQualityForSeconds)} with at least ` +
      `${num(T.referenceQualityMinRows)} rows.` +
      (o.kind === 'estimated'
        ? ' Estimated without labels from calibrated probabilities: it cannot see a change of P(y|x).'
        : ''),
    valueFormat: 'percentage',
    runbook: 'quality-below-reference.md',
    dashboard: DASHBOARDS.quality,
    dashboardVars: MV,
  };
}

/**
 * A multi-window burn-rate alert on the latency SLO (Google SRE workbook, "Alerting on SLOs"): the slow-request
 * ratio over both the long and the short window burns the error budget `factor` times faster than it lasts.
 */
function latencyBurnAlert(o: {
  speed: 'Fast' | 'Slow';
  severity: Severity;
  long: BurnRateWindow;
  short: BurnRateWindow;
  factor: number;
  for: string;
  /** The two windows in words, after "over the last". */
  windows: string;
  /** How long the 30-day budget lasts at this rate, in words. */
  budgetLasts: string;
}): AlertSpec {
  const slo = `${num(T.latencySloTarget * 100)}% within ${num(T.latencySloSeconds)} s`;
  return {
    name: `PlumblineLatencySlo${o.speed}Burn`,
    uid: `plumbline-latency-slo-${o.speed.toLowerCase()}-burn`,
    category: 'latency',
    severity: o.severity,
    expr:
      `${slowRatioRecord(o.long)} > ${num(o.factor * errorBudget)}\n` +
      `  and ${slowRatioRecord(o.short)} > ${num(o.factor * errorBudget)}`,
    for: o.for,
    summary: `{{ $labels.model }} burns its latency error budget ${num(o.factor)}x too fast`,
    description:
      `{{VALUE}} of requests to {{ $labels.model }} took longer than ${num(T.latencySloSeconds)} s over the last ` +
      `${o.windows} (SLO: ${slo}). At this rate the 30-day error budget is gone in ${o.budgetLasts}.`,
    valueFormat: 'percentage',
    runbook: 'latency-slo-burn.md',
    dashboard: DASHBOARDS.overview,
    dashboardVars: { model: 'model' },
  };
}

/** The p99 event-loop delay of every sidecar and exporter above the threshold, one series per process. */
const eventLoopLagExpr = [SIDECAR_PROCESS_METRICS, EXPORTER_PROCESS_METRICS]
  .map((p) => `max by (job, instance) (${p.eventLoopLagP99.name}) > ${num(T.eventLoopLagSeconds)}`)
  .join('\n  or ');

/** The labels a data-quality alert carries: one alert per model, feature and check, whatever the version. */
const DATA_QUALITY_LABELS = ['model', 'feature', 'check'] as const;

/** The alert the retrain bridge treats as output drift (it triggers only when its policy switch is on). */
export const PREDICTION_DRIFT_ALERT = 'PlumblinePredictionDriftPersistent';

const predictionRate = (offset: string): string =>
  `sum by (model) (rate(${S.predictions.name}[1h]${offset ? ` offset ${offset}` : ''}))`;

export const ALERTS: readonly AlertSpec[] = [
  {
    name: 'PlumblineFeatureDriftPersistent',
    uid: 'plumbline-feature-drift-persistent',
    category: 'drift',
    severity: 'warning',
    expr: `max by (model, model_version, feature) (${E.driftDetected.name}) == 1`,
    for: duration(T.driftWindowSeconds * T.driftConsecutiveWindows),
    summary: 'Feature {{ $labels.feature }} of {{ $labels.model }} drifts',
    description:
      `Feature {{ $labels.feature }} of model {{ $labels.model }} (version {{ $labels.model_version }}) has drifted ` +
      `against its baseline in every window for ${T.driftConsecutiveWindows} consecutive ` +
      `${duration(T.driftWindowSeconds)} windows.`,
    valueFormat: 'number',
    runbook: 'feature-drift.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: { ...MV, feature: 'feature' },
  },
  {
    name: 'PlumblineDatasetDriftShareHigh',
    uid: 'plumbline-dataset-drift-share-high',
    category: 'drift',
    severity: 'critical',
    expr: `max by (model, model_version) (${E.datasetDriftShare.name}) >= ${num(T.datasetDriftShare)}`,
    for: duration(T.driftWindowSeconds * 2),
    summary: 'Most features of {{ $labels.model }} drift',
    description:
      `{{VALUE}} of the features of model {{ $labels.model }} (version {{ $labels.model_version }}) drift ` +
      `(threshold ${num(T.datasetDriftShare * 100)}%): the input data no longer looks like the training data.`,
    valueFormat: 'percentage',
    runbook: 'dataset-drift.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: MV,
  },
  {
    name: PREDICTION_DRIFT_ALERT,
    uid: 'plumbline-prediction-drift-persistent',
    category: 'drift',
    severity: 'warning',
    // As the feature-drift alert: flagged by any of the output's tests (the metrics do not mark the deciding one).
    expr: `max by (model, model_version) (${E.predictionDriftDetected.name}) == 1`,
    for: duration(T.driftWindowSeconds * T.driftConsecutiveWindows),
    summary: 'Predictions of {{ $labels.model }} drift',
    description:
      `The output distribution of model {{ $labels.model }} (version {{ $labels.model_version }}) has drifted ` +
      `against its baseline in every window for ${T.driftConsecutiveWindows} consecutive ` +
      `${duration(T.driftWindowSeconds)} windows: the model answers differently than it did on the reference data.`,
    valueFormat: 'number',
    runbook: 'prediction-drift.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: MV,
  },
  {
    name: 'PlumblineMultivariateDrift',
    uid: 'plumbline-multivariate-drift',
    category: 'drift',
    severity: 'warning',
    expr:
      `max by (model, model_version) (${E.multivariateDriftError.name})\n` +
      `  and on (model, model_version) max by (model, model_version) (${E.multivariateDriftDetected.name}) == 1`,
    for: duration(T.driftWindowSeconds * T.driftConsecutiveWindows),
    summary: 'Features of {{ $labels.model }} no longer move together as in the baseline',
    description:
      `The reconstruction error of model {{ $labels.model }} (version {{ $labels.model_version }}) is {{VALUE}}, ` +
      `outside its thresholds in every window for ${T.driftConsecutiveWindows} consecutive ` +
      `${duration(T.driftWindowSeconds)} windows: the way the numerical features vary together has changed, even ` +
      `if each one alone may not drift.`,
    valueFormat: 'number',
    runbook: 'multivariate-drift.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: MV,
  },
  {
    name: 'PlumblinePsiHigh',
    uid: 'plumbline-psi-high',
    category: 'drift',
    severity: 'warning',
    expr: `max by (model, model_version, feature) (${E.driftStatistic.name}{stattest="psi"}) >= ${num(T.psi)}`,
    for: duration(T.driftWindowSeconds * 2),
    summary: 'PSI of {{ $labels.feature }} ({{ $labels.model }}) is {{VALUE}}',
    description:
      `The population stability index of feature {{ $labels.feature }} of model {{ $labels.model }} ` +
      `(version {{ $labels.model_version }}) is {{VALUE}}, at or above ${num(T.psi)} (a significant shift).`,
    valueFormat: 'number',
    runbook: 'psi-high.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: { ...MV, feature: 'feature' },
  },
  qualityBelowBaselineAlert({
    name: 'PlumblineAccuracyBelowBaseline',
    uid: 'plumbline-accuracy-below-baseline',
    metric: E.accuracy.name,
    short: 'Accuracy',
    long: 'Accuracy',
  }),
  qualityBelowBaselineAlert({
    name: 'PlumblineF1BelowBaseline',
    uid: 'plumbline-f1-below-baseline',
    metric: E.f1Macro.name,
    short: 'Macro F1',
    long: 'Macro-averaged F1',
  }),
  referenceQualityAlert({
    name: 'PlumblineAccuracyBelowReference',
    uid: 'plumbline-accuracy-below-reference',
    metric: E.accuracy.name,
    baseline: E.baselineAccuracy.name,
    rows: `sum by (model, model_version) (${E.confusionMatrix.name})`,
    short: 'Accuracy',
    long: 'Accuracy (from labels)',
    kind: 'realized',
  }),
  referenceQualityAlert({
    name: 'PlumblineF1BelowReference',
    uid: 'plumbline-f1-below-reference',
    metric: E.f1Macro.name,
    baseline: E.baselineF1Macro.name,
    rows: `sum by (model, model_version) (${E.confusionMatrix.name})`,
    short: 'Macro F1',
    long: 'Macro-averaged F1 (from labels)',
    kind: 'realized',
  }),
  referenceQualityAlert({
    name: 'PlumblineEstimatedAccuracyBelowReference',
    uid: 'plumbline-est-accuracy-below-reference',
    metric: E.estimatedAccuracy.name,
    baseline: E.baselineAccuracy.name,
    rows: `max by (model, model_version) (${E.estimatedRows.name})`,
    short: 'Estimated accuracy',
    long: 'Estimated accuracy',
    kind: 'estimated',
  }),
  referenceQualityAlert({
    name: 'PlumblineEstimatedF1BelowReference',
    uid: 'plumbline-est-f1-below-reference',
    metric: E.estimatedF1Macro.name,
    baseline: E.baselineF1Macro.name,
    rows: `max by (model, model_version) (${E.estimatedRows.name})`,
    short: 'Estimated macro F1',
    long: 'Estimated macro-averaged F1',
    kind: 'estimated',
  }),
  {
    name: 'PlumblineNewVersionWorse',
    uid: 'plumbline-new-version-worse',
    category: 'quality',
    severity: 'critical',
    // The comparison's p-value where the exporter found the newer version significantly worse (after Bonferroni).
    expr:
      `max by (${VERSION_COMPARISON_LABELS.join(', ')}) (${E.versionComparisonPValue.name})\n` +
      `  and on (${VERSION_COMPARISON_LABELS.join(', ')}) ` +
      `max by (${VERSION_COMPARISON_LABELS.join(', ')}) (${E.versionComparisonWorse.name}) == 1`,
    for: duration(T.rolloutWorseSeconds),
    summary:
      'Version {{ $labels.model_version }} of {{ $labels.model }} is worse than {{ $labels.baseline_version }} on {{ $labels.metric }}',
    description:
      `Version {{ $labels.model_version }} of model {{ $labels.model }} has been significantly worse than version ` +
      `{{ $labels.baseline_version }} on {{ $labels.metric }} (two-proportion z-test, p = {{VALUE}}, Bonferroni-` +
      `corrected) for ${duration(T.rolloutWorseSeconds)}, on the traffic both served in the same window. Stop the ` +
      `rollout or roll back before it takes more traffic.`,
    valueFormat: 'number',
    runbook: 'new-version-worse.md',
    dashboard: DASHBOARDS.versions,
    dashboardVars: { model: 'model', champion: 'baseline_version', challenger: 'model_version' },
  },
  {
    name: 'PlumblinePredictionRateChanged',
    uid: 'plumbline-prediction-rate-changed',
    category: 'predictions',
    severity: 'warning',
    expr:
      `abs(${predictionRate('')} / ${predictionRate('1w')} - 1) > ${num(T.predictionRateChange)}\n` +
      `  and on (model) ${predictionRate('1w')} > 0`,
    for: '15m',
    summary: 'Prediction rate of {{ $labels.model }} changed by {{VALUE}} week over week',
    description:
      `Predictions per second of model {{ $labels.model }} over the last hour differ by {{VALUE}} from the same ` +
      `hour last week (threshold ${num(T.predictionRateChange * 100)}%). Upstream traffic, a client bug or a ` +
      `broken feature pipeline are the usual causes.`,
    valueFormat: 'percentage',
    runbook: 'prediction-rate-changed.md',
    dashboard: DASHBOARDS.overview,
    dashboardVars: { model: 'model' },
  },
  {
    name: 'PlumblineInvalidPredictions',
    uid: 'plumbline-invalid-predictions',
    category: 'predictions',
    severity: 'critical',
    expr: `sum by (model, model_version, kind) (increase(${S.invalidOutputs.name}{kind=~"nan|inf"}[5m])) > 0`,
    for: '0m',
    summary: '{{ $labels.model }} returns {{ $labels.kind }} predictions',
    description:
      `Model {{ $labels.model }} (version {{ $labels.model_version }}) returned {{VALUE}} {{ $labels.kind }} ` +
      `outputs in the last 5 minutes. Callers are acting on predictions that are not numbers.`,
    valueFormat: 'count',
    runbook: 'invalid-predictions.md',
    dashboard: DASHBOARDS.overview,
    dashboardVars: MV,
  },
  {
    name: 'PlumblineConfidenceCollapse',
    uid: 'plumbline-confidence-collapse',
    category: 'predictions',
    severity: 'warning',
    expr: `(${meanConfidence('15m', '')})\n  < ${num(T.confidenceCollapseRatio)} * (${meanConfidence('1d', '15m')})`,
    for: '15m',
    summary: 'Confidence of {{ $labels.model }} collapsed to {{VALUE}}',
    description:
      `Mean prediction confidence of model {{ $labels.model }} (version {{ $labels.model_version }}) over 15 ` +
      `minutes is {{VALUE}}, below ${num(T.confidenceCollapseRatio * 100)}% of its mean over the day before.`,
    valueFormat: 'percentage',
    runbook: 'confidence-collapse.md',
    dashboard: DASHBOARDS.overview,
    dashboardVars: MV,
  },
  latencyBurnAlert({
    speed: 'Fast',
    severity: 'critical',
    long: '1h',
    short: '5m',
    factor: 14.4,
    for: '2m',
    windows: 'hour and 5 minutes',
    budgetLasts: 'about 2 days',
  }),
  latencyBurnAlert({
    speed: 'Slow',
    severity: 'warning',
    long: '6h',
    short: '30m',
    factor: 6,
    for: '15m',
    windows: '6 hours and 30 minutes',
    budgetLasts: '5 days',
  }),
  {
    name: 'PlumblineSinkBacklog',
    uid: 'plumbline-sink-backlog',
    category: 'pipeline',
    severity: 'warning',
    expr: `max by (instance, sink) (${S.sinkQueueDepth.name}) > ${num(T.sinkBacklogEvents)}`,
    for: '10m',
    summary: 'Sink {{ $labels.sink }} on {{ $labels.instance }} is {{VALUE}} events behind',
    description:
      `{{VALUE}} events wait in memory for sink {{ $labels.sink }} on {{ $labels.instance }} (threshold ` +
      `${num(T.sinkBacklogEvents)}) for 10 minutes: the sink is slow or down and the spool will take over.`,
    valueFormat: 'count',
    runbook: 'sink-backlog.md',
    dashboard: DASHBOARDS.pipeline,
    dashboardVars: {},
  },
  {
    name: 'PlumblineEventsDropped',
    uid: 'plumbline-events-dropped',
    category: 'pipeline',
    severity: 'warning',
    expr: `sum by (instance, sink, reason) (increase(${S.dropped.name}{reason!="sampled_out"}[10m])) > 0`,
    for: '0m',
    summary: 'Sink {{ $labels.sink }} dropped events ({{ $labels.reason }})',
    description:
      `{{VALUE}} events for sink {{ $labels.sink }} on {{ $labels.instance }} were dropped in the last 10 ` +
      `minutes with reason {{ $labels.reason }}. They will be missing from drift and quality evaluations.`,
    valueFormat: 'count',
    runbook: 'events-dropped.md',
    dashboard: DASHBOARDS.pipeline,
    dashboardVars: {},
  },
  {
    name: 'PlumblineEventLoopLagHigh',
    uid: 'plumbline-event-loop-lag-high',
    category: 'pipeline',
    severity: 'warning',
    expr: eventLoopLagExpr,
    for: '10m',
    summary: 'Event loop of {{ $labels.job }} on {{ $labels.instance }} lags {{VALUE}} (p99)',
    description:
      `The 99th percentile of the event-loop delay of {{ $labels.job }} on {{ $labels.instance }} has stayed ` +
      `above ${num(T.eventLoopLagSeconds)} s for 10 minutes (now {{VALUE}}). The process is CPU-bound or blocked: ` +
      `a sidecar adds this delay to the requests it proxies; an exporter answers scrapes and its API late.`,
    valueFormat: 'seconds',
    runbook: 'event-loop-lag.md',
    dashboard: DASHBOARDS.pipeline,
    dashboardVars: {},
  },
  {
    name: 'PlumblineDataQualityCheckFailed',
    uid: 'plumbline-data-quality-check-failed',
    category: 'pipeline',
    severity: 'critical',
    // The failing checks' values; by model, feature and check only, so a new version does not page again.
    expr:
      `max by (${DATA_QUALITY_LABELS.join(', ')}) ` +
      `(${E.dataQualityValue.name} and ${E.dataQualityFailed.name} == 1)`,
    for: duration(T.driftWindowSeconds * T.dataQualityWindows),
    summary: 'Check {{ $labels.check }} fails for {{ $labels.feature }} of {{ $labels.model }}',
    description:
      `Data-quality check {{ $labels.check }} of feature {{ $labels.feature }} of model {{ $labels.model }} ` +
      `reads {{VALUE}}, above its threshold {{THRESHOLD}}, in every window for ` +
      `${duration(T.driftWindowSeconds * T.dataQualityWindows)}: the feature pipeline feeding the model is ` +
      `probably broken (a renamed or dropped column, nulls from a join, a unit or type change, a new category, ` +
      `NaN from upstream arithmetic, a frozen value).`,
    valueFormat: 'number',
    runbook: 'data-quality-check-failed.md',
    dashboard: DASHBOARDS.drift,
    dashboardVars: { model: 'model', feature: 'feature' },
    threshold: { metric: E.dataQualityThreshold.name, labels: DATA_QUALITY_LABELS },
  },
  {
    name: 'PlumblineExporterStale',
    uid: 'plumbline-exporter-stale',
    category: 'pipeline',
    severity: 'critical',
    expr: `time() - max by (model) (${E.lastSuccess.name}) > ${num(T.exporterStaleSeconds)}`,
    for: '5m',
    summary: 'No evaluation of {{ $labels.model }} for {{VALUE}}',
    description:
      `The exporter last evaluated model {{ $labels.model }} successfully {{VALUE}} ago (threshold ` +
      `${duration(T.exporterStaleSeconds)}). Drift and quality metrics are stale and their alerts are blind.`,
    valueFormat: 'seconds',
    runbook: 'exporter-stale.md',
    dashboard: DASHBOARDS.pipeline,
    dashboardVars: { model: 'model' },
  },
  {
    name: 'PlumblineExporterDown',
    uid: 'plumbline-exporter-down',
    category: 'pipeline',
    severity: 'critical',
    expr: `up{job="${SCRAPE_JOBS.exporter}"} == 0`,
    for: '5m',
    summary: 'Prometheus cannot scrape the exporter on {{ $labels.instance }}',
    description:
      `The plumbline exporter on {{ $labels.instance }} has not answered Prometheus scrapes for 5 minutes. ` +
      `Drift and quality metrics are missing and their alerts are blind.`,
    valueFormat: 'number',
    runbook: 'exporter-stale.md',
    dashboard: DASHBOARDS.pipeline,
    dashboardVars: {},
  },
];
