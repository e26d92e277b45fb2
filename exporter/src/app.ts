/**
 * createExporter(config, deps): the whole exporter wired together but not listening — the followed source folding
 * every event once into the window store (windows/store/), and the evaluation loop (sync the source → merge the
 * window's buckets → drift + quality against the baseline → /metrics, history, notifications, checkpoint) and the
 * HTTP server. Adapters (the event follower, the drift engine) are injected; main.ts builds them from config and
 * listens.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { InferenceEvent } from '@plumbline/schema';
import type { ExporterConfig, ModelConfig } from './config';
import { createApiServer, type ExtraHandler, type HealthBody } from './api';
import {
  TALLY_BUCKET_MS,
  createLabelHorizonStore,
  withLabelHorizon,
  type LabelHorizonStore,
} from './label-horizon';
import { createExporterMetrics, createMetricsPublisher, type ExporterMetrics } from './metrics';
import { createNotifier, type Notifier } from './notify';
import { confidenceLimits, handedToPeople, reviewRoutes, type ReviewService } from './review';
import type { DriftEngine, LoadedBaseline } from './service/drift-engine';
import { evaluateSlices, type SlicesReport } from './service/evaluate-slices';
import { evaluateWindow } from './service/evaluate-window';
import { shadowReport, type ShadowReport } from './service/shadow-report';
import type { ModelWindowReport } from './service/report';
import type { EventFollower, RefoldableSink } from './sources/follow';
import type { EventKind, SourceCounters } from './sources/source';
import type { StateTopic } from './sources/state-topic';
import { bucketSecondsFor, latestWindow, retentionMs, type TimeRange } from './windows';
import { createKeyedWindows, type KeyedWindows } from './windows/keyed';
import { createShadowPairs, type ShadowPairs } from './windows/shadow';
import { estimateSchemaOf, type EstimateSchema } from './windows/buckets/estimate-state';
import { calibrationFromJson } from './quality/estimate';
import {
  createCheckpointer,
  createLabelJoinCompanion,
  createShardedWindowStore,
  createWindowStore,
  type Checkpointer,
  type CheckpointSection,
  type ShardedWindowStore,
  type SkipReason,
  type WindowStore,
} from './windows/store';

export interface ExporterLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: ExporterLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ExporterDeps {
  /** Builds the event follower; it gets the counters that feed plumbline_exporter_events_*_total. */
  createSource(counters: SourceCounters): EventFollower;
  driftEngine: DriftEngine;
  /** @default a new Registry (never the global one) */
  registry?: Registry;
  /** Routes mounted before the exporter's own (e.g. the retrain endpoint's handle). */
  extraHandlers?: readonly ExtraHandler[];
  logger?: ExporterLogger;
  /** @default Date.now */
  now?: () => number;
  /** Seed of this instance's bucket samples. @default random */
  seed?: number;
  /** Called with every window report as it is produced. A throwing callback is logged, never fatal. */
  onReport?: (report: ModelWindowReport) => void;
  /** Where people find the drift report (links in notifications). */
  publicUrl?: string | null;
  /** With `source.scaleOut`: the state topic the instances share their partitions' buckets through. */
  stateTopic?: StateTopic;
  /**
   * The review queue (exporter/src/review/): null when the source cannot serve one (Kafka alone: its routes
   * answer 501); absent: no review routes.
   */
  review?: ReviewService | null;
}

/** An exporter scaled out over several instances (`source.scaleOut`, README "Scale out"). */
export interface ScaleOut {
  readonly store: ShardedWindowStore;
  /** Publishes the buckets of this instance's partitions that changed (normally every checkpoint.intervalSeconds). */
  publish(): Promise<void>;
  /** Waits until every record on the state topic when called has been read (done before each evaluation). */
  catchUp(): Promise<void>;
}

