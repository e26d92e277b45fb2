/**
 * promtool unit tests for every alert, one firing and one silent scenario each. The jest suite turns each alert's
 * cases into a promtool test file (expected annotations rendered from the alert's templates with the labels and
 * the value written here by hand) and runs `promtool test rules` on it.
 */

export interface PromtoolScenario {
  title: string;
  series: { series: string; values: string }[];
  evalTime: string;
  /**
   * Alerts expected at evalTime: the output series' labels, the formatted value and, for an alert that quotes one,
   * the formatted threshold. Empty: silent.
   */
  fires: { labels: Record<string, string>; value: string; threshold?: string }[];
}

export interface PromtoolCase {
  alert: string;
  /** Input sample spacing and rule evaluation step. */
  interval: string;
  firing: PromtoolScenario;
  silent: PromtoolScenario;
}

const IRIS = { model: 'iris', model_version: '1' };
/** A rollout: version 2 of iris against version 1, the oldest in the window. */
const ROLLOUT = { model: 'iris', model_version: '2', baseline_version: '1' };
/** One input series in promtool's notation: `name{label="value",…}` and its expanding values. */
const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  values,
});

/** Scrape targets as the compose stack names them (job and instance labels). */
const SIDECAR_A = { job: 'plumbline-sidecar', instance: 'sidecar-a:9464' };
const SIDECAR_B = { job: 'plumbline-sidecar', instance: 'sidecar-b:9464' };
const EXPORTER = { job: 'plumbline-exporter', instance: 'exporter:9465' };

/** 100 requests a minute for `minutes`, `withinSlo` of them within the 0.25 s SLO bucket (the rest slow). */
const sloRequests = (minutes: number, withinSlo: number) => [
  series('plumbline_sidecar_request_duration_seconds_count', { ...IRIS, protocol: 'v2' }, `0+100x${minutes}`),
  series(
    'plumbline_sidecar_request_duration_seconds_bucket',
    { ...IRIS, protocol: 'v2', le: '0.25' },
    `0+${withinSlo}x${minutes}`,
  ),
];

