/**
 * createExporter(config, deps): the whole exporter wired together but not listening — the evaluation loop
 * (window → source → baseline → drift + quality → /metrics, history, notifications) and the HTTP server.
 * Adapters (the event source, the drift engine) are injected; main.ts builds them from config and listens.
 */
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { ExporterConfig, ModelConfig } from './config';
import { createApiServer, type ExtraHandler, type HealthBody } from './api';
import { createExporterMetrics, createMetricsPublisher, type ExporterMetrics } from './metrics';
import { createNotifier, type Notifier } from './notify';
import type { DriftEngine, LoadedBaseline } from './service/drift-engine';
import { evaluateWindow } from './service/evaluate-window';
import type { ModelWindowReport } from './service/report';
import type { EventKind, EventSource, SourceCounters } from './sources/source';
import { latestWindow, type TimeRange } from './windows';

export interface ExporterLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: ExporterLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ExporterDeps {
  /** Builds the event source; it gets the counters that feed plumbline_exporter_events_*_total. */
  createSource(counters: SourceCounters): EventSource;
  driftEngine: DriftEngine;
  /** @default a new Registry (never the global one) */
  registry?: Registry;
  /** Routes mounted before the exporter's own (e.g. the retrain endpoint's handle). */
  extraHandlers?: readonly ExtraHandler[];
  logger?: ExporterLogger;
  /** @default Date.now */
  now?: () => number;
  /** Called with every window report as it is produced. A throwing callback is logged, never fatal. */
  onReport?: (report: ModelWindowReport) => void;
  /** Where people find the drift report (links in notifications). */
  publicUrl?: string | null;
}

export interface Exporter {
  readonly config: ExporterConfig;
  readonly registry: Registry;
  readonly metrics: ExporterMetrics;
  /** The HTTP server for /metrics and /api; not listening. */
  readonly server: Server;
  readonly source: EventSource;
  /** Evaluates every owned model's latest window that has not been evaluated yet (`force`: again anyway). */
  evaluateOnce(options?: { force?: boolean }): Promise<ModelWindowReport[]>;
  history(model: string): readonly ModelWindowReport[];
  /** Starts the source and (unless `schedule: false`) the schedule, with a first evaluation right away. */
  start(options?: { schedule?: boolean }): Promise<void>;
  /** Stops the schedule, waits for a running evaluation, closes the source. Does not close the server. */
  stop(): Promise<void>;
}

/** How long a loaded baseline is reused before the store is asked again (a newly imported one is picked up). */
const BASELINE_TTL_MS = 5 * 60_000;

interface ModelRuntime {
  history: ModelWindowReport[];
  lastRangeTo: number | null;
  lastEvaluatedAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  baseline: { value: LoadedBaseline | null; loadedAt: number } | null;
}