export interface Exporter {
  readonly config: ExporterConfig;
  readonly registry: Registry;
  readonly metrics: ExporterMetrics;
  /** The HTTP server for /metrics and /api; not listening. */
  readonly server: Server;
  readonly source: EventFollower;
  /** Every event folded once, per model and bucket. */
  readonly store: WindowStore;
  /** Null unless `source.scaleOut` is set. */
  readonly scaleOut: ScaleOut | null;
  /** The window state per version and per segment (null when neither is on, or with `source.scaleOut`). */
  readonly slices: KeyedWindows | null;
  /** The latest evaluation of a model's versions and segments (null before the first). */
  latestSlices(model: string): SlicesReport | null;
  /** The latest comparison of a model's shadow traffic with its primary's (null before the first, or without any). */
  latestShadow(model: string): ShadowReport | null;
  /**
   * The label horizon store (late labels, realized tallies per model and five-minute bucket of prediction time:
   * `tallies(model, from, to)`); null before start, after stop, and with `source.scaleOut`.
   */
  labelHorizon(): LabelHorizonStore | null;
  /** Evaluates every owned model's latest window that has not been evaluated yet (`force`: again anyway). */
  evaluateOnce(options?: { force?: boolean }): Promise<ModelWindowReport[]>;
  history(model: string): readonly ModelWindowReport[];
  /** Starts the source and (unless `schedule: false`) the schedule, with a first evaluation right away. */
  start(options?: { schedule?: boolean }): Promise<void>;
  /** Writes a checkpoint now (when `checkpoint.dir` is set). */
  checkpoint(): Promise<void>;
  /** Stops the schedule, waits for a running evaluation, closes the source, writes a last checkpoint. Does not
   * close the server. */
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
  slices: SlicesReport | null;
  shadow: ShadowReport | null;
}

/**
 * The window store's bucket width and retention for a config: buckets that divide every window boundary, kept for
 * the window plus one step, the grace and one bucket (what a source re-reads when it starts without a checkpoint).
 */
