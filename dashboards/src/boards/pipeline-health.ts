/** Pipeline health: is every event reaching its sink, and is the exporter keeping up. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { EXPORTER_METRICS as E, SIDECAR_METRICS as S } from '@plumbline/schema';
import {
  BOARDS,
  M,
  RATE_INTERVAL as RI,
  board,
  buildBoard,
  histogramQuantile,
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

export function pipelineHealth(): Dashboard {
  const b = board(BOARDS.pipeline)
    .variables(variables(E.lastSuccess.name).slice(0, 1))
    .withRow(row('Sidecar sinks'))
    .withPanel(
      stat('Queued events', 'Events waiting in memory for a sink, all sinks.', 'short')
        .thresholds(thresholds('green', [100, 'orange'], [1000, 'red']))
        .withTarget(prom('A', `sum(${S.sinkQueueDepth.name})`)),
    )
    .withPanel(
      stat('Spool', 'Bytes held in the local spool (events waiting for a sink to come back).', 'bytes')
        .thresholds(thresholds('green', [1, 'orange']))
        .withTarget(prom('A', `sum(${S.spoolBytes.name})`)),
    )
    .withPanel(
      stat('Dropped (1h)', 'Events lost on purpose in the last hour, excluding sampling.', 'short')
        .thresholds(thresholds('green', [1, 'red']))
        .withTarget(prom('A', `sum(increase(${S.dropped.name}{reason!="sampled_out"}[1h])) or vector(0)`)),
    )
    .withPanel(
      stat('Scrape targets up', 'Plumbline processes Prometheus can scrape.', 'short').withTarget(
        prom('A', `sum(up{job=~"plumbline-.*"})`),
      ),
    )
    .withPanel(
      timeseries('Sink queues', 'Events waiting in memory per sink.', 'short').withTarget(
        prom('A', `sum by (sink) (${S.sinkQueueDepth.name})`, '{{sink}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Sink throughput',
        'Events per second acknowledged, spooled and replayed per sink.',
        'ops',
      ).targets(
        proms(
          [`sum by (sink) (rate(${S.sinkWritten.name}[${RI}]))`, 'written {{sink}}'],
          [`sum by (sink) (rate(${S.spooled.name}[${RI}]))`, 'spooled {{sink}}'],
          [`sum by (sink) (rate(${S.replayed.name}[${RI}]))`, 'replayed {{sink}}'],
        ),
      ),
    )
    .withPanel(
      timeseries('Spool size', 'Bytes held in the local spool per sidecar.', 'bytes').withTarget(
        prom('A', `${S.spoolBytes.name}`, '{{instance}}'),
      ),
    )
    .withPanel(
      timeseries('Dropped events', 'Events lost per second by sink and reason.', 'ops').withTarget(
        prom('A', `sum by (sink, reason) (rate(${S.dropped.name}[${RI}]))`, '{{sink}} {{reason}}'),
      ),
    )
    .withPanel(
      timeseries(
        'Captured events and feedback',
        'Inference events captured (one per row) and feedback accepted.',
        'ops',
      ).targets(
        proms(
          [`sum by (model) (rate(${S.events.name}{${M}}[${RI}]))`, 'events {{model}}'],
          [`sum by (model) (rate(${S.feedback.name}{${M}}[${RI}]))`, 'feedback {{model}}'],
        ),
      ),
    )
    .withRow(row('Exporter'))
    .withPanel(
      timeseries(
        'Evaluations',
        'Evaluations per minute by model and failed evaluations by stage.',
        'short',
      ).targets(
        proms(
          [
            `sum by (model) (rate(${E.evaluationDuration.name}_count{${M}}[${RI}])) * 60`,
            'ok+failed {{model}}',
          ],
          [
            `sum by (model, stage) (rate(${E.evaluationErrors.name}{${M}}[${RI}])) * 60`,
            'errors {{model}} {{stage}}',
          ],
        ),
      ),
    )
    .withPanel(
      timeseries('Evaluation duration', 'Time one evaluation of one model takes, p50 and p95.', 's').targets(
        proms(
          ...[0.5, 0.95].map((q): [string, string] => [
            histogramQuantile(q, E.evaluationDuration.name, M, ['model']),
            `${percentileName(q)} {{model}}`,
          ]),
        ),
      ),
    )
    .withPanel(
      timeseries('Time since last evaluation', 'Seconds since the last successful evaluation per model.', 's')
        .thresholds(thresholds('green', [900, 'red']))
        .withTarget(prom('A', `time() - ${E.lastSuccess.name}{${M}}`, '{{model}}')),
    )
    .withPanel(
      timeseries(
        'Events consumed',
        'Events the exporter read per second by source and kind.',
        'ops',
      ).withTarget(
        prom('A', `sum by (source, kind) (rate(${E.eventsConsumed.name}[${RI}]))`, '{{source}} {{kind}}'),
      ),
    )
    .withPanel(
      timeseries('Window size', 'Rows in the latest evaluated window per model.', 'short').withTarget(
        perVersion(E.windowSamples.name, M),
      ),
    )
    .withPanel(
      timeseries(
        'Notifications and retrains',
        'Drift notifications by channel and result; retrain requests by outcome.',
        'short',
      ).targets(
        proms(
          [
            `sum by (channel, result) (increase(${E.notifications.name}[1h]))`,
            'notify {{channel}} {{result}}',
          ],
          [
            `sum by (model, outcome) (increase(${E.retrainRequests.name}{${M}}[1h]))`,
            'retrain {{model}} {{outcome}}',
          ],
        ),
      ),
    );
  return buildBoard(b);
}
