/** Model quality: how often the model is right once ground truth arrives, the review queue and the retrain button. */
import { PanelBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { EXPORTER_METRICS as E } from '@plumbline/schema';
import {
  BOARDS,
  MV,
  M,
  PROMETHEUS,
  board,
  buildBoard,
  linkTo,
  perVersion,
  prom,
  proms,
  promTable,
  row,
  stat,
  thresholds,
  timeseries,
  variables,
} from '../common';

export function modelQuality(): Dashboard {
  const b = board(BOARDS.quality)
    .variables(variables(E.windowSamples.name))
    .withRow(row('Latest window'))
    .withPanel(
      stat('Accuracy', 'Accuracy over rows with ground truth in the latest window.', 'percentunit')
        .thresholds(thresholds('red', [0.8, 'orange'], [0.9, 'green']))
        .withTarget(prom('A', `min(${E.accuracy.name}{${MV}})`)),
    )
    .withPanel(
      stat('Macro F1', 'Unweighted mean of per-class F1 in the latest window.', 'percentunit')
        .thresholds(thresholds('red', [0.8, 'orange'], [0.9, 'green']))
        .withTarget(prom('A', `min(${E.f1Macro.name}{${MV}})`)),
    )
    .withPanel(
      stat('Label delay', 'Median time from a prediction to its ground truth.', 's').withTarget(
        prom('A', `max(${E.labelDelay.name}{${MV}})`),
      ),
    )
    .withPanel(
      stat('Retrain requests (24h)', 'Retrain requests by outcome over the last day.', 'short').withTarget(
        prom('A', `sum by (outcome) (increase(${E.retrainRequests.name}{${M}}[1d]))`, '{{outcome}}'),
      ),
    )
    .withPanel(
      new PanelBuilder()
        .type('plumbline-confusionmatrix-panel')
        .title('Confusion matrix')
        .description(
          'Rows with ground truth `actual` predicted as `predicted`, latest window; normalised by column. ' +
            'Without labels the estimated matrix (expected rows from calibrated probabilities) is shown, marked ' +
            'estimated; with labels both side by side.',
        )
        .datasource(PROMETHEUS)
        .withTarget(promTable('A', `sum by (actual, predicted) (${E.confusionMatrix.name}{${MV}})`))
        .withTarget(
          promTable('estimated', `sum by (actual, predicted) (${E.estimatedConfusionMatrix.name}{${MV}})`),
        )
        .options({
          actualField: 'actual',
          predictedField: 'predicted',
          countField: 'Value',
          reducer: 'last',
          normalization: 'column',
          order: 'alphabetical',
          customOrder: '',
          topN: 0,
          showMargins: true,
          showValues: true,
          estimatedRefId: 'estimated',
        })
        .height(12)
        .span(12),
    )
    .withPanel(
      new PanelBuilder()
        .type('plumbline-retrain-panel')
        .title('Retrain $model')
        .description(
          'Triggers the retraining pipeline through the app plugin (Editors only; cooldown enforced).',
        )
        .options({ model: '$model', pollSeconds: 15, viewerMode: 'disabled' })
        .height(12)
        .span(12),
    )
    .withRow(row('People in the loop'))
    .withPanel(
      new PanelBuilder()
        .type('plumbline-review-panel')
        .title('Review queue: $model')
        .description(
          'Predictions below their confidence limit, newest first. Click in the panel, then j/k to move, 1-9 to pick a class, Enter to confirm (or correct to the picked class), r to reject, u to undo. Editors act, Viewers read; your Grafana login is recorded as the reviewer.',
        )
        .options({ model: '$model', pageSize: 50, classFilter: '', maxConfidence: 0 })
        .height(14)
        .span(24),
    )
    .withRow(row('Over time'))
    .withPanel(
      timeseries('Accuracy and F1', 'Per window: accuracy, macro F1 and micro F1.', 'percentunit')
        .max(1)
        .targets(
          proms(
            [`${E.accuracy.name}{${MV}}`, 'accuracy {{model_version}}'],
            [`${E.f1Macro.name}{${MV}}`, 'macro F1 {{model_version}}'],
            [`${E.f1Micro.name}{${MV}}`, 'micro F1 {{model_version}}'],
          ),
        )
        .links([linkTo(BOARDS.drift, 'Data drift')]),
    )
    .withPanel(
      timeseries(
        'Accuracy: realized, estimated, reference',
        'Realized accuracy (labels), the label-free estimate with its 95% band, and the accuracy on the reference ' +
          'data (the quality baseline). The estimate cannot see a change of P(y|x): docs/quality.md.',
        'percentunit',
      )
        .max(1)
        .targets(
          proms(
            [`${E.accuracy.name}{${MV}}`, 'realized {{model_version}}'],
            [`${E.estimatedAccuracy.name}{${MV}}`, 'estimated {{model_version}}'],
            [`${E.estimatedAccuracyLower.name}{${MV}}`, 'estimated lower {{model_version}}'],
            [`${E.estimatedAccuracyUpper.name}{${MV}}`, 'estimated upper {{model_version}}'],
            [`${E.baselineAccuracy.name}{${MV}}`, 'reference {{model_version}}'],
          ),
        ),
    )
    .withPanel(
      timeseries('Per-class F1', 'F1 per class per window.', 'percentunit')
        .max(1)
        .withTarget(prom('A', `${E.f1.name}{${MV}}`, '{{class}}')),
    )
    .withPanel(
      timeseries('Precision and recall', 'Per class per window.', 'percentunit')
        .max(1)
        .targets(
          proms(
            [`${E.precision.name}{${MV}}`, 'precision {{class}}'],
            [`${E.recall.name}{${MV}}`, 'recall {{class}}'],
          ),
        ),
    )
    .withPanel(
      timeseries('Label delay', 'Median time from prediction to ground truth per window.', 's').withTarget(
        perVersion(E.labelDelay.name),
      ),
    )
    .withPanel(
      timeseries(
        'Regression error',
        'Mean absolute error and root mean squared error per window (regressors).',
        'none',
      ).targets(
        proms(
          [`${E.mae.name}{${MV}}`, 'MAE {{model_version}}'],
          [`${E.rmse.name}{${MV}}`, 'RMSE {{model_version}}'],
        ),
      ),
    )
    .withPanel(
      timeseries('Rows with ground truth', 'Rows in each evaluated window.', 'short').withTarget(
        perVersion(E.windowSamples.name),
      ),
    );
  return buildBoard(b);
}
