/** Model overview: is the model serving, how fast, how sure, and how much the sidecar costs. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as EsQuery, RawDataBuilder } from '@grafana/grafana-foundation-sdk/elasticsearch';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { EXPORTER_METRICS as E, SIDECAR_METRICS as S } from '@plumbline/schema';
import {
  BOARDS,
  ELASTICSEARCH,
  MV,
  M,
  RATE_INTERVAL as RI,
  board,
  buildBoard,
  histogramQuantile,
  linkTo,
  percentileName,
  perVersion,
  prom,
  proms,
  row,
  stat,
  thresholds,
  timeseries,
  variables,
} from '../common';

const quantile = (q: number, metric: string): string => histogramQuantile(q, metric, MV);
/** `[expr, legend]` of each quantile: p05, p50, p99… after `prefix`. */
const percentiles = (metric: string, qs: number[], prefix = ''): [string, string][] =>
  qs.map((q) => [quantile(q, metric), `${prefix}${percentileName(q)}`]);

export function modelOverview(): Dashboard {
  const b = board(BOARDS.overview)
    .variables(variables(S.requests.name))
    .withRow(row('Service'))
    .withPanel(
      stat('Requests / s', 'Requests proxied to the model server (all statuses).', 'reqps').withTarget(
        prom('A', `sum(rate(${S.requests.name}{${MV}}[${RI}]))`),
      ),
    )
    .withPanel(
      stat('Error ratio', 'Share of requests answered with a 5xx status.', 'percentunit')
        .thresholds(thresholds('green', [0.01, 'orange'], [0.05, 'red']))
        .withTarget(
          prom(
            'A',
            `sum(rate(${S.requests.name}{${MV}, status=~"5.."}[${RI}])) / sum(rate(${S.requests.name}{${MV}}[${RI}]))`,
          ),
        ),
    )
    .withPanel(
      stat('p99 latency', 'Request duration as clients see it, 99th percentile.', 's')
        .thresholds(thresholds('green', [0.25, 'orange'], [1, 'red']))
        .withTarget(prom('A', quantile(0.99, S.requestDuration.name))),
    )
    .withPanel(
      stat(
        'Handed to humans',
        'Share of predictions below the confidence threshold in the latest exporter window (routed to a human).',
        'percentunit',
      )
        .thresholds(thresholds('green', [0.2, 'orange'], [0.4, 'red']))
        .withTarget(prom('A', `max(${E.lowConfidenceShare.name}{${MV}})`)),
    )
    .withPanel(
      timeseries(
        'Traffic by status',
        'Requests per second by the HTTP status the client received.',
        'reqps',
      ).withTarget(prom('A', `sum by (status) (rate(${S.requests.name}{${MV}}[${RI}]))`, '{{status}}')),
    )
    .withPanel(
      timeseries(
        'Latency',
        'Request duration percentiles (client view) and the latency SLO threshold.',
        's',
      ).targets(proms(...percentiles(S.requestDuration.name, [0.5, 0.95, 0.99]))),
    )
    .withPanel(
      timeseries(
        'Errors',
        'Upstream failures by reason (refused 502, unavailable 503, timeout 504) and NaN / Inf / null outputs.',
        'ops',
      ).targets(
        proms(
          [`sum by (reason) (rate(${S.upstreamErrors.name}{${M}}[${RI}]))`, 'upstream {{reason}}'],
          [`sum by (kind) (rate(${S.invalidOutputs.name}{${MV}}[${RI}]))`, 'output {{kind}}'],
          [`sum by (direction) (rate(${S.unparsed.name}{${M}}[${RI}]))`, 'unparsed {{direction}}'],
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Sidecar overhead',
        "The sidecar's own share of each request (total minus upstream time), against the model server's time.",
        's',
      ).targets(
        proms(
          ...percentiles(S.overhead.name, [0.5, 0.99], 'overhead '),
          ...percentiles(S.upstreamDuration.name, [0.99], 'model server '),
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Latency SLO: slow-request ratio',
        'Share of requests slower than the SLO threshold, over the burn-rate windows the alerts use.',
        'percentunit',
      ).targets(
        proms(
          ...['5m', '1h', '6h'].map((w): [string, string] => [
            `plumbline:sidecar_request_slow_ratio:rate${w}{${M}}`,
            `{{model}} ${w}`,
          ]),
        ),
      ),
    )
    .withPanel(
      timeseries('Payload size', 'Request and response body sizes, 95th percentile.', 'bytes').withTarget(
        prom('A', histogramQuantile(0.95, S.payloadBytes.name, M, ['direction']), '{{direction}} p95'),
      ),
    )
    .withRow(row('Predictions'))
    .withPanel(
      timeseries('Predictions by class', 'Predicted rows per second by class (stacked).', 'ops')
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .withTarget(prom('A', `sum by (class) (rate(${S.predictions.name}{${MV}}[${RI}]))`, '{{class}}'))
        .links([linkTo(BOARDS.drift, 'Data drift')]),
    )
    .withPanel(
      timeseries(
        'Confidence',
        'Mean and 10th percentile of the top-class probability of each predicted row.',
        'percentunit',
      )
        .min(0)
        .max(1)
        .targets(
          proms(
            [
              `sum(rate(${S.confidence.name}_sum{${MV}}[${RI}])) / sum(rate(${S.confidence.name}_count{${MV}}[${RI}]))`,
              'mean',
            ],
            ...percentiles(S.confidence.name, [0.1]),
          ),
        ),
    )
    .withPanel(
      timeseries(
        'Share handed to humans',
        'Share of predictions below the confidence threshold, per exporter window.',
        'percentunit',
      )
        .min(0)
        .max(1)
        .withTarget(perVersion(E.lowConfidenceShare.name)),
    )
    .withPanel(
      timeseries('Regression output', 'Median and 90% band of predicted values (regressors).', 'none')
        .targets(proms(...percentiles(S.regressionOutput.name, [0.05, 0.5, 0.95])))
        .links([linkTo(BOARDS.quality, 'Model quality')]),
    )
    .withRow(row('Recent inferences'))
    .withPanel(
      new TableBuilder()
        .title('Recent inference events')
        .description('The latest captured rows of the selected models, straight from Elasticsearch.')
        .datasource(ELASTICSEARCH)
        .withTarget(
          new EsQuery()
            .refId('A')
            .datasource(ELASTICSEARCH)
            .query('model.name:${model:lucene}')
            .timeField('@timestamp')
            .metrics([new RawDataBuilder().id('1').settings({ size: '100' })]),
        )
        .height(10)
        .span(24),
    );
  return buildBoard(b);
}