export function windowStoreGeometry(config: ExporterConfig): { bucketWidthMs: number; retentionMs: number } {
  const bucketWidthMs = bucketSecondsFor(config.window) * 1000;
  return {
    bucketWidthMs,
    retentionMs: retentionMs(config.window) + config.window.graceSeconds * 1000 + bucketWidthMs,
  };
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
        slices: null,
        shadow: null,
      },
    ]),
  );
  let invalidLogged = 0;
  // The label is the source's own kind (known once it is built; the config's kind until then).
  const built: { source?: EventFollower } = {};
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
  const { bucketWidthMs, retentionMs: retention } = windowStoreGeometry(config);
  const scaleOutConfig = config.source.kind === 'kafka' ? config.source.scaleOut : null;
  const stateTopic = scaleOutConfig ? deps.stateTopic : undefined;
  if (scaleOutConfig && !stateTopic)
    throw new RangeError('source.scaleOut needs the state topic (deps.stateTopic)');
  // Set by onSkip while the store takes an event: the slices fold only what the model's store folded.
  const skipped = { last: false };
  const storeOptions = {
    models: config.models.map((m) => ({ name: m.name, version: m.version })),
    bucketWidthMs,
    retentionMs: retention,
    bucketSampleSize: config.window.bucketSampleSize,
    windowSampleSize: config.window.sampleSize,
    seed: deps.seed ?? randomInt(2 ** 31),
    dedupe: { horizonMs: config.dedupe.horizonSeconds * 1000, maxIds: config.dedupe.maxIds },
    refoldable: source.kind === 'elasticsearch',
    now,
    onSkip: (reason: SkipReason) => {
      skipped.last = true;
      metrics.eventsSkipped.inc({ source: sourceLabel(), reason });
    },
    companion: (name: string) =>
      withLabelHorizon(
        createLabelJoinCompanion({
          task: config.models.find((m) => m.name === name)!.task,
          bucketWidthMs,
        }),
        name,
        () => horizon,
        horizonFailed,
        () => estimateSchemas.get(name)?.schema ?? null,
      ),
  };
  // Late labels (issue #11): predictions kept on disk for quality.labelHorizon, opened by start(). Not with
  // source.scaleOut: an instance sees only its partitions' predictions (README "Late labels").
  let horizon: LabelHorizonStore | null = null;
  /** Per model, the calibration of its quality baseline (set as baselines load): the horizon's estimate uses it. */
  const estimateSchemas = new Map<string, { quality: unknown; schema: EstimateSchema | null }>();
  let horizonTempDir: string | null = null;
  let horizonErrors = 0;
  /** The store failed (a full disk, say): logged (the first ten, then one in a thousand), the window goes on. */
  function horizonFailed(err: unknown): void {
    horizonErrors += 1;
    if (horizonErrors <= 10 || horizonErrors % 1000 === 0)
      log.error(
        { err: (err as Error).message, dir: horizon?.dir ?? config.quality.dir, failures: horizonErrors },
        'label horizon store failed',
      );
  }
  function openHorizon(): void {
    if (sharded || horizon) return;
    const dir =
      config.quality.dir ??
      (config.checkpoint.dir
        ? join(config.checkpoint.dir, 'label-horizon')
        : (horizonTempDir = mkdtempSync(join(tmpdir(), 'plumbline-label-horizon-'))));
    horizon = createLabelHorizonStore({
      dir,
      models: config.models.map((m) => ({ name: m.name, task: m.task })),
      horizonMs: config.quality.labelHorizon * 1000,
      // A label that came before its prediction waits as long as the window store takes predictions that old.
      pendingWaitMs: retention,
      now,
      onUnjoined: (model, reason) => metrics.labelsUnjoined.inc({ model, reason }),
    });
    log.info(
      { dir, labelHorizonSeconds: config.quality.labelHorizon, temporary: horizonTempDir !== null },
      horizonTempDir
        ? 'label horizon store in a temporary directory (set checkpoint.dir or quality.dir to keep it across restarts)'
        : 'label horizon store opened',
    );
  }
  // Scaled out: the partitions' buckets kept apart and shared through the state topic; else one store.
  const sharded: ShardedWindowStore | null = scaleOutConfig ? createShardedWindowStore(storeOptions) : null;
  const store: WindowStore = sharded ?? createWindowStore(storeOptions);
  // Versions and segments side by side (issues #14, #12): one more window store per slice, fed the events the
  // model's store folds. Not with scale-out: a slice needs every event of its model on one instance.
  const wantsSlices = config.versions.max > 0 || config.models.some((m) => m.segments.length > 0);
  if (sharded && wantsSlices)
    log.warn(
      {},
      'versions and segments are not kept apart with source.scaleOut (each instance sees part of a model)',
    );
  const slices: KeyedWindows | null =
    wantsSlices && !sharded
      ? createKeyedWindows({
          models: config.models.map((m) => ({
            name: m.name,
            version: m.version,
            maxVersions: config.versions.max,
            segments: m.segments,
            segmentTopK: config.segments.topK,
          })),
          bucketWidthMs,
          retentionMs: retention,
          bucketSampleSize: config.sliceBucketSampleSize,
          windowSampleSize: Math.min(config.window.sampleSize, config.sliceBucketSampleSize * 100),
          seed: storeOptions.seed,
          refoldable: storeOptions.refoldable,
          now,
          companion: storeOptions.companion,
          modelStore: store,
          onVersionEvicted: (model, version) => {
            metrics.versionsEvicted.inc({ model });
            log.info({ model, version, max: config.versions.max }, 'version dropped from the window state');
          },
        })
      : null;
  // Shadow traffic (issue #14): shadow rows paired with their primary rows per model. Not with scale-out: the two
  // halves of a pair must meet on one instance.
  const shadows = new Map<string, ShadowPairs>(
    sharded
      ? []
      : config.models.map((m) => [
          m.name,
          createShadowPairs({
            task: m.task,
            bucketWidthMs,
            retentionMs: retention,
            maxRowsPerBucket: config.shadow.maxRowsPerBucket,
            maxShadowVersions: config.shadow.maxVersions,
            regressionTolerance: config.shadow.regressionTolerance,
            now,
          }),
        ]),
  );
  /** The primary rows of the model's configured version (all, without one) and every shadow row: for pairing. */
  function pairShadow(event: InferenceEvent): void {
    const m = config.models.find((x) => x.name === event.model.name);
    if (!m) return;
    if (event.role !== 'shadow' && m.version !== null && event.model.version !== m.version) return;
    shadows.get(m.name)?.inference(event);
  }
  /** What the source feeds: the model's store, then the slices with the events it folded. */
  const storeSink: RefoldableSink = slices
    ? {
        bucketWidthMs: store.bucketWidthMs,
        inference(event) {
          skipped.last = false;
          slices.prepare(event);
          store.inference(event);
          if (!skipped.last) slices.inference(event);
        },
        feedback(event) {
          store.feedback(event);
          slices.feedback(event);
        },
        foldedRows: (model, range) => store.foldedRows(model, range),
        refold(model, startMs, events) {
          for (const e of events) slices.prepare(e);
          store.refold(model, startMs, events);
          slices.refold(model, startMs, events);
        },
      }
    : store;
  /** ... and the shadow pairs with every event (they skip redeliveries themselves). */
  const sink: RefoldableSink =
    shadows.size === 0
      ? storeSink
      : {
          bucketWidthMs: storeSink.bucketWidthMs,
          inference(event) {
            storeSink.inference(event);
            pairShadow(event);
          },
          feedback(event) {
            storeSink.feedback(event);
            if (event.model === null) for (const p of shadows.values()) p.feedback(event);
            else shadows.get(event.model.name)?.feedback(event);
          },
          foldedRows: (model, range) => storeSink.foldedRows(model, range),
          refold(model, startMs, events) {
            storeSink.refold(model, startMs, events);
            for (const e of events) if (e.model.name === model) pairShadow(e);
          },
        };
  // A scaled-out instance is rebuilt from its partitions' committed offsets and the state topic, not a checkpoint.
  if (sharded && config.checkpoint.dir)
    log.warn(
      { dir: config.checkpoint.dir },
      'checkpoint.dir is not used with source.scaleOut (the state topic and the committed offsets restore the window)',
    );
  // Versions, segments and shadow pairs go in the same checkpoint as the model's buckets, at the same source position
  // (issue #14): a restart resumes them with the model's window.
  const sections: CheckpointSection[] = [];
  if (slices)
    sections.push({
      name: 'slices',
      capture: (model) => slices.checkpoint(model),
      restore: (model, saved) => slices.restoreCheckpoint(model, saved),
    });
  if (shadows.size > 0)
    sections.push({
      name: 'shadow',
      capture: (model) => shadows.get(model)?.checkpoint() ?? null,
      restore: (model, saved) => shadows.get(model)?.restoreCheckpoint(saved),
    });
  const checkpointer: Checkpointer | null =
    config.checkpoint.dir && !sharded ? createCheckpointer(config.checkpoint.dir, store, { sections }) : null;
  let lastCheckpointAt = 0;
  let lastPublishAt = 0;
  /** Publishes this instance's changed buckets (at most every checkpoint.intervalSeconds, unless forced). */
  async function maybePublish(force: boolean): Promise<void> {
    if (!sharded || !stateTopic) return;
    const at = now();
    if (!force && at - lastPublishAt < config.checkpoint.intervalSeconds * 1000) return;
    lastPublishAt = at;
    await stateTopic.publish(sharded.stateChanges());
  }
  const scaleOut: ScaleOut | null =
    sharded && stateTopic
      ? { store: sharded, publish: () => maybePublish(true), catchUp: () => stateTopic.catchUp() }
      : null;
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

  /** The model's baseline (reloaded after BASELINE_TTL_MS); a new profile re-schemas the model's buckets. */
  async function baselineFor(model: ModelConfig, rt: ModelRuntime): Promise<LoadedBaseline | null> {
    const at = now();
    if (rt.baseline && rt.baseline.value && at - rt.baseline.loadedAt < BASELINE_TTL_MS)
      return rt.baseline.value;
    const value = await deps.driftEngine.load(model);
    rt.baseline = { value, loadedAt: at };
    slices?.setProfile(model.name, value?.profile ?? null, model.features, value?.knownColumns);
    const quality = value?.profile.quality ?? null;
    if (estimateSchemas.get(model.name)?.quality !== quality)
      estimateSchemas.set(model.name, {
        quality,
        schema: quality ? estimateSchemaOf(calibrationFromJson(quality.calibration)) : null,
      });
    if (store.setProfile(model.name, value?.profile ?? null, model.features, value?.knownColumns))
      log.info(
        { model: model.name, baselineVersion: value?.baselineVersion ?? null },
        'baseline changed: the window is folded anew under it',
      );
    return value;
  }

  function record(rt: ModelRuntime, report: ModelWindowReport): void {
    rt.history.push(report);
    if (rt.history.length > config.historySize) rt.history.splice(0, rt.history.length - config.historySize);
  }

  /** The model's confidence limits as the routing predicate (review/limits.ts). */
  function routingOf(model: ModelConfig) {
    const limits = confidenceLimits(model, config.confidenceThreshold);
    return (predicted: string | number | null, confidence: number | null) =>
      handedToPeople(limits, predicted, confidence);
  }

  async function evaluateModel(model: ModelConfig, range: TimeRange): Promise<ModelWindowReport | null> {
    const rt = runtimes.get(model.name)!;
    const stageOf = { stage: 'baseline' };
    const versionHint = rt.history[rt.history.length - 1]?.modelVersion ?? model.version;
    rt.lastEvaluatedAt = new Date(now()).toISOString();
    try {
      const baseline = await baselineFor(model, rt);
      stageOf.stage = 'evaluate';
      const report = evaluateWindow({
        model,
        range,
        windowKind: config.window.kind,
        window: store.window(model.name, range),
        baseline,
        minimumSamples: config.window.minimumSamples,
        confidenceThreshold: model.confidenceThreshold ?? config.confidenceThreshold,
        toPeople: routingOf(model),
        maxClasses: config.maxClasses,
        now: now(),
      });
      if (horizon) {
        try {
          report.qualityByPredictionTime = {
            labelHorizonSeconds: config.quality.labelHorizon,
            bucketSeconds: TALLY_BUCKET_MS / 1000,
            ranges: horizon.rangeQuality(
              model.name,
              config.quality.ranges,
              config.maxClasses,
              estimateSchemas.get(model.name)?.schema ?? null,
            ),
          };
        } catch (err) {
          // The window's drift and quality stand without it.
          report.qualityByPredictionTime = null;
          horizonFailed(err);
        }
      }
      stageOf.stage = 'publish';
      publisher.publish(report);
      record(rt, report);
      try {
        deps.onReport?.(report);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'onReport callback failed');
      }
      if (slices) evaluateModelSlices(model, range, baseline, rt);
      evaluateModelShadow(model, range, rt);
      rt.lastRangeTo = range.to;
      rt.lastSuccessAt = report.evaluatedAt;
      rt.lastError = null;
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
      publisher.publishError(model.name, versionHint, stageOf.stage);
      log.error(
        { model: model.name, stage: stageOf.stage, code: (err as { code?: string }).code, err: message },
        'evaluation failed',
      );
      return null;
    }
  }

  /** The model's versions and segments, evaluated like its window; a failure is logged and counted, never fatal. */
  function evaluateModelSlices(
    model: ModelConfig,
    range: TimeRange,
    baseline: LoadedBaseline | null,
    rt: ModelRuntime,
  ): void {
    try {
      const report = evaluateSlices({
        model,
        range,
        windowKind: config.window.kind,
        slices: slices!.slices(model.name),
        baseline,
        minimumSamples: config.window.minimumSamples,
        confidenceThreshold: config.confidenceThreshold,
        maxClasses: config.maxClasses,
        now: now(),
        compare: { minimumSamples: config.versions.minimumSamples, alpha: config.versions.alpha },
      });
      rt.slices = report;
      publisher.publishSlices(report);
    } catch (err) {
      metrics.evaluationErrors.inc({ model: model.name, stage: 'slices' });
      log.error(
        { model: model.name, stage: 'slices', err: (err as Error).message },
        'slice evaluation failed',
      );
    }
  }

  /** The model's shadow traffic against its primary's; a failure is logged and counted, never fatal. */
  function evaluateModelShadow(model: ModelConfig, range: TimeRange, rt: ModelRuntime): void {
    const pairs = shadows.get(model.name);
    if (!pairs) return;
    try {
      const w = pairs.window(range, {
        confidenceThreshold: model.confidenceThreshold ?? config.confidenceThreshold,
        maxClasses: config.maxClasses,
      });
      const report = w.versions.length > 0 ? shadowReport(model.name, range, now(), w) : null;
      rt.shadow = report;
      publisher.publishShadow(model.name, report);
    } catch (err) {
      metrics.evaluationErrors.inc({ model: model.name, stage: 'shadow' });
      log.error(
        { model: model.name, stage: 'shadow', err: (err as Error).message },
        'shadow evaluation failed',
      );
    }
  }

  let chain: Promise<unknown> = Promise.resolve();

  /** Serialized: a scheduled run and a manual one never evaluate the same window twice. */
  function evaluateOnce(options: { force?: boolean } = {}): Promise<ModelWindowReport[]> {
    const run = chain.then(() => evaluateDue(options));
    chain = run.catch(() => undefined);
    return run;
  }

  /** Brings the store up to date with the source; a failure is reported per model (stage="source"). */
  async function syncSource(): Promise<boolean> {
    try {
      await source.sync();
      sourceError = null;
      return true;
    } catch (err) {
      sourceError = (err as Error).message;
      log.error(
        { stage: 'source', code: (err as { code?: string }).code, err: sourceError },
        'source sync failed',
      );
      return false;
    }
  }

  /** Scaled out: publishes this instance's buckets, then reads what the others published (failures as the source's). */
  async function shareState(): Promise<boolean> {
    try {
      await maybePublish(false);
      await scaleOut!.catchUp();
      return true;
    } catch (err) {
      sourceError = `state topic: ${(err as Error).message}`;
      log.error({ stage: 'source', err: sourceError }, 'state topic failed');
      return false;
    }
  }

  async function evaluateDue(options: { force?: boolean }): Promise<ModelWindowReport[]> {
    const range = latestWindow(now() - config.window.graceSeconds * 1000, config.window);
    let synced = await syncSource();
    store.evict();
    if (horizon) {
      try {
        horizon.flush();
        const held = horizon.stats();
        metrics.labelHorizonPredictions.set(held.predictions);
        metrics.labelHorizonDiskBytes.set(held.diskBytes);
      } catch (err) {
        horizonFailed(err);
      }
    }
    slices?.evict();
    for (const p of shadows.values()) p.evict();
    if (synced && scaleOut) synced = await shareState();
    const reports: ModelWindowReport[] = [];
    for (const model of config.models) {
      const rt = runtimes.get(model.name)!;
      if (!source.owns(model.name)) {
        // Another instance of the consumer group owns this model now: stop exporting stale series for it, and
        // drop its buckets (if it comes back, the source re-reads what its window needs).
        if (publisher.models().includes(model.name)) publisher.forget(model.name);
        store.forget(model.name);
        slices?.forget(model.name);
        rt.slices = null;
        rt.shadow = null;
        continue;
      }
      if (!options.force && rt.lastRangeTo === range.to) continue;
      if (!synced) {
        rt.lastError = sourceError;
        publisher.publishError(
          model.name,
          rt.history[rt.history.length - 1]?.modelVersion ?? model.version,
          'source',
        );
        continue;
      }
      const report = await evaluateModel(model, range);
      if (report) reports.push(report);
    }
    await maybeCheckpoint(false);
    return reports;
  }

  /** Writes the changed buckets with the source position (at most every checkpoint.intervalSeconds, unless forced). */
  async function maybeCheckpoint(force: boolean): Promise<void> {
    if (!checkpointer || !started) return;
    const at = now();
    if (!force && at - lastCheckpointAt < config.checkpoint.intervalSeconds * 1000) return;
    lastCheckpointAt = at;
    const started_ = performance.now();
    try {
      // The store first: the source position saved must never be ahead of what the store applied (a store that
      // cannot write fails the checkpoint, which keeps the previous one).
      horizon?.flush();
      await checkpointer.write(checkpointer.capture(source.position()));
      metrics.checkpointDuration.observe((performance.now() - started_) / 1000);
    } catch (err) {
      metrics.checkpointErrors.inc();
      log.error({ err: (err as Error).message, dir: config.checkpoint.dir }, 'checkpoint failed');
    }
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
    routes: deps.review === undefined ? [] : reviewRoutes(deps.review, { now }),
    auth: { token: config.apiToken, reads: config.requireTokenForReads },
    state: {
      history: (model) => runtimes.get(model)?.history ?? [],
      models: () => config.models.map((m) => m.name),
      health,
      slices: (model) => runtimes.get(model)?.slices ?? null,
      shadow: (model) => runtimes.get(model)?.shadow ?? null,
      compare: { minimumSamples: config.versions.minimumSamples, alpha: config.versions.alpha },
    },
    onError: (err) => log.error({ err: (err as Error).message }, 'request failed'),
  });

  /** Loads every model's baseline (so its buckets fold under its profile), then the checkpoint, then the source. */
  async function startSource(): Promise<void> {
    for (const model of config.models) {
      try {
        await baselineFor(model, runtimes.get(model.name)!);
      } catch (err) {
        // Folded under the configured features until the baseline loads (the first evaluation retries).
        runtimes.get(model.name)!.baseline = null;
        log.error(
          { model: model.name, code: (err as { code?: string }).code, err: (err as Error).message },
          'baseline not loaded at start',
        );
      }
    }
    openHorizon();
    let position = null;
    if (checkpointer) {
      const restored = await checkpointer.restore(source.kind);
      position = restored.position;
      for (const [model, why] of Object.entries(restored.skipped)) {
        // Its events before the checkpoint's position are not in the store: the window restarts now.
        if (position) store.forget(model, now());
        slices?.forget(model);
        log.warn({ model, reason: why }, 'checkpointed window not restored');
      }
      if (position)
        log.info(
          { dir: config.checkpoint.dir, buckets: restored.restored, sections: restored.sections, position },
          'window checkpoint restored',
        );
    }
    await source.start(sharded ?? sink, position);
    if (sharded && stateTopic) {
      try {
        await stateTopic.start((key, value) => sharded.applyState(key, value));
        await maybePublish(true);
      } catch (err) {
        // Leave the group again: an instance that cannot share its state must not hold partitions.
        await Promise.allSettled([source.close(), stateTopic.close()]);
        throw err;
      }
    }
  }

  return {
    config,
    registry,
    metrics,
    server,
    source,
    store,
    scaleOut,
    slices,
    latestSlices: (model) => runtimes.get(model)?.slices ?? null,
    latestShadow: (model) => runtimes.get(model)?.shadow ?? null,
    labelHorizon: () => horizon,
    evaluateOnce,
    history: (model) => runtimes.get(model)?.history ?? [],
    checkpoint: () => maybeCheckpoint(true),
    async start(options: { schedule?: boolean } = {}) {
      await startSource();
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
      await chain;
      // The last state of this instance's partitions stands in for them until their new owners republish.
      await maybePublish(true).catch((err: unknown) =>
        log.warn({ err: (err as Error).message }, 'last state publish failed'),
      );
      await source.close();
      await stateTopic?.close();
      await maybeCheckpoint(true);
      await horizon?.close();
      horizon = null;
      if (horizonTempDir) rmSync(horizonTempDir, { recursive: true, force: true });
      await deps.driftEngine.close?.();
      await deps.review?.close();
    },
  };
}
