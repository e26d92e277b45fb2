/**
 * createPipeline: the sidecar's event pipeline. The proxy calls `submit()` after each response is written;
 * everything after that happens off the request path.
 *
 *   submit ─▶ per sink: queue (bounded, batches by size and timer)
 *                        └▶ spooling (disk when the sink is down/slow/full; replay when it returns)
 *                             └▶ retry (a few tries with backoff)
 *                                  └▶ counting ─▶ sink (Elasticsearch | Kafka | store | memory | yours)
 *
 * Every sink has its own lane, so a slow Kafka never holds Elasticsearch back. See the README, "Sinks and spool".
 */
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import { SegmentLog, spoolRecord, type FsyncPolicy } from '@plumbline/spool';
import type { Sink, SinkRecord } from '../sinks/sink';
import type { ElasticsearchSinkOptions } from '../sinks/elasticsearch';
import type { KafkaSinkOptions } from '../sinks/kafka';
import { createStoreSink } from '../sinks/store';
import { withCounting } from './counting';
import { createPipelineMetrics, DROP_REASONS, type PipelineMetrics } from './metrics';
import { createQueue, type QueueOptions, type QueuedSink } from './queue';
import { withRetry, type RetryOptions } from './retry';
import { withSpool, type SpoolingOptions, type SpoolingSink } from './spooling';
import { createStopper } from './stopper';

export interface SpoolOptions {
  /** Directory of the spool (created if absent). One running sidecar per directory. */
  dir: string;
  /** Size bound of each sink's replay stream, in bytes. @default 512 MiB */
  maxBytes?: number;
  /** Segment file size. @default 8 MiB */
  segmentBytes?: number;
  /** 'batch': fdatasync after every append (survives power loss); 'never': survives a process kill only. @default 'batch' */
  fsync?: FsyncPolicy;
  /** Size bound of each sink's dead-letter stream (records a backend refused for good). @default 64 MiB */
  deadLetterMaxBytes?: number;
}

export interface StoreOptions {
  /** Size bound of the embedded store; oldest segments are rotated out past it. @default spool.maxBytes */
  maxBytes?: number;
}

/** Retention of captured events (issue #15): what a storing sink and the spool keep. */
export interface RetentionOptions {
  /** Events older than this go: from Elasticsearch (Sink.expire), the spool streams and the store. */
  maxAgeMs: number;
  /** How often the pipeline expires. @default 3600000 (hourly) */
  intervalMs?: number;
  /** The clock (tests pass their own). @default Date.now */
  now?: () => number;
}

/** What one retention pass removed. */
export interface RetentionReport {
  /** Events deleted per storing sink (by name); a sink that could not be asked is missing and logged. */
  sinks: Record<string, number>;
  /** Spool and store records removed (whole segments last written before the cutoff). */
  spoolRecords: number;
}

export interface PipelineOptions {
  /** Elasticsearch sink; batching options here override `queue`. */
  elasticsearch?: ElasticsearchSinkOptions & QueueOptions;
  /** Kafka sink; batching options here override `queue`. */
  kafka?: KafkaSinkOptions & QueueOptions;
  /** More sinks (the in-memory sink, your own); each gets its own queue, retry and spool lane. */
  sinks?: Sink[];
  /** Local spool; without it a down sink's records wait in memory up to queue.maxEvents, then are dropped. */
  spool?: SpoolOptions;
  /**
   * The embedded store the exporter reads (spool dir `store/`). @default on when spool is set and no
   * elasticsearch, kafka or extra sinks are configured.
   */
  store?: boolean | StoreOptions;
  /** Defaults for every sink's queue. */
  queue?: QueueOptions;
  retry?: RetryOptions;
  replay?: SpoolingOptions;
  /** Expire captured events older than an age, on a timer (first pass once the spool is open). @default off */
  retention?: RetentionOptions;
  /** prom-client Registry for the pipeline metrics (from the catalog). @default a private Registry */
  registry?: Registry;
  /** @default silent */
  logger?: Logger;
}

export interface SinkStats {
  name: string;
  /** Records in memory. */
  queued: number;
  /** Records in the spool waiting for replay. */
  spooled: number;
}

export interface EventPipeline {
  /** Hands inference events to every sink. Synchronous, never throws, never waits on I/O. */
  submit(events: InferenceEvent[]): void;
  submitFeedback(events: FeedbackEvent[]): void;
  /** Resolves once everything submitted so far was written, spooled or counted as dropped. */
  flush(): Promise<void>;
  /** Flushes, stops replay (the backlog stays on disk), closes sinks and spool files. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the spool is open and a backlog from an earlier run is replaying. */
  readonly ready: Promise<void>;
  stats(): SinkStats[];
  readonly metrics: PipelineMetrics;
  /** One retention pass now (what the timer runs); rejects only when retention is off. */
  expire(): Promise<RetentionReport>;
}

