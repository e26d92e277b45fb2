/**
 * Queueing + batching decorator: the only part of the pipeline the request path touches.
 *
 * `submit()` is synchronous and O(records): it appends to a bounded in-memory queue and returns. Batches of
 * `batchSize` leave as soon as they are full, and a partial batch leaves `flushIntervalMs` after its first record
 * arrived (a timer, so a steady trickle is still written on time). One batch is in flight per sink.
 *
 * Bounded memory: when the queue would pass `maxEvents` (the sink is slow or down), the whole queue is handed to
 * `overflow` — the spooling decorator writes it to disk — or, with no spool, the records that do not fit are
 * counted as dropped{reason="queue_full"}; a `drainAll` lane (the local store) instead takes a submit whole while
 * it holds fewer than `maxEvents` and drops it whole once it holds that many. Records the sink gives back as retryable (only when there is no
 * spool below) go back to the head of the queue and are tried again after `flushIntervalMs`.
 */
import type { Logger } from 'pino';
import { safeWrite, type Rejection, type Sink, type SinkRecord } from '../sinks/sink';
import { DROP_REASONS, type PipelineMetrics } from './metrics';

export interface QueueOptions {
  /** Records held in memory per sink before spilling to the spool (or dropping without one). @default 10_000 */
  maxEvents?: number;
  /** Records per write. @default 500 */
  batchSize?: number;
  /** Longest time a record waits in memory for its batch to fill. @default 1000 */
  flushIntervalMs?: number;
  /**
   * Each write takes everything queued (not `batchSize`): while one write is in flight the next batch grows, so a
   * sink whose cost is per write (the local store: one append, one fsync) keeps up with any rate it can write in
   * bulk. For a lane with no spool below it to spill into. @default false
   */
  drainAll?: boolean;
}

export interface QueuedSink {
  readonly name: string;
  /** Records waiting in memory. */
  readonly depth: number;
  submit(records: readonly SinkRecord[]): void;
  /** Resolves once every record submitted so far was handed to the sink (written, spooled or counted). */
  flush(): Promise<void>;
  /** Flushes, then closes the sink below. Later submits are counted as dropped{reason="closed"}. */
  close(): Promise<void>;
}

export interface QueueDeps {
  metrics: PipelineMetrics;
  logger: Logger;
  /** Takes the whole queue when it is over its bound (the spooling decorator's spill). */
  overflow?: (records: SinkRecord[]) => void;
}

export function countRejections(rejected: readonly Rejection[], sink: string, deps: QueueDeps): void {
  const byReason = new Map<string, number>();
  for (const r of rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  for (const [reason, count] of byReason) {
    deps.metrics.dropped.inc({ sink, reason }, count);
    deps.logger.warn({ sink, reason, count, error: rejected[0]?.error }, 'sink refused events; dropped');
  }
}

export function createQueue(sink: Sink, options: QueueOptions, deps: QueueDeps): QueuedSink {
  const maxEvents = options.maxEvents ?? 10_000;
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const name = sink.name;
  let pending: SinkRecord[] = [];
  let timer: NodeJS.Timeout | null = null;
  let due = false;
  let sending: Promise<void> | null = null;
  let closed = false;
  let requeued = false;

  const setDepth = () => deps.metrics.queueDepth.set({ sink: name }, pending.length);
  const drop = (count: number, reason: string) => {
    if (count > 0) deps.metrics.dropped.inc({ sink: name, reason }, count);
  };

  function arm(delayMs: number): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      due = true;
      kick();
    }, delayMs);
    timer.unref();
  }

  function kick(): void {
    if (!sending) sending = pump().finally(() => (sending = null));
  }

  async function pump(): Promise<void> {
    while (pending.length > 0 && (due || pending.length >= batchSize)) {
      const batch = pending.splice(0, options.drainAll ? pending.length : batchSize);
      if (pending.length === 0) due = false;
      setDepth();
      const result = await safeWrite(sink, batch);
      countRejections(result.rejected, name, deps);
      if (result.retry.length > 0) {
        const room = Math.max(0, maxEvents - pending.length);
        const keep = result.retry.slice(0, room);
        drop(result.retry.length - keep.length, DROP_REASONS.queueFull);
        pending = [...keep, ...pending];
        requeued = true;
        setDepth();
        deps.logger.debug(
          { sink: name, retry: keep.length, error: result.error },
          'sink unavailable; requeued',
        );
        due = false;
        if (timer) clearTimeout(timer);
        timer = null;
        arm(flushIntervalMs);
        return;
      }
    }
    if (pending.length > 0) arm(flushIntervalMs);
  }

  return {
    name,
    get depth() {
      return pending.length;
    },
    submit(records: readonly SinkRecord[]): void {
      if (records.length === 0) return;
      if (closed) {
        drop(records.length, DROP_REASONS.closed);
        return;
      }
      if (options.drainAll && !deps.overflow) {
        // The store lane takes a submit whole or not at all: a submit the queue has room for is kept even when it
        // passes maxEvents (one drain of the capture thread — a request of more rows than maxEvents, say — already
        // in memory, bounded by the capture backlog), and the next append writes it all. Trimming it to the bound
        // lost the rows past maxEvents of every such request with the store as the only sink.
        if (pending.length >= maxEvents) drop(records.length, DROP_REASONS.queueFull);
        else for (const r of records) pending.push(r);
        setDepth();
        if (pending.length >= batchSize) kick();
        else if (pending.length > 0) arm(flushIntervalMs);
        return;
      }
      for (const r of records) pending.push(r); // not push(...records): RangeError past ~125,000 arguments
      if (pending.length > maxEvents) {
        if (deps.overflow) {
          const spill = pending;
          pending = [];
          deps.overflow(spill);
        } else {
          drop(pending.length - maxEvents, DROP_REASONS.queueFull);
          pending.length = maxEvents;
        }
      }
      setDepth();
      if (pending.length >= batchSize) kick();
      else if (pending.length > 0) arm(flushIntervalMs);
    },
    async flush(): Promise<void> {
      // One pass over what is queued now; records a sink gives back (no spool) stay queued for the timer.
      let guard = 0;
      while ((pending.length > 0 || sending) && guard++ < 1_000_000) {
        if (sending) {
          await sending;
          continue;
        }
        due = true;
        requeued = false;
        kick();
        await sending;
        if (requeued) break; // the sink is down and there is no spool: the records wait for the timer
      }
    },
    async close(): Promise<void> {
      await this.flush();
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      drop(pending.length, DROP_REASONS.closed);
      if (pending.length > 0) {
        deps.logger.error(
          { sink: name, count: pending.length },
          'sink unavailable at close and no spool; dropped',
        );
      }
      pending = [];
      setDepth();
      await sink.close();
    },
  };
}
