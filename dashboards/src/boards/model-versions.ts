/**
 * Model versions: a champion and a challenger side by side on the traffic each served in the same windows (issue
 * #14), every version's share of traffic, the comparison's verdict, shadow traffic against the primary (agreement,
 * the shadow's accuracy), and the model's segments (issue #12).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { EXPORTER_METRICS as E, SIDECAR_METRICS as S } from '@plumbline/schema';
import {
  BOARDS,
  M,
  PROMETHEUS,
  board,
  buildBoard,
  linkTo,
  prom,
  proms,
  row,
  stat,
  thresholds,
  timeseries,
  variables,
  verdictMappings,
} from '../common';

/** One version picked by name (single value, no "All"): the champion or the challenger. */
function versionPicker(name: string, label: string): QueryVariableBuilder {
  const query = `label_values(${E.versionWindowSamples.name}{${M}}, model_version)`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query, refId: `${name}-variable` })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(false)
    .includeAll(false);
}

/** A segment label picked from the segments the exporter exports (multi-value, "All" = `.*`). */
function segmentPicker(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query, refId: `${name}-variable` })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

const CHAMPION = `${M}, model_version=~"$champion"`;
const CHALLENGER = `${M}, model_version=~"$challenger"`;
const SEGMENTS = `${M}, segment_feature=~"$segment_feature", segment=~"$segment"`;

/** The four headline figures of one side (champion or challenger), 3 columns each: 12 columns a side. */
function side(who: string, selector: string) {
  return [
    stat(`${who}: rows`, `Rows of the ${who.toLowerCase()} in the latest window.`, 'short')
      .span(3)
      .withTarget(prom('A', `max(${E.versionWindowSamples.name}{${selector}})`)),
    stat(`${who}: error ratio`, `Share of the ${who.toLowerCase()}'s rows that errored.`, 'percentunit')
      .span(3)
      .thresholds(thresholds('green', [0.01, 'orange'], [0.05, 'red']))
      .withTarget(prom('A', `max(${E.versionErrorRatio.name}{${selector}})`)),
    stat(`${who}: accuracy`, `Accuracy on the ${who.toLowerCase()}'s labelled rows.`, 'percentunit')
      .span(3)
      .thresholds(thresholds('red', [0.8, 'orange'], [0.9, 'green']))
      .withTarget(prom('A', `max(${E.versionAccuracy.name}{${selector}})`)),
    stat(`${who}: p99 latency`, `99th percentile of the ${who.toLowerCase()}'s request latency.`, 's')
      .span(3)
      .withTarget(prom('A', `max(${E.versionLatency.name}{${selector}, q="0.99"})`)),
  ];
}

/** A figure of both versions over time, one series each. */
function both(title: string, description: string, unit: string, metric: string, extra = '') {
  return timeseries(title, description, unit).targets(
    proms(
      [`max by (model_version) (${metric}{${CHAMPION}${extra}})`, 'champion {{model_version}}'],
      [`max by (model_version) (${metric}{${CHALLENGER}${extra}})`, 'challenger {{model_version}}'],
    ),
  );
}