const DEFAULT_SPOOL_BYTES = 512 * 1024 * 1024;
const DEFAULT_DEAD_LETTER_BYTES = 64 * 1024 * 1024;

interface Lane {
  queue: QueuedSink;
  spooling: SpoolingSink | null;
}

export function createPipeline(options: PipelineOptions): EventPipeline {
  const logger = options.logger ?? pino({ level: 'silent' });
  const metrics = createPipelineMetrics(options.registry);
  const stopper = createStopper();
  const logs: Promise<SegmentLog | null>[] = [];
  let spoolBytes = 0;

  function openLog(
    stream: string,
    maxBytes: number,
    cursor: boolean,
    sinkName: string,
  ): Promise<SegmentLog | null> {
    const spool = options.spool;
    if (!spool) return Promise.resolve(null);
    const opened = SegmentLog.open({
      dir: path.join(spool.dir, stream),
      maxBytes,
      segmentBytes: spool.segmentBytes,
      fsync: spool.fsync,
      cursor,
      onBytes: (delta) => metrics.spoolBytes.set((spoolBytes += delta)),
      onDrop: (records) => {
        if (!cursor) return; // the store rotating its oldest segment is retention, not loss
        metrics.dropped.inc({ sink: sinkName, reason: DROP_REASONS.spoolFull }, records);
        logger.warn({ sink: sinkName, records, stream }, 'spool full: oldest segment dropped');
      },
      onExpire: (records) => {
        // The store's records are the stored events themselves: past the age they go by design.
        if (!cursor) return;
        metrics.dropped.inc({ sink: sinkName, reason: DROP_REASONS.expired }, records);
        logger.warn({ sink: sinkName, records, stream }, 'retention: spooled events expired before replay');
      },
      onCorrupt: (detail) => logger.warn({ ...detail, stream }, 'spool: torn or corrupt tail skipped'),
    }).catch((error: unknown) => {
      logger.error({ err: error, stream }, 'spool stream could not be opened; running without it');
      return null;
    });
    logs.push(opened);
    return opened;
  }

  function lane(sink: Sink, queueOptions: QueueOptions): Lane {
    const spoolDefaults = options.spool;
    const counted = withRetry(withCounting(sink, metrics), options.retry ?? {}, stopper);
    const spooling = spoolDefaults
      ? withSpool(
          counted,
          { batchSize: queueOptions.batchSize, ...options.replay },
          {
            log: openLog(
              path.join('sinks', sink.name),
              spoolDefaults.maxBytes ?? DEFAULT_SPOOL_BYTES,
              true,
              sink.name,
            ),
            deadLetter: openLog(
              path.join('dead-letter', sink.name),
              spoolDefaults.deadLetterMaxBytes ?? DEFAULT_DEAD_LETTER_BYTES,
              false,
              sink.name,
            ),
            metrics,
            logger,
            stopper,
          },
        )
      : null;
    const queue = createQueue(spooling ?? counted, queueOptions, {
      metrics,
      logger,
      overflow: spooling ? (records) => spooling.spill(records) : undefined,
    });
    return { queue, spooling };
  }

  const lanes: Lane[] = [];
  const storingSinks: Sink[] = [];
  const pick = (o: QueueOptions | undefined): QueueOptions => ({
    maxEvents: o?.maxEvents ?? options.queue?.maxEvents,
    batchSize: o?.batchSize ?? options.queue?.batchSize,
    flushIntervalMs: o?.flushIntervalMs ?? options.queue?.flushIntervalMs,
  });
  const addLane = (sink: Sink, queueOptions: QueueOptions): void => {
    if (sink.expire) storingSinks.push(sink);
    lanes.push(lane(sink, queueOptions));
  };
  // Each client is loaded only when its sink is configured: @elastic/elasticsearch is ~8 MB of heap in the capture
  // thread, kafkajs ~1.5 MB (README, Memory).
  if (options.elasticsearch) {
    const { createElasticsearchSink } =
      require('../sinks/elasticsearch') as typeof import('../sinks/elasticsearch');
    const retentionMaxAgeMs = options.elasticsearch.retentionMaxAgeMs ?? options.retention?.maxAgeMs;
    addLane(
      createElasticsearchSink({ ...options.elasticsearch, retentionMaxAgeMs }, logger),
      pick(options.elasticsearch),
    );
  }
  if (options.kafka) {
    const { createKafkaSink } = require('../sinks/kafka') as typeof import('../sinks/kafka');
    const retentionMs = options.kafka.retentionMs ?? options.retention?.maxAgeMs;
    addLane(createKafkaSink({ ...options.kafka, retentionMs }, logger), pick(options.kafka));
  }
  for (const sink of options.sinks ?? []) addLane(sink, pick(undefined));

  const storeWanted =
    options.store === undefined ? lanes.length === 0 && options.spool !== undefined : options.store !== false;
  if (storeWanted && options.spool) {
    const maxBytes =
      (typeof options.store === 'object' ? options.store.maxBytes : undefined) ??
      options.spool.maxBytes ??
      DEFAULT_SPOOL_BYTES;
    const store = createStoreSink(openLog('store', maxBytes, false, 'store'), {
      maxAppendBytes: Math.floor(maxBytes / 4),
      sharesEvents: lanes.length > 0,
    });
    lanes.push({
      // The store has no spool below it: each append takes the whole backlog, so it never falls behind the
      // request path one batch at a time (300,000 events through the sidecar dropped 92,000 before).
      queue: createQueue(
        withCounting(store, metrics),
        { ...pick(undefined), drainAll: true },
        { metrics, logger },
      ),
      spooling: null,
    });
  }

  const ready = Promise.all(logs).then(() => {
    for (const l of lanes) l.spooling?.start();
  });
  let closing: Promise<void> | null = null;

  const retention = options.retention;
  async function expire(): Promise<RetentionReport> {
    if (!retention) throw new Error('retention is off');
    await ready;
    const cutoff = (retention.now ?? Date.now)() - retention.maxAgeMs;
    const report: RetentionReport = { sinks: {}, spoolRecords: 0 };
    for (const sink of storingSinks) {
      try {
        report.sinks[sink.name] = await (sink.expire as (cutoffMs: number) => Promise<number>)(cutoff);
      } catch (error) {
        logger.warn({ sink: sink.name, err: error }, 'retention: the sink could not expire old events');
      }
    }
    for (const log of await Promise.all(logs)) {
      if (!log) continue;
      try {
        report.spoolRecords += (await log.expire(cutoff)).records;
      } catch (error) {
        logger.warn({ err: error }, 'retention: a spool stream could not expire old segments');
      }
    }
    if (report.spoolRecords > 0 || Object.values(report.sinks).some((n) => n > 0)) {
      logger.info({ ...report, cutoff: new Date(cutoff).toISOString() }, 'retention: old events expired');
    }
    return report;
  }
  let retentionTimer: NodeJS.Timeout | undefined;
  if (retention) {
    const pass = () => {
      if (!closing)
        void expire().catch((error: unknown) => logger.warn({ err: error }, 'retention pass failed'));
    };
    void ready.then(pass);
    retentionTimer = setInterval(pass, retention.intervalMs ?? 3_600_000);
    retentionTimer.unref();
  }

  function submitRecords(records: SinkRecord[]): void {
    if (records.length === 0) return;
    for (const l of lanes) {
      try {
        l.queue.submit(records);
      } catch (error) {
        // A bug in the lane (nothing a sink does reaches here: its write runs later, through safeWrite). The
        // other lanes still get the events; this lane's are counted, never lost silently. The whole submit is
        // counted: the queue's state after a throw is unknown, and an over-count is visible where a loss is not.
        // Not handed to the spool instead: part of the submit may be queued already (a duplicate), and the
        // lane's spill is the queue's own code path.
        metrics.dropped.inc({ sink: l.queue.name, reason: DROP_REASONS.submitError }, records.length);
        logger.error(
          { err: error, sink: l.queue.name, count: records.length, reason: DROP_REASONS.submitError },
          'submit to the sink failed; its events are counted as dropped',
        );
      }
    }
  }

  return {
    ready,
    metrics,
    // One record per event, shared by every lane, with room for the event's bytes (spoolRecord).
    submit(events: InferenceEvent[]): void {
      submitRecords(events.map((event) => spoolRecord('inference', event)));
    },
    submitFeedback(events: FeedbackEvent[]): void {
      submitRecords(events.map((event) => spoolRecord('feedback', event)));
    },
    async flush(): Promise<void> {
      await ready;
      await Promise.all(lanes.map((l) => l.queue.flush()));
    },
    expire,
    stats(): SinkStats[] {
      return lanes.map((l) => ({
        name: l.queue.name,
        queued: l.queue.depth,
        spooled: l.spooling?.backlog ?? 0,
      }));
    },
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(retentionTimer);
        await ready;
        // Stop probing first so a down sink is not retried during shutdown: what is left goes to the spool.
        stopper.stop();
        await Promise.all(lanes.map((l) => l.spooling?.stop()));
        await Promise.all(lanes.map((l) => l.queue.close()));
        for (const log of await Promise.all(logs)) await log?.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
