/**
 * The only place that reads the environment and listens. `startExporter(config)` is what embedders call
 * (`plumbline start` runs the exporter on the spool with the file baseline store this way); `runExporter`
 * is the `plumbline exporter` command: config from flags > PLUMBLINE_* env > file, then serve until a signal.
 */
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics } from '@plumbline/schema';
import { UsageError } from '@plumbline/service-kit';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createExporter, windowStoreGeometry, type Exporter } from './app';
import type { ExtraHandler } from './api';
import type { ModelWindowReport } from './service/report';
import { loadConfig, type ExporterConfig, type FlagValues } from './config';
import { createBaselineDriftEngine, createBaselineStoreFromConfig } from './service/baseline-drift-engine';
import type { DriftEngine } from './service/drift-engine';
import { createFollower, createSource, createStateTopic } from './sources';
import { createRetrainService, parseRetrainConfig, type RetrainService } from './retrain';
import { captureProductionBaseline } from './service/production-baseline';
import { createReviewServiceFromConfig, createReviewStore } from './review';
import { countDataset } from './dataset/export-dataset';
import { datasetExportCommand } from './dataset/command';
import type { RetrainDataset } from './retrain';

export interface StartExporterOptions {
  /** @default the baseline store from config with STATS' drift detector */
  driftEngine?: DriftEngine;
  /** Environment for defaults that live there (the baseline directory). @default process.env */
  env?: NodeJS.ProcessEnv;
  registry?: Registry;
  extraHandlers?: readonly ExtraHandler[];
  /** @default pino at config.logLevel on stdout */
  logger?: Logger;
  /** Called with every window report as it is produced (e.g. a demo printing a line per window). */
  onReport?: (report: ModelWindowReport) => void;
}

