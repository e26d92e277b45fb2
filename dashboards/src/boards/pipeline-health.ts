/**
 * Pipeline health: is every event reaching its sink, is the exporter keeping up, and does each process (sidecar,
 * exporter) have the CPU, memory and event loop it needs.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  EXPORTER_METRICS as E,
  EXPORTER_PROCESS_METRICS,
  SIDECAR_METRICS as S,
  SIDECAR_PROCESS_METRICS,
} from '@plumbline/schema';
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

/** The two services' process metrics, with the legend prefix that tells them apart. */
const PROCESSES = [
  ['sidecar', SIDECAR_PROCESS_METRICS],
  ['exporter', EXPORTER_PROCESS_METRICS],
] as const;

/** One query per service, per scrape target: `expr(metrics of that service)`, legend `<service> <instance>`. */
function perProcess(expr: (p: (typeof PROCESSES)[number][1]) => string): ReturnType<typeof proms> {
  return proms(...PROCESSES.map(([service, p]): [string, string] => [expr(p), `${service} {{instance}}`]));
}

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
    )
    // prom-client's default metrics (docs/metrics.md, "Process metrics"). The sidecar's event loop, heap and GC are
    // its proxy thread's; CPU and memory are the whole process's.
    .withRow(row('Process'))
    .withPanel(
      timeseries(
        'CPU',
        'CPU time per second of each sidecar and exporter process, user and system, all threads (1 = one core).',
        'percentunit',
      ).targets(perProcess((p) => `sum by (instance) (rate(${p.cpu.name}[${RI}]))`)),
    )
    .withPanel(
      timeseries(
        'Resident memory',
        'Resident memory (RSS) of each sidecar and exporter process.',
        'bytes',
      ).targets(perProcess((p) => `sum by (instance) (${p.residentMemory.name})`)),
    )
    .withPanel(
      timeseries(
        'Event-loop delay p99',
        '99th percentile of the event-loop delay between scrapes (the sidecar: its proxy thread). Samples ' +
          'include the 10 ms sampling interval; the PlumblineEventLoopLagHigh alert fires above 0.2 s for 10 minutes.',
        's',
      )
        .thresholds(thresholds('green', [0.2, 'red']))
        .targets(perProcess((p) => `max by (instance) (${p.eventLoopLagP99.name})`)),
    )
    .withPanel(
      timeseries(
        'GC time',
        'Share of time spent in garbage collection pauses, all kinds (the sidecar: its proxy thread).',
        'percentunit',
      ).targets(perProcess((p) => `sum by (instance) (rate(${p.gcDuration.name}_sum[${RI}]))`)),
    );
  return buildBoard(b);
}
