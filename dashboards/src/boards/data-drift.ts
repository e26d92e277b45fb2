/** Data drift: what drifted, since when, by how much, and what the distributions look like now. */
import { PanelBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { EXPORTER_METRICS as E, SIDECAR_METRICS as S } from '@plumbline/schema';
import {
  BOARDS,
  MV,
  board,
  buildBoard,
  histogramQuantile,
  linkTo,
  perVersion,
  prom,
  promTable,
  proms,
  row,
  stat,
  thresholds,
  timeseries,
  variables,
  verdictMappings,
} from '../common';

const MVF = `${MV}, feature=~"$feature"`;

/** A data-quality series (value or threshold) of the checks that fail, for the table of failing checks. */
const failingChecks = (metric: string): string =>
  `${metric}{${MV}} and on (model, model_version, feature, check) ${E.dataQualityFailed.name}{${MV}} == 1`;

export function dataDrift(): Dashboard {
  const b = board(BOARDS.drift)
    .variables(variables(E.driftStatistic.name, true))
    .withRow(row('Verdicts'))
    .withPanel(
      stat(
        'Dataset drift share',
        'Share of features that drift in the latest window (after correction).',
        'percentunit',
      )
        .thresholds(thresholds('green', [0.3, 'orange'], [0.5, 'red']))
        .withTarget(prom('A', `max(${E.datasetDriftShare.name}{${MV}})`)),
    )
    .withPanel(
      stat('Dataset drift', 'The dataset verdict in the latest window.', 'none')
        .mappings(verdictMappings('no drift', 'DRIFT'))
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(prom('A', `max(${E.datasetDriftDetected.name}{${MV}})`)),
    )
    .withPanel(
      stat('Drifting features', 'Features flagged by at least one test in the latest window.', 'none')
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(prom('A', `count(max by (feature) (${E.driftDetected.name}{${MVF}}) == 1) or vector(0)`)),
    )
    .withPanel(
      stat('Window size', 'Rows in the latest evaluated window.', 'short').withTarget(
        prom('A', `sum(${E.windowSamples.name}{${MV}})`),
      ),
    )
    .withPanel(
      new StateTimelineBuilder()
        .title('Verdict per feature')
        .description('1 (red) when any test flags the feature in that window.')
        .thresholds(thresholds('green', [1, 'red']))
        .mappings(verdictMappings('ok', 'drift'))
        .height(8)
        .span(24)
        .withTarget(prom('A', `max by (feature) (${E.driftDetected.name}{${MVF}})`, '{{feature}}')),
    )
    .withRow(row('Data quality'))
    .withPanel(
      stat(
        'Failing checks',
        'Data-quality checks that fail in the latest window (a broken feature pipeline: docs/stattests.md, "Data-quality checks").',
        'none',
      )
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(prom('A', `sum(${E.dataQualityFailedChecks.name}{${MV}})`)),
    )
    .withPanel(
      stat(
        'Multivariate drift',
        'Whether the reconstruction error of the latest window is outside its thresholds (features no longer move together as in the baseline).',
        'none',
      )
        .mappings(verdictMappings('no drift', 'DRIFT'))
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(prom('A', `max(${E.multivariateDriftDetected.name}{${MV}})`)),
    )
    .withPanel(
      timeseries('Failing checks over time', 'Data-quality checks that fail per window.', 'none')
        .min(0)
        .withTarget(perVersion(E.dataQualityFailedChecks.name)),
    )
    .withPanel(
      new TableBuilder()
        .title('Failing checks')
        .description(
          'Every data-quality check failing in the latest window, per feature (new columns included) and check: its value and the threshold it is above.',
        )
        .height(8)
        .span(12)
        .withTarget(promTable('A', failingChecks(E.dataQualityValue.name)))
        .withTarget(promTable('B', failingChecks(E.dataQualityThreshold.name)))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, instance: true, job: true },
            indexByName: { model: 0, model_version: 1, feature: 2, check: 3, 'Value #A': 4, 'Value #B': 5 },
            renameByName: { 'Value #A': 'value', 'Value #B': 'threshold' },
          },
        }),
    )
    .withPanel(
      timeseries(
        'Multivariate drift: reconstruction error',
        'Mean PCA reconstruction error of each window (multivariate drift by data reconstruction) with the thresholds for its row count; drift when it leaves the band.',
        'none',
      ).targets(
        proms(
          [`${E.multivariateDriftError.name}{${MV}}`, 'error {{model}} {{model_version}}'],
          [`${E.multivariateDriftUpper.name}{${MV}}`, 'upper {{model}} {{model_version}}'],
          [`${E.multivariateDriftLower.name}{${MV}}`, 'lower {{model}} {{model_version}}'],
        ),
      ),
    )
    .withRow(row('Statistics'))
    .withPanel(
      timeseries(
        'Drift statistic',
        'Test statistic per feature and test (KS D, chi-square, PSI, distances) with the threshold it is compared to.',
        'none',
      ).targets(
        proms(
          [`${E.driftStatistic.name}{${MVF}}`, '{{feature}} {{stattest}}'],
          [
            `${E.driftThreshold.name}{${MVF}} unless on (model, model_version, feature, stattest) ${E.driftPValue.name}`,
            'threshold {{feature}} {{stattest}}',
          ],
        ),
      ),
    )
    .withPanel(
      timeseries(
        'p-value',
        'p-value per feature for tests that have one; drift when below alpha.',
        'none',
      ).targets(
        proms(
          [`${E.driftPValue.name}{${MVF}}`, '{{feature}} {{stattest}}'],
          [
            `max by (stattest) (${E.driftThreshold.name}{${MVF}} and ${E.driftPValue.name}{${MVF}})`,
            'alpha {{stattest}}',
          ],
        ),
      ),
    )
    .withPanel(
      timeseries('Dataset drift share', 'Share of drifting features over time.', 'percentunit')
        .min(0)
        .max(1)
        .withTarget(perVersion(E.datasetDriftShare.name)),
    )
    .withPanel(
      new TableBuilder()
        .title('Latest window')
        .description('Per feature and test: statistic, p-value, threshold and verdict.')
        .height(8)
        .span(12)
        .withTarget(promTable('A', `${E.driftStatistic.name}{${MVF}}`))
        .withTarget(promTable('B', `${E.driftPValue.name}{${MVF}}`))
        .withTarget(promTable('C', `${E.driftThreshold.name}{${MVF}}`))
        .withTarget(promTable('D', `${E.driftDetected.name}{${MVF}}`))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, instance: true, job: true },
            renameByName: {
              'Value #A': 'statistic',
              'Value #B': 'p-value',
              'Value #C': 'threshold',
              'Value #D': 'drift',
            },
          },
        }),
    )
    .withRow(row('Distributions'))
    .withPanel(
      new PanelBuilder()
        .type('plumbline-drift-panel')
        .title('Reference vs current: $feature')
        .description(
          'Reference and current distribution of the selected feature, read from the exporter via the app plugin.',
        )
        .options({ model: '$model', feature: '$feature', refreshSeconds: 60 })
        .height(10)
        .span(12),
    )
    .withPanel(
      timeseries(
        'Feature mean ± std',
        'Mean and standard deviation of numerical features per window.',
        'none',
      )
        .targets(
          proms(
            [`${E.featureMean.name}{${MVF}}`, 'mean {{feature}}'],
            [`${E.featureStd.name}{${MVF}}`, 'std {{feature}}'],
          ),
        )
        .height(10),
    )
    .withPanel(
      timeseries(
        'Feature range and quantiles',
        'Min, max and quantiles of numerical features per window.',
        'none',
      ).targets(
        proms(
          [`${E.featureMin.name}{${MVF}}`, 'min {{feature}}'],
          [`${E.featureMax.name}{${MVF}}`, 'max {{feature}}'],
          [`${E.featureQuantile.name}{${MVF}}`, 'q{{q}} {{feature}}'],
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Missing values',
        'Share of null, empty or NaN values per feature and window.',
        'percentunit',
      ).withTarget(prom('A', `${E.featureMissingRatio.name}{${MVF}}`, '{{feature}}')),
    )
    .withPanel(
      timeseries(
        'Live feature values (sidecar)',
        'Median of configured numeric features as the sidecar sees them, between exporter windows.',
        'none',
      ).withTarget(
        prom('A', histogramQuantile(0.5, S.featureValue.name, MVF, ['feature']), '{{feature}} p50'),
      ),
    )
    .withRow(row('Output drift'))
    .withPanel(
      timeseries(
        'Prediction share by class',
        'Share of predictions per class per window.',
        'percentunit',
      ).withTarget(prom('A', `${E.predictionShare.name}{${MV}}`, '{{class}}')),
    )
    .withPanel(
      timeseries(
        'Prediction and label drift',
        'Drift of the model output and of the ground truth against the baseline.',
        'none',
      )
        .targets(
          proms(
            [`${E.predictionDriftStatistic.name}{${MV}}`, 'prediction {{stattest}}'],
            [`${E.predictionDriftDetected.name}{${MV}}`, 'prediction drift {{stattest}}'],
            [`${E.labelDriftDetected.name}{${MV}}`, 'label drift {{stattest}}'],
          ),
        )
        .links([linkTo(BOARDS.quality, 'Model quality')]),
    );
  return buildBoard(b);
}