export function modelVersions(): Dashboard {
  let b = board(BOARDS.versions).variables([
    ...variables(E.versionWindowSamples.name),
    versionPicker('champion', 'Champion'),
    versionPicker('challenger', 'Challenger'),
    segmentPicker(
      'segment_feature',
      'Segment feature',
      `label_values(${E.segmentWindowSamples.name}{${M}}, segment_feature)`,
    ),
    segmentPicker(
      'segment',
      'Segment',
      `label_values(${E.segmentWindowSamples.name}{${M}, segment_feature=~"$segment_feature"}, segment)`,
    ),
  ]);
  b = b.withRow(row('Champion ($champion) vs challenger ($challenger), latest window'));
  for (const p of [...side('Champion', CHAMPION), ...side('Challenger', CHALLENGER)]) b = b.withPanel(p);
  b = b
    .withPanel(
      stat(
        'Challenger worse than champion?',
        'The exporter compares every newer version with the oldest in the window (two-proportion z-tests on the ' +
          'error rate and accuracy, Bonferroni-corrected; docs/stattests.md "Comparing two versions"). Shown when ' +
          'the champion is that oldest version.',
        'none',
      )
        .span(12)
        .mappings(verdictMappings('not worse', 'worse'))
        .withTarget(
          prom(
            'A',
            `max by (metric) (${E.versionComparisonWorse.name}{${CHALLENGER}, baseline_version=~"$champion"})`,
            '{{metric}}',
          ),
        ),
    )
    .withPanel(
      timeseries(
        'Comparison p-values',
        'p-value of each test of the challenger against the champion; the alert fires when a test is ' +
          'significant and the challenger is worse for 5 minutes.',
        'none',
      )
        .span(12)
        .withTarget(
          prom(
            'A',
            `${E.versionComparisonPValue.name}{${CHALLENGER}, baseline_version=~"$champion"}`,
            '{{metric}}',
          ),
        ),
    )
    .withRow(row('Side by side over time'))
    .withPanel(
      both(
        'Error ratio',
        'Share of errored rows per window, each version.',
        'percentunit',
        E.versionErrorRatio.name,
      ),
    )
    .withPanel(
      both(
        'Accuracy',
        'Accuracy on labelled rows per window, each version.',
        'percentunit',
        E.versionAccuracy.name,
      ),
    )
    .withPanel(
      both(
        'p99 latency',
        'Request latency p99 per window, each version.',
        's',
        E.versionLatency.name,
        ', q="0.99"',
      ),
    )
    .withPanel(
      both(
        'Dataset drift share',
        "Share of features drifting in each version's rows against the model's baseline.",
        'percentunit',
        E.versionDatasetDriftShare.name,
      ),
    )
    .withPanel(
      both(
        'Low-confidence share',
        "Share of each version's predictions below the confidence threshold.",
        'percentunit',
        E.versionLowConfidenceShare.name,
      ),
    )
    .withPanel(
      both(
        'Failing data-quality checks',
        "Data-quality checks failing on each version's rows.",
        'short',
        E.versionDataQualityFailedChecks.name,
      ),
    )
    .withPanel(
      timeseries('Class mix', 'Share of predictions per class, each version.', 'percentunit').targets(
        proms(
          [`${E.versionPredictionShare.name}{${CHAMPION}}`, 'champion {{class}}'],
          [`${E.versionPredictionShare.name}{${CHALLENGER}}`, 'challenger {{class}}'],
        ),
      ),
    )
    .withPanel(
      timeseries('Rows per version', 'Rows of every version in each window (the traffic split).', 'short')
        .withTarget(
          prom('A', `${E.versionWindowSamples.name}{${M}, model_version=~"$version"}`, '{{model_version}}'),
        )
        .links([linkTo(BOARDS.quality, 'Model quality')]),
    )
    .withRow(row("Shadow traffic (the sidecar's --shadow)"))
    .withPanel(
      timeseries(
        'Shadow agreement',
        'Share of the paired rows on which each shadow version agrees with the primary version (classifiers: the ' +
          'same label; regressors: relative difference within shadow.regressionTolerance). docs/stattests.md ' +
          '"Shadow agreement".',
        'percentunit',
      ).withTarget(
        prom(
          'A',
          `${E.shadowAgreementRatio.name}{${M}, model_version=~"$version"}`,
          '{{model_version}} vs shadow {{shadow_version}}',
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Shadow pairs',
        'Rows answered by both the primary and a shadow version in each window.',
        'short',
      ).withTarget(
        prom(
          'A',
          `${E.shadowPairs.name}{${M}, model_version=~"$version"}`,
          '{{model_version}} vs shadow {{shadow_version}}',
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Shadow copies by outcome',
        "The sidecar's copies of requests to the shadow per second, by how each ended: sent, error, timeout, " +
          'dropped (shadow.maxConcurrent copies already in flight, the body not kept whole, the client gone, a ' +
          'stop). Agreement and accuracy above cover only the answered copies: errors, timeouts and drops thin ' +
          'the pairs. The primary is never affected.',
        'reqps',
      ).withTarget(
        prom('A', `sum by (outcome) (rate(${S.shadowRequests.name}{${M}}[$__rate_interval]))`, '{{outcome}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Shadow accuracy',
        "Accuracy of each shadow version on the rows whose primary row has ground truth (the primary's labels).",
        'percentunit',
      ).withTarget(prom('A', `${E.shadowAccuracy.name}{${M}}`, 'shadow {{model_version}}')),
    )
    .withPanel(
      timeseries(
        'Shadow difference (regressors)',
        'Mean relative difference |shadow − primary| / max(|shadow|, |primary|) over the paired rows.',
        'percentunit',
      ).withTarget(
        prom(
          'A',
          `${E.shadowRelativeDifference.name}{${M}, model_version=~"$version"}`,
          '{{model_version}} vs shadow {{shadow_version}}',
        ),
      ),
    )
    .withRow(row('Segments ($segment_feature)'))
    .withPanel(
      timeseries('Rows per segment', 'Rows of each segment in each window.', 'short').withTarget(
        prom('A', `${E.segmentWindowSamples.name}{${SEGMENTS}}`, '{{segment_feature}}={{segment}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Accuracy per segment',
        'Accuracy on the labelled rows of each segment: a drop in one segment shows here even when the overall ' +
          'figure holds.',
        'percentunit',
      ).withTarget(prom('A', `${E.segmentAccuracy.name}{${SEGMENTS}}`, '{{segment_feature}}={{segment}}')),
    )
    .withPanel(
      timeseries(
        'Dataset drift share per segment',
        "Share of features drifting in each segment's rows against the model's baseline.",
        'percentunit',
      ).withTarget(
        prom('A', `${E.segmentDatasetDriftShare.name}{${SEGMENTS}}`, '{{segment_feature}}={{segment}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Error ratio per segment',
        "Share of each segment's rows that errored.",
        'percentunit',
      ).withTarget(prom('A', `${E.segmentErrorRatio.name}{${SEGMENTS}}`, '{{segment_feature}}={{segment}}')),
    )
    .withPanel(
      timeseries('Drifting segments', '1 when a segment drifts as a dataset in the window.', 'none')
        .withTarget(
          prom('A', `${E.segmentDatasetDriftDetected.name}{${SEGMENTS}}`, '{{segment_feature}}={{segment}}'),
        )
        .span(24),
    );
  return buildBoard(b);
}