export interface RunningExporter {
  /** http://host:port of /metrics and /api */
  url: string;
  port: number;
  exporter: Exporter;
  /** Stops the loop, closes the source and the server. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the source, the loop and the HTTP server from a validated config; resolves once listening. */
export async function startExporter(
  config: ExporterConfig,
  options: StartExporterOptions = {},
): Promise<RunningExporter> {
  const logger = options.logger ?? pino({ name: 'plumbline-exporter', level: config.logLevel });
  const env = options.env ?? process.env;
  const registry = options.registry ?? new Registry();
  // CPU, memory, event-loop delay and GC of this process (EXPORTER_PROCESS_METRICS), on the exporter's /metrics.
  collectProcessMetrics(registry, 'exporter');
  // The retrain endpoint (PLUGINS) shares the registry and is mounted before the exporter's own routes.
  // The webhook's `dataset`: the labelled rows since the last retrain, counted under the export's rules.
  const datasetStore = config.retrain ? createReviewStore(config) : null;
  const dataset = datasetStore
    ? async (model: string, sinceMs: number | null, untilMs: number): Promise<RetrainDataset> => {
        const counts = await countDataset({
          store: datasetStore,
          model,
          from: sinceMs ?? 0,
          to: untilMs,
          source: 'any',
        });
        const since = sinceMs === null ? null : new Date(sinceMs).toISOString();
        const until = new Date(untilMs).toISOString();
        return {
          since,
          until,
          rows: counts.rows,
          humanRows: counts.humanRows,
          export: datasetExportCommand({ model, since, until }),
        };
      }
    : undefined;
  const retrain: RetrainService | null = config.retrain
    ? createRetrainService({
        config: parseRetrainConfig(config.retrain, env, config.apiToken),
        registry,
        log: logger,
        dataset,
      })
    : null;
  const extraHandlers = [...(retrain ? [retrain.handle] : []), ...(options.extraHandlers ?? [])];
  const geometry = windowStoreGeometry(config);
  const exporter = createExporter(config, {
    createSource: (counters) =>
      createFollower(config.source, {
        counters,
        ...geometry,
        models: config.models.map((m) => ({ name: m.name, version: m.version })),
        lagMs: config.window.graceSeconds * 1000,
        log: logger,
      }),
    driftEngine:
      options.driftEngine ??
      createBaselineDriftEngine(createBaselineStoreFromConfig(config.baselineStore, env), config.models),
    registry,
    extraHandlers,
    onReport: options.onReport,
    logger,
    review: createReviewServiceFromConfig(config, { registry }),
    stateTopic:
      config.source.kind === 'kafka' && config.source.scaleOut
        ? createStateTopic({
            ...config.source,
            brokers: config.source.brokers,
            clientId: config.source.clientId,
            topic: config.source.scaleOut.stateTopic,
            groupId: config.source.groupId,
            log: logger,
          })
        : undefined,
  });
  await new Promise<void>((resolve, reject) => {
    exporter.server.once('error', reject);
    exporter.server.listen(config.port, config.host, () => {
      exporter.server.off('error', reject);
      resolve();
    });
  });
  const port = (exporter.server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  try {
    await exporter.start();
  } catch (err) {
    await new Promise<void>((resolve) => exporter.server.close(() => resolve()));
    throw err;
  }
  logger.info(
    { url, source: config.source.kind, models: config.models.map((m) => m.name) },
    'exporter listening',
  );
  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    exporter,
    stop() {
      stopping ??= (async () => {
        await exporter.stop();
        await retrain?.close();
        await datasetStore?.close();
        exporter.server.closeAllConnections();
        await new Promise<void>((resolve) => exporter.server.close(() => resolve()));
      })();
      return stopping;
    },
  };
}

export interface RunExporterOptions {
  configFile?: string;
  flags?: FlagValues;
}

/** `plumbline exporter`: serves until SIGINT / SIGTERM. Config errors throw ConfigError (exit 2). */
export async function runExporter(options: RunExporterOptions): Promise<void> {
  const config = loadConfig({ file: options.configFile, env: process.env, flags: options.flags });
  const running = await startExporter(config);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await running.stop();
}

export interface CaptureBaselineCliOptions {
  configFile?: string;
  flags?: FlagValues;
  /** ISO 8601 times; the range is [from, to). */
  from: string;
  to: string;
  /** Stored under this version (default: each model's version, else 'default'). */
  baselineVersion?: string;
  /** Only this model (default: every configured model). */
  model?: string;
  out?: (line: string) => void;
}

function parseTime(value: string, flag: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new UsageError(`${flag} must be an ISO 8601 time, got "${value}"`, { key: flag });
  }
  return t;
}

/**
 * `plumbline exporter --capture-baseline --from T --to T`: a baseline per model from the production events the
 * configured source holds in [from, to), stored in the configured baseline store.
 */
export async function captureBaselines(options: CaptureBaselineCliOptions): Promise<void> {
  const range = { from: parseTime(options.from, '--from'), to: parseTime(options.to, '--to') };
  const config = loadConfig({ file: options.configFile, env: process.env, flags: options.flags });
  const models = options.model ? config.models.filter((m) => m.name === options.model) : config.models;
  if (models.length === 0) {
    throw new UsageError(`--model ${options.model} is not in the config's models`, { key: '--model' });
  }
  // A capture must not join the running exporters' consumer group (it would take partitions from them).
  const source =
    config.source.kind === 'kafka'
      ? {
          ...config.source,
          groupId: `${config.source.groupId}.capture.${process.pid}.${Date.now()}`,
          fromBeginning: true,
        }
      : config.source;
  const counters = { consumed: () => undefined, invalid: () => undefined };
  const events = createSource(source, {
    counters,
    retentionMs: Date.now() - range.from + 60_000,
    temporaryGroup: config.source.kind === 'kafka',
  });
  const store = createBaselineStoreFromConfig(config.baselineStore, process.env);
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  try {
    await events.start();
    for (const model of models) {
      const stored = await captureProductionBaseline({
        source: events,
        store,
        model,
        range,
        version: options.baselineVersion ?? null,
      });
      out(
        `stored baseline ${stored.model}@${stored.version}: ${stored.profile.rows} rows, ${stored.profile.features.length} columns (${stored.source})`,
      );
    }
  } finally {
    await events.close();
    await store.close?.();
  }
}
