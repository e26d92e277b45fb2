/**
 * Spooling decorator: when a sink is down, slow or full, its records go to a local spool stream on disk instead
 * of being lost, and are replayed — oldest first — once it answers again.
 *
 * - While the stream holds a backlog, new batches are appended behind it (not sent), so the sink sees the
 *   records in spool order and is not hammered while it is down; only the replay loop probes it, with a
 *   backoff from `replayInitialDelayMs` to `replayMaxDelayMs`.
 * - A batch the sink gives back as retryable (after the retry decorator's tries) is appended; so is the
 *   queue's overflow (`spill`), which keeps memory bounded when the sink is slow.
 * - Records the sink refuses for good are appended to the sink's dead-letter stream (for a human to look at)
 *   and counted as dropped{reason}; they are never replayed.
 * - A replayed batch is acknowledged (cursor moved, segment deleted) only after the sink took it. Records of a
 *   replayed batch the sink gives back go to the end of the stream, so one bad record cannot stall the rest.
 * - A full spool can drop the segment of the batch being replayed while the sink is writing it. Those records
 *   are counted by the sink's answer, once: taken → replayed (ack), all given back → dropped{spool_full}
 *   (release), some given back → those go to the end of the stream like any record given back.
 */
import type { Logger } from 'pino';
import {
  SUCCESS,
  retryable,
  type Rejection,
  type Sink,
  type SinkRecord,
  type SinkResult,
} from '../sinks/sink';
import { decodeSpoolRecord, encodeSpoolRecord, type SegmentLog } from '@plumbline/spool';
import { DROP_REASONS, type PipelineMetrics } from './metrics';
import { countRejections } from './queue';
import type { Stopper } from './stopper';

export interface SpoolingOptions {
  /** Records per replayed batch. @default 500 */
  batchSize?: number;
  /** First wait after a failed replay; doubles up to replayMaxDelayMs. @default 250 */
  replayInitialDelayMs?: number;
  /** @default 5000 */
  replayMaxDelayMs?: number;
}

export interface SpoolingDeps {
  log: Promise<SegmentLog | null>;
  deadLetter: Promise<SegmentLog | null>;
  metrics: PipelineMetrics;
  logger: Logger;
  stopper: Stopper;
}

export interface SpoolingSink extends Sink {
  /** Appends records straight to the spool (the queue's overflow). */
  spill(records: SinkRecord[]): void;
  /** Records in the spool waiting for replay (0 until the spool is open). */
  readonly backlog: number;
  /** Starts replaying a backlog left by an earlier run. */
  start(): void;
  /** Stops the replay loop (the backlog stays on disk for the next start). */
  stop(): Promise<void>;
}

export function withSpool(inner: Sink, options: SpoolingOptions, deps: SpoolingDeps): SpoolingSink {
  const name = inner.name;
  const batchSize = options.batchSize ?? 500;
  const initialDelay = options.replayInitialDelayMs ?? 250;
  const maxDelay = options.replayMaxDelayMs ?? 5000;
  let openLog: SegmentLog | null = null;
  let spilling = 0;
  let replaying: Promise<void> | null = null;
  void deps.log.then((log) => (openLog = log));

  async function toSpool(records: readonly SinkRecord[]): Promise<SinkResult> {
    const log = await deps.log;
    if (!log) return retryable(records, new Error('no spool configured'));
    try {
      const { written } = await log.append(records.map((r) => encodeSpoolRecord(r)));
      if (written > 0) deps.metrics.spooled.inc({ sink: name }, written);
      startReplay();
      return SUCCESS;
    } catch (error) {
      deps.logger.error({ sink: name, err: error }, 'spool write failed');
      return retryable(records, error);
    }
  }

  async function deadLetter(rejected: readonly Rejection[]): Promise<void> {
    if (rejected.length === 0) return;
    countRejections(rejected, name, { metrics: deps.metrics, logger: deps.logger });
    const log = await deps.deadLetter;
    if (!log) return;
    try {
      await log.append(
        rejected.map((r) => encodeSpoolRecord(r.record, { reason: r.reason, error: r.error })),
      );
    } catch (error) {
      deps.logger.error({ sink: name, err: error }, 'dead-letter write failed');
    }
  }

  function startReplay(): void {
    if (replaying || deps.stopper.stopped) return;
    replaying = replayLoop()
      .catch(async (error: unknown) => {
        // A disk error, or a segment changed behind our back: log, wait, try again (never spin).
        deps.logger.error({ sink: name, err: error }, 'replay stopped on an error; retrying');
        await deps.stopper.sleep(maxDelay);
      })
      .finally(() => {
        replaying = null;
        if (!deps.stopper.stopped && (openLog?.backlog ?? 0) > 0) startReplay();
      });
  }

  async function replayLoop(): Promise<void> {
    const log = await deps.log;
    if (!log) return;
    let delay = initialDelay;
    while (!deps.stopper.stopped && log.backlog > 0) {
      const batch = await log.read(batchSize);
      if (batch.payloads.length === 0) {
        await log.ack(batch.next);
        if (log.backlog > 0) await deps.stopper.sleep(10);
        continue;
      }
      const records: SinkRecord[] = [];
      for (const payload of batch.payloads) {
        const decoded = decodeSpoolRecord(payload);
        if (decoded) records.push(decoded);
        else deps.metrics.dropped.inc({ sink: name, reason: DROP_REASONS.rejected });
      }
      const result = await inner.write(records);
      if (result.retry.length === records.length && records.length > 0) {
        deps.logger.debug(
          { sink: name, backlog: log.backlog, error: result.error },
          'replay: sink still down',
        );
        // Not delivered: records of the batch that a full spool dropped meanwhile are counted now.
        await log.release();
        await deps.stopper.sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
        continue;
      }
      if (result.retry.length > 0) await log.append(result.retry.map((r) => encodeSpoolRecord(r)));
      await log.ack(batch.next);
      await deadLetter(result.rejected);
      const delivered = records.length - result.retry.length - result.rejected.length;
      if (delivered > 0) deps.metrics.replayed.inc({ sink: name }, delivered);
      if (result.retry.length > 0) {
        // Partly throttled: back off as well, so a sink that keeps refusing some records is not spun on.
        await deps.stopper.sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
      } else {
        delay = initialDelay;
      }
    }
    if (log.backlog === 0) deps.logger.info({ sink: name }, 'spool replayed; sink caught up');
  }

  return {
    name,
    get backlog() {
      return openLog?.backlog ?? 0;
    },
    async write(records: readonly SinkRecord[]): Promise<SinkResult> {
      const log = await deps.log;
      if (log && (log.backlog > 0 || spilling > 0)) return toSpool(records);
      const result = await inner.write(records);
      await deadLetter(result.rejected);
      if (result.retry.length === 0) return SUCCESS;
      deps.logger.warn(
        { sink: name, count: result.retry.length, error: result.error },
        'sink unavailable; spooling',
      );
      return toSpool(result.retry);
    },
    spill(records: SinkRecord[]): void {
      spilling++;
      void toSpool(records)
        .then((result) => {
          if (result.retry.length > 0)
            deps.metrics.dropped.inc({ sink: name, reason: DROP_REASONS.spoolError }, result.retry.length);
        })
        .finally(() => spilling--);
    },
    start(): void {
      startReplay();
    },
    async stop(): Promise<void> {
      deps.stopper.stop();
      await replaying;
    },
    close: () => inner.close(),
  };
}