export function createExporter(config: ExporterConfig, deps: ExporterDeps): Exporter {
  const log = deps.logger ?? silent;
  const now = deps.now ?? Date.now;
  const registry = deps.registry ?? new Registry();
  const metrics = createExporterMetrics(registry);
  const publisher = createMetricsPublisher(metrics);
  const runtimes = new Map<string, ModelRuntime>(
    config.models.map((m) => [
      m.name,
      {
        history: [],
        lastRangeTo: null,
        lastEvaluatedAt: null,
        lastSuccessAt: null,
        lastError: null,
        baseline: null,
      },
    ]),
  );
  let invalidLogged = 0;
  // The label is the source's own kind (known once it is built; the config's kind until then).
  const built: { source?: EventSource } = {};
  const sourceLabel = (): string => built.source?.kind ?? config.source.kind;
  const counters: SourceCounters = {
    consumed: (kind: EventKind, count: number) => {
      if (count > 0) metrics.eventsConsumed.inc({ source: sourceLabel(), kind }, count);
    },
    invalid: (kind: EventKind, error: string) => {
      metrics.eventsInvalid.inc({ source: sourceLabel(), kind });
      invalidLogged += 1;
      // The first few in full, then one line per thousand: a poisoned topic must not flood the log.
      if (invalidLogged <= 10 || invalidLogged % 1000 === 0) {
        log.warn(
          { code: 'EXPORTER_ERR_INVALID_EVENT', kind, error, seen: invalidLogged },
          'invalid event skipped',
        );
      }
    },
  };
  const source = deps.createSource(counters);
  built.source = source;
  const notifier: Notifier = createNotifier({
    config: config.notify,
    metrics,
    generatorUrl: deps.publicUrl ?? null,
    alertTtlSeconds: Math.max(300, 4 * config.schedule.intervalSeconds),
    now,
    log,
  });
  let started = false;
  let sourceError: string | null = null;

  async function baselineFor(model: ModelConfig, rt: ModelRuntime): Promise<LoadedBaseline | null> {
    const at = now();
    if (rt.baseline && rt.baseline.value && at - rt.baseline.loadedAt < BASELINE_TTL_MS)
      return rt.baseline.value;
    const value = await deps.driftEngine.load(model);
    rt.baseline = { value, loadedAt: at };
    return value;
  }

  function record(rt: ModelRuntime, report: ModelWindowReport): void {
    rt.history.push(report);
    if (rt.history.length > config.historySize) rt.history.splice(0, rt.history.length - config.historySize);
  }

  async function evaluateModel(model: ModelConfig, range: TimeRange): Promise<ModelWindowReport | null> {
    const rt = runtimes.get(model.name)!;
    const stageOf = { stage: 'baseline' };
    const versionHint = rt.history[rt.history.length - 1]?.modelVersion ?? model.version;
    rt.lastEvaluatedAt = new Date(now()).toISOString();
    try {
      const baseline = await baselineFor(model, rt);
      stageOf.stage = 'source';
      const events = await source.read({
        model: model.name,
        version: model.version,
        range,
        minimumSamples: config.window.minimumSamples,
      });
      stageOf.stage = 'evaluate';
      const report = evaluateWindow({
        model,
        range,
        windowKind: config.window.kind,
        inference: events.inference,
        feedback: events.feedback,
        samples: events.total,
        baseline,
        minimumSamples: config.window.minimumSamples,
        confidenceThreshold: config.confidenceThreshold,
        maxClasses: config.maxClasses,
        now: now(),
      });
      stageOf.stage = 'publish';
      publisher.publish(report);
      record(rt, report);
      try {
        deps.onReport?.(report);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'onReport callback failed');
      }
      rt.lastRangeTo = range.to;
      rt.lastSuccessAt = report.evaluatedAt;
      rt.lastError = null;
      sourceError = null;
      await notifier.onReport(report);
      log.info(
        {
          model: model.name,
          window: report.window,
          status: report.status,
          samples: report.samples,
          drift: report.drift?.dataset.drift ?? null,
        },
        'window evaluated',
      );
      return report;
    } catch (err) {
      const message = (err as Error).message;
      rt.lastError = message;
      if (stageOf.stage === 'source') sourceError = message;
      publisher.publishError(model.name, versionHint, stageOf.stage);
      log.error(
        { model: model.name, stage: stageOf.stage, code: (err as { code?: string }).code, err: message },
        'evaluation failed',
      );
      return null;
    }
  }

  let chain: Promise<unknown> = Promise.resolve();

  /** Serialized: a scheduled run and a manual one never evaluate the same window twice. */
  function evaluateOnce(options: { force?: boolean } = {}): Promise<ModelWindowReport[]> {
    const run = chain.then(() => evaluateDue(options));
    chain = run.catch(() => undefined);
    return run;
  }

  async function evaluateDue(options: { force?: boolean }): Promise<ModelWindowReport[]> {
    const range = latestWindow(now() - config.window.graceSeconds * 1000, config.window);
    const reports: ModelWindowReport[] = [];
    for (const model of config.models) {
      const rt = runtimes.get(model.name)!;
      if (!source.owns(model.name)) {
        // Another instance of the consumer group owns this model now: stop exporting stale series for it.
        if (publisher.models().includes(model.name)) publisher.forget(model.name);
        continue;
      }
      if (!options.force && rt.lastRangeTo === range.to) continue;
      const report = await evaluateModel(model, range);
      if (report) reports.push(report);
    }
    return reports;
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = evaluateOnce()
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'evaluation loop failed'))
        .finally(() => {
          running = null;
          schedule();
        });
    }, config.schedule.intervalSeconds * 1000);
    timer.unref?.();
  }

  function health(): HealthBody {
    const models = config.models.map((m) => {
      const rt = runtimes.get(m.name)!;
      return {
        model: m.name,
        status: rt.history[rt.history.length - 1]?.status ?? null,
        owned: source.owns(m.name),
        lastEvaluatedAt: rt.lastEvaluatedAt,
        lastSuccessAt: rt.lastSuccessAt,
        lastError: rt.lastError,
      };
    });
    const status: HealthBody['status'] = !started
      ? 'starting'
      : sourceError || models.some((m) => m.lastError)
        ? 'degraded'
        : 'ok';
    return { status, source: source.kind, models };
  }

  const server = createApiServer({
    registry,
    extraHandlers: deps.extraHandlers,
    auth: { token: config.apiToken, reads: config.requireTokenForReads },
    state: {
      history: (model) => runtimes.get(model)?.history ?? [],
      models: () => config.models.map((m) => m.name),
      health,
    },
    onError: (err) => log.error({ err: (err as Error).message }, 'request failed'),
  });

  return {
    config,
    registry,
    metrics,
    server,
    source,
    evaluateOnce,
    history: (model) => runtimes.get(model)?.history ?? [],
    async start(options: { schedule?: boolean } = {}) {
      await source.start();
      started = true;
      if (options.schedule === false) return;
      running = evaluateOnce()
        .catch((err: unknown) => log.error({ err: (err as Error).message }, 'evaluation loop failed'))
        .finally(() => {
          running = null;
          schedule();
        });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await source.close();
      await deps.driftEngine.close?.();
    },
  };
}
