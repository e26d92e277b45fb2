/**
 * Followed sources (issue #18): every event is read ONCE from its source and handed to a sink — the exporter's
 * window store, which folds it into its time bucket at once. Nothing is re-read per evaluation, and a restart
 * resumes from the position saved (in the checkpoint) with the bucket state it matches.
 *
 * - Kafka: a consumer group; the position is the next offset of every assigned partition.
 * - The spool: the sidecar's segment log followed read-only; the position is a SpoolPosition.
 * - Elasticsearch: tailed by time (`@timestamp`, then `event_id` as the tie-breaker), a little behind now so index
 *   refresh and the sidecar's batching are behind it; late-indexed events (a sidecar replaying its spool after an
 *   outage writes old timestamps) are found by comparing the index's per-bucket counts with the folded ones, and
 *   the buckets that differ are re-read whole (`RefoldableSink.refold`).
 */
import type { FeedbackEvent, InferenceEvent } from '@plumbline/schema';
import type { TimeRange } from '../windows/window';

/** Where a followed source delivers validated events. Synchronous: a sink never waits for I/O. */
export interface EventSink {
  inference(event: InferenceEvent): void;
  feedback(event: FeedbackEvent): void;
}

/** A sink whose buckets can be compared with, and rebuilt from, a source that can re-read a time range. */
export interface RefoldableSink extends EventSink {
  /** Width of the buckets (epoch-aligned), ms. */
  readonly bucketWidthMs: number;
  /** Inference rows folded per bucket start (epoch ms) of `model`, for the buckets in [range.from, range.to). */
  foldedRows(model: string, range: TimeRange): ReadonlyMap<number, number>;
  /**
   * Replaces the bucket of `model` that starts at `startMs` by one folded from `events` — every event of that
   * model and bucket the source holds now (the bucket's previous state, duplicates and all, is dropped).
   */
  refold(model: string, startMs: number, events: readonly InferenceEvent[]): void;
}

/**
 * A sink fed by shards (Kafka partitions) that a consumer group splits between instances (`source.scaleOut`): it
 * keeps each shard's state apart, so an instance that takes a shard over rebuilds exactly that shard's state.
 */
export interface ShardedSink extends RefoldableSink {
  /** An inference event read from shard `shard`. */
  inferenceFrom(shard: number, event: InferenceEvent): void;
  /** The shards this instance reads now, of `total` (after each rebalance): the state of the others is let go. */
  assignShards(shards: ReadonlySet<number>, total: number): void;
}

export function isShardedSink(sink: EventSink): sink is ShardedSink {
  return typeof (sink as Partial<ShardedSink>).inferenceFrom === 'function';
}

/** A source's position as JSON (saved in checkpoints). Its shape is the source's own. */
export type SourcePosition = { readonly kind: string } & Record<string, unknown>;

export interface EventFollower {
  readonly kind: 'elasticsearch' | 'kafka' | 'spool' | 'memory';
  /**
   * Reads what the window needs — from `from` (a position this kind of source returned before), else from
   * `now − retention` (Elasticsearch) / the beginning (spool) / the committed offsets (Kafka) — into `sink`,
   * resolves once caught up with what the source held when called, and keeps following in the background.
   * Rejects with a SourceError when the upstream cannot be reached.
   */
  start(sink: RefoldableSink, from: SourcePosition | null): Promise<void>;
  /**
   * Brings the sink up to date now; the exporter calls it before each evaluation. Elasticsearch tails and
   * reconciles here; push-based followers (Kafka, spool) have nothing to do.
   */
  sync(): Promise<void>;
  /**
   * The position just after the last event handed to the sink: a checkpoint saves it with the sink's state, so
   * a restart from it neither loses nor repeats an event. Take it between sink calls (on the event loop).
   */
  position(): SourcePosition;
  /** False when another instance of a consumer group owns this model's events (Kafka). */
  owns(model: string): boolean;
  close(): Promise<void>;
}