export const PROMTOOL_CASES: readonly PromtoolCase[] = [
  {
    alert: 'PlumblineFeatureDriftPersistent',
    interval: '1m',
    firing: {
      title: 'drift flagged in every window for 20 minutes',
      series: [
        series('plumbline_drift_detected', { ...IRIS, feature: 'petal_length', stattest: 'ks' }, '1x25'),
        series('plumbline_drift_detected', { ...IRIS, feature: 'sepal_width', stattest: 'ks' }, '0x25'),
      ],
      evalTime: '20m',
      fires: [{ labels: { ...IRIS, feature: 'petal_length' }, value: '1' }],
    },
    silent: {
      title: 'one clean window resets the count',
      series: [
        series(
          'plumbline_drift_detected',
          { ...IRIS, feature: 'petal_length', stattest: 'ks' },
          '1x10 0 1x15',
        ),
      ],
      evalTime: '20m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineDatasetDriftShareHigh',
    interval: '1m',
    firing: {
      title: 'three of four features drift',
      series: [series('plumbline_dataset_drift_share', IRIS, '0.75x20')],
      evalTime: '15m',
      fires: [{ labels: IRIS, value: '75%' }],
    },
    silent: {
      title: 'one of four features drifts',
      series: [series('plumbline_dataset_drift_share', IRIS, '0.25x20')],
      evalTime: '15m',
      fires: [],
    },
  },
  {
    alert: 'PlumblinePredictionDriftPersistent',
    interval: '1m',
    firing: {
      title: 'the output drifts in every window for 20 minutes on one of its tests',
      series: [
        series('plumbline_prediction_drift_detected', { ...IRIS, stattest: 'chisquare' }, '1x25'),
        series('plumbline_prediction_drift_detected', { ...IRIS, stattest: 'psi' }, '0x25'),
        series(
          'plumbline_prediction_drift_detected',
          { model: 'fraud', model_version: '3', stattest: 'ks' },
          '0x25',
        ),
      ],
      evalTime: '20m',
      fires: [{ labels: IRIS, value: '1' }],
    },
    silent: {
      title: 'one clean window resets the count',
      series: [
        series('plumbline_prediction_drift_detected', { ...IRIS, stattest: 'chisquare' }, '1x10 0 1x15'),
      ],
      evalTime: '20m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineMultivariateDrift',
    interval: '1m',
    firing: {
      title: 'the reconstruction error stays above its upper threshold for 20 minutes',
      series: [
        series('plumbline_multivariate_drift_error', IRIS, '2.8x25'),
        series('plumbline_multivariate_drift_upper_threshold', IRIS, '1.9x25'),
        series('plumbline_multivariate_drift_lower_threshold', IRIS, '1.5x25'),
        series('plumbline_multivariate_drift_detected', IRIS, '1x25'),
      ],
      evalTime: '20m',
      fires: [{ labels: IRIS, value: '2.8' }],
    },
    silent: {
      title: 'a few windows outside the band, then back inside',
      series: [
        series('plumbline_multivariate_drift_error', IRIS, '1.7x10 2.1x5 1.7x10'),
        series('plumbline_multivariate_drift_detected', IRIS, '0x10 1x5 0x10'),
      ],
      evalTime: '20m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineNewVersionWorse',
    interval: '1m',
    firing: {
      title:
        'version 2 errs significantly more than version 1 for 10 minutes; its accuracy test is not significant',
      series: [
        series('plumbline_version_comparison_worse', { ...ROLLOUT, metric: 'error_rate' }, '0x3 1x12'),
        series(
          'plumbline_version_comparison_p_value',
          { ...ROLLOUT, metric: 'error_rate' },
          '0.2x3 0.0012x12',
        ),
        series('plumbline_version_comparison_worse', { ...ROLLOUT, metric: 'accuracy' }, '0x15'),
        series('plumbline_version_comparison_p_value', { ...ROLLOUT, metric: 'accuracy' }, '0.3x15'),
      ],
      evalTime: '12m',
      fires: [{ labels: { ...ROLLOUT, metric: 'error_rate' }, value: '0.0012' }],
    },
    silent: {
      title: 'significantly worse for two minutes only, then not; a better version never fires',
      series: [
        series('plumbline_version_comparison_worse', { ...ROLLOUT, metric: 'error_rate' }, '0x3 1x2 0x10'),
        series(
          'plumbline_version_comparison_p_value',
          { ...ROLLOUT, metric: 'error_rate' },
          '0.2x3 0.001x2 0.3x10',
        ),
        series('plumbline_version_comparison_worse', { ...ROLLOUT, metric: 'accuracy' }, '0x15'),
        series('plumbline_version_comparison_p_value', { ...ROLLOUT, metric: 'accuracy' }, '0.00001x15'),
      ],
      evalTime: '12m',
      fires: [],
    },
  },
  {
    alert: 'PlumblinePsiHigh',
    interval: '1m',
    firing: {
      title: 'PSI 0.35 while another test of the same feature is ignored',
      series: [
        series('plumbline_drift_statistic', { ...IRIS, feature: 'petal_length', stattest: 'psi' }, '0.35x20'),
        series('plumbline_drift_statistic', { ...IRIS, feature: 'sepal_width', stattest: 'ks' }, '0.9x20'),
      ],
      evalTime: '15m',
      fires: [{ labels: { ...IRIS, feature: 'petal_length' }, value: '0.35' }],
    },
    silent: {
      title: 'PSI 0.15 is moderate, not significant',
      series: [
        series('plumbline_drift_statistic', { ...IRIS, feature: 'petal_length', stattest: 'psi' }, '0.15x20'),
      ],
      evalTime: '15m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineAccuracyBelowBaseline',
    interval: '1h',
    firing: {
      title: 'a new version at 80% against a week of 95% from the old one',
      series: [
        series('plumbline_model_accuracy', IRIS, '0.95x184'),
        series('plumbline_model_accuracy', { model: 'iris', model_version: '2' }, '_x185 0.8x9'),
      ],
      evalTime: '194h',
      fires: [{ labels: { model: 'iris', model_version: '2' }, value: '80%' }],
    },
    silent: {
      title: 'two points below the baseline is within tolerance',
      series: [series('plumbline_model_accuracy', IRIS, '0.95x184 0.93x9')],
      evalTime: '194h',
      fires: [],
    },
  },
  {
    alert: 'PlumblineF1BelowBaseline',
    interval: '1h',
    firing: {
      title: 'macro F1 drops from 0.9 to 0.7',
      series: [series('plumbline_model_f1_macro', IRIS, '0.9x184 0.7x9')],
      evalTime: '194h',
      fires: [{ labels: IRIS, value: '70%' }],
    },
    silent: {
      title: 'no baseline yet: a model deployed today never fires',
      series: [series('plumbline_model_f1_macro', IRIS, '0.5x9')],
      evalTime: '8h',
      fires: [],
    },
  },
  {
    alert: 'PlumblineAccuracyBelowReference',
    interval: '5m',
    firing: {
      title: 'labelled accuracy 80% against a reference of 95%, on 300 rows, for 40 minutes',
      series: [
        series('plumbline_model_accuracy', IRIS, '0.8x12'),
        series('plumbline_baseline_accuracy', IRIS, '0.95x12'),
        series('plumbline_confusion_matrix_rows', { ...IRIS, actual: 'a', predicted: 'a' }, '240x12'),
        series('plumbline_confusion_matrix_rows', { ...IRIS, actual: 'a', predicted: 'b' }, '60x12'),
      ],
      evalTime: '40m',
      fires: [{ labels: IRIS, value: '80%' }],
    },
    silent: {
      title: 'the same drop on 150 labelled rows is too few to page on',
      series: [
        series('plumbline_model_accuracy', IRIS, '0.8x12'),
        series('plumbline_baseline_accuracy', IRIS, '0.95x12'),
        series('plumbline_confusion_matrix_rows', { ...IRIS, actual: 'a', predicted: 'a' }, '150x12'),
      ],
      evalTime: '40m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineF1BelowReference',
    interval: '5m',
    firing: {
      title: 'labelled macro F1 70% against a reference of 90%',
      series: [
        series('plumbline_model_f1_macro', IRIS, '0.7x12'),
        series('plumbline_baseline_f1_macro', IRIS, '0.9x12'),
        series('plumbline_confusion_matrix_rows', { ...IRIS, actual: 'a', predicted: 'a' }, '250x12'),
      ],
      evalTime: '40m',
      fires: [{ labels: IRIS, value: '70%' }],
    },
    silent: {
      title: 'three points below the reference is within the margin',
      series: [
        series('plumbline_model_f1_macro', IRIS, '0.87x12'),
        series('plumbline_baseline_f1_macro', IRIS, '0.9x12'),
        series('plumbline_confusion_matrix_rows', { ...IRIS, actual: 'a', predicted: 'a' }, '250x12'),
      ],
      evalTime: '40m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineEstimatedAccuracyBelowReference',
    interval: '5m',
    firing: {
      title: 'estimated accuracy 60% against a reference of 90%, no labels at all',
      series: [
        series('plumbline_estimated_accuracy', IRIS, '0.6x12'),
        series('plumbline_estimated_rows', IRIS, '1000x12'),
        series('plumbline_baseline_accuracy', IRIS, '0.9x12'),
      ],
      evalTime: '40m',
      fires: [{ labels: IRIS, value: '60%' }],
    },
    silent: {
      title: 'a drop of ten minutes is not long enough',
      series: [
        series('plumbline_estimated_accuracy', IRIS, '0.9x6 0.6x3'),
        series('plumbline_estimated_rows', IRIS, '1000x9'),
        series('plumbline_baseline_accuracy', IRIS, '0.9x9'),
      ],
      evalTime: '45m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineEstimatedF1BelowReference',
    interval: '5m',
    firing: {
      title: 'estimated macro F1 50% against a reference of 80%',
      series: [
        series('plumbline_estimated_f1_macro', IRIS, '0.5x12'),
        series('plumbline_estimated_rows', IRIS, '500x12'),
        series('plumbline_baseline_f1_macro', IRIS, '0.8x12'),
      ],
      evalTime: '40m',
      fires: [{ labels: IRIS, value: '50%' }],
    },
    silent: {
      title: 'no quality baseline in the profile: nothing to compare with',
      series: [
        series('plumbline_estimated_f1_macro', IRIS, '0.5x12'),
        series('plumbline_estimated_rows', IRIS, '500x12'),
      ],
      evalTime: '40m',
      fires: [],
    },
  },
  {
    alert: 'PlumblinePredictionRateChanged',
    interval: '10m',
    firing: {
      title: 'two thirds more predictions than the same hour last week',
      series: [
        series('plumbline_sidecar_predictions_total', { ...IRIS, class: 'setosa' }, '0+60x1008 60580+100x24'),
      ],
      evalTime: '172h',
      fires: [{ labels: { model: 'iris' }, value: '66.67%' }],
    },
    silent: {
      title: 'a sixth more is normal variation',
      series: [
        series('plumbline_sidecar_predictions_total', { ...IRIS, class: 'setosa' }, '0+60x1008 60550+70x24'),
      ],
      evalTime: '172h',
      fires: [],
    },
  },
  {
    alert: 'PlumblineInvalidPredictions',
    interval: '1m',
    firing: {
      title: 'NaN outputs in the last five minutes',
      series: [
        series('plumbline_sidecar_invalid_outputs_total', { ...IRIS, kind: 'nan' }, '0 0 0 0 0 4 4 4'),
      ],
      evalTime: '7m',
      fires: [{ labels: { ...IRIS, kind: 'nan' }, value: '4' }],
    },
    silent: {
      title: 'null outputs are not NaN / Inf',
      series: [
        series('plumbline_sidecar_invalid_outputs_total', { ...IRIS, kind: 'null' }, '0+2x10'),
        series('plumbline_sidecar_invalid_outputs_total', { ...IRIS, kind: 'inf' }, '0x10'),
      ],
      evalTime: '7m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineConfidenceCollapse',
    interval: '5m',
    firing: {
      title: 'mean confidence falls from 0.9 to 0.5',
      series: [
        series('plumbline_sidecar_prediction_confidence_count', IRIS, '0+100x300'),
        series('plumbline_sidecar_prediction_confidence_sum', IRIS, '0+90x290 26150+50x10'),
      ],
      evalTime: '1490m',
      fires: [{ labels: IRIS, value: '50%' }],
    },
    silent: {
      title: 'a fall from 0.9 to 0.8 is not a collapse',
      series: [
        series('plumbline_sidecar_prediction_confidence_count', IRIS, '0+100x300'),
        series('plumbline_sidecar_prediction_confidence_sum', IRIS, '0+90x290 26180+80x10'),
      ],
      evalTime: '1490m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineLatencySloFastBurn',
    interval: '1m',
    firing: {
      title: '30% of requests slower than the SLO for an hour',
      series: sloRequests(80, 70),
      evalTime: '70m',
      fires: [{ labels: { model: 'iris' }, value: '30%' }],
    },
    silent: {
      title: '5% slow requests burn slower than 14.4x',
      series: sloRequests(80, 95),
      evalTime: '70m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineLatencySloSlowBurn',
    interval: '1m',
    firing: {
      title: '10% of requests slower than the SLO for six hours',
      series: sloRequests(400, 90),
      evalTime: '390m',
      fires: [{ labels: { model: 'iris' }, value: '10%' }],
    },
    silent: {
      title: '3% slow requests stay within a 6x burn',
      series: sloRequests(400, 97),
      evalTime: '390m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineSinkBacklog',
    interval: '1m',
    firing: {
      title: '2000 events queued for Elasticsearch for 15 minutes',
      series: [
        series(
          'plumbline_sidecar_sink_queue_depth',
          { instance: 'sidecar:9464', sink: 'elasticsearch' },
          '2000x20',
        ),
      ],
      evalTime: '15m',
      fires: [{ labels: { instance: 'sidecar:9464', sink: 'elasticsearch' }, value: '2k' }],
    },
    silent: {
      title: 'a five-minute burst drains',
      series: [
        series(
          'plumbline_sidecar_sink_queue_depth',
          { instance: 'sidecar:9464', sink: 'elasticsearch' },
          '2000x5 10x15',
        ),
      ],
      evalTime: '15m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineEventsDropped',
    interval: '1m',
    firing: {
      title: 'the spool is full and events are lost',
      series: [
        series(
          'plumbline_sidecar_events_dropped_total',
          { instance: 'sidecar:9464', sink: 'kafka', reason: 'spool_full' },
          '0x10 0+8x10',
        ),
      ],
      evalTime: '20m',
      fires: [{ labels: { instance: 'sidecar:9464', sink: 'kafka', reason: 'spool_full' }, value: '72' }],
    },
    silent: {
      title: 'sampling drops events on purpose',
      series: [
        series(
          'plumbline_sidecar_events_dropped_total',
          { instance: 'sidecar:9464', sink: 'kafka', reason: 'sampled_out' },
          '0+50x20',
        ),
      ],
      evalTime: '20m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineEventLoopLagHigh',
    interval: '1m',
    firing: {
      title: 'a sidecar and an exporter lag for 15 minutes, another sidecar idles',
      series: [
        series('plumbline_sidecar_nodejs_eventloop_lag_p99_seconds', SIDECAR_A, '0.35x20'),
        series('plumbline_sidecar_nodejs_eventloop_lag_p99_seconds', SIDECAR_B, '0.011x20'),
        series('plumbline_exporter_nodejs_eventloop_lag_p99_seconds', EXPORTER, '1.5x20'),
      ],
      evalTime: '15m',
      fires: [
        { labels: SIDECAR_A, value: '350ms' },
        { labels: EXPORTER, value: '1.5s' },
      ],
    },
    silent: {
      title: 'a five-minute burst of lag, and an exporter at 150 ms',
      series: [
        series('plumbline_sidecar_nodejs_eventloop_lag_p99_seconds', SIDECAR_A, '0.011x5 0.5x5 0.011x10'),
        series('plumbline_exporter_nodejs_eventloop_lag_p99_seconds', EXPORTER, '0.15x20'),
      ],
      evalTime: '15m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineDataQualityCheckFailed',
    interval: '1m',
    firing: {
      title:
        'a renamed column: two clear alerts, once across a version change, and a passing check stays quiet',
      series: [
        // Version 1 until minute 8, then version 2: the same break, one alert per model, feature and check.
        series(
          'plumbline_data_quality_value',
          { ...IRIS, feature: 'petal_length', check: 'missing_column' },
          '1x8',
        ),
        series(
          'plumbline_data_quality_threshold',
          { ...IRIS, feature: 'petal_length', check: 'missing_column' },
          '0x8',
        ),
        series(
          'plumbline_data_quality_failed',
          { ...IRIS, feature: 'petal_length', check: 'missing_column' },
          '1x8',
        ),
        series(
          'plumbline_data_quality_value',
          { model: 'iris', model_version: '2', feature: 'petal_length', check: 'missing_column' },
          '_x8 1x16',
        ),
        series(
          'plumbline_data_quality_threshold',
          { model: 'iris', model_version: '2', feature: 'petal_length', check: 'missing_column' },
          '_x8 0x16',
        ),
        series(
          'plumbline_data_quality_failed',
          { model: 'iris', model_version: '2', feature: 'petal_length', check: 'missing_column' },
          '_x8 1x16',
        ),
        series(
          'plumbline_data_quality_value',
          { ...IRIS, feature: 'petal_len', check: 'new_column' },
          '0.98x25',
        ),
        series(
          'plumbline_data_quality_threshold',
          { ...IRIS, feature: 'petal_len', check: 'new_column' },
          '0.01x25',
        ),
        series(
          'plumbline_data_quality_failed',
          { ...IRIS, feature: 'petal_len', check: 'new_column' },
          '1x25',
        ),
        series(
          'plumbline_data_quality_value',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0.03x25',
        ),
        series(
          'plumbline_data_quality_threshold',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0.0612x25',
        ),
        series(
          'plumbline_data_quality_failed',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0x25',
        ),
      ],
      evalTime: '15m',
      fires: [
        {
          labels: { model: 'iris', feature: 'petal_length', check: 'missing_column' },
          value: '1',
          threshold: '0',
        },
        {
          labels: { model: 'iris', feature: 'petal_len', check: 'new_column' },
          value: '0.98',
          threshold: '0.01',
        },
      ],
    },
    silent: {
      title: 'a burst of nulls fails the check while it stays in the sliding window, then clears',
      series: [
        series(
          'plumbline_data_quality_value',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0.03x3 0.31x6 0.03x16',
        ),
        series(
          'plumbline_data_quality_threshold',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0.0612x25',
        ),
        series(
          'plumbline_data_quality_failed',
          { ...IRIS, feature: 'sepal_width', check: 'missing_share' },
          '0x3 1x6 0x16',
        ),
      ],
      evalTime: '15m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineExporterStale',
    interval: '1m',
    firing: {
      title: 'the last successful evaluation was at time 0',
      series: [series('plumbline_exporter_last_success_timestamp_seconds', { model: 'iris' }, '0x30')],
      evalTime: '25m',
      fires: [{ labels: { model: 'iris' }, value: '25m 0s' }],
    },
    silent: {
      title: 'evaluations succeed every minute',
      series: [series('plumbline_exporter_last_success_timestamp_seconds', { model: 'iris' }, '0+60x30')],
      evalTime: '25m',
      fires: [],
    },
  },
  {
    alert: 'PlumblineExporterDown',
    interval: '1m',
    firing: {
      title: 'scrapes of the exporter fail for ten minutes',
      series: [series('up', { job: 'plumbline-exporter', instance: 'exporter:9465' }, '0x10')],
      evalTime: '8m',
      fires: [{ labels: { job: 'plumbline-exporter', instance: 'exporter:9465' }, value: '0' }],
    },
    silent: {
      title: 'the exporter is up, another job is down',
      series: [
        series('up', { job: 'plumbline-exporter', instance: 'exporter:9465' }, '1x10'),
        series('up', { job: 'node', instance: 'host:9100' }, '0x10'),
      ],
      evalTime: '8m',
      fires: [],
    },
  },
];
