import type { SourceConfig } from '../config';
import { createElasticsearchFollower } from './elasticsearch-follower';
import { createElasticsearchSource } from './elasticsearch-source';
import { createKafkaSource } from './kafka-source';
import { createSpoolSource } from './spool-source';
import type { EventSource, SourceCounters } from './source';
import type { EventFollower } from './follow';
import { createKafkaFollower } from './kafka-follower';
import { createSpoolFollower } from './spool-follower';

export { createElasticsearchSource } from './elasticsearch-source';
export {
  createElasticsearchFollower,
  DEFAULT_ELASTICSEARCH_LAG_MS,
  FEEDBACK_OVERLAP_MS,
} from './elasticsearch-follower';
export type {
  ElasticsearchFollowerOptions,
  ElasticsearchPosition,
  TailCursor,
} from './elasticsearch-follower';
export { createKafkaSource, partitionForModel } from './kafka-source';
export { createKafkaFollower } from './kafka-follower';
export type { KafkaPosition } from './kafka-follower';
export { createSpoolSource } from './spool-source';
export { createSpoolFollower } from './spool-follower';
export type { EventFollower, EventSink, RefoldableSink, ShardedSink, SourcePosition } from './follow';
export { isShardedSink } from './follow';
export { STATE_MAX_MESSAGE_BYTES, createStateTopic } from './state-topic';
export type { StateTopic, StateTopicOptions } from './state-topic';
export { createMemorySource } from './memory-source';
export type { MemorySource } from './memory-source';
export { EventBuffer } from './event-buffer';
export { SourceError } from './source';
export type { EventSource, SourceCounters, WindowQuery, WindowEvents, EventKind } from './source';

export interface CreateSourceOptions {
  counters: SourceCounters;
  retentionMs: number;
  /** Kafka: the consumer group is this source's alone (a one-off read); it is deleted on close. */
  temporaryGroup?: boolean;
  log?: {
    warn(obj: object, msg?: string): void;
    info(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

/** The source the config names. */
export function createSource(config: SourceConfig, options: CreateSourceOptions): EventSource {
  switch (config.kind) {
    case 'elasticsearch':
      return createElasticsearchSource({ config, counters: options.counters });
    case 'kafka':
      return createKafkaSource({
        config,
        counters: options.counters,
        retentionMs: options.retentionMs,
        log: options.log,
        temporaryGroup: options.temporaryGroup,
      });
    case 'spool':
      return createSpoolSource({
        dir: config.dir,
        counters: options.counters,
        retentionMs: options.retentionMs,
        onError: (err) => options.log?.error({ err: (err as Error).message }, 'spool follow failed'),
      });
  }
}

export interface CreateFollowerOptions {
  counters: SourceCounters;
  /** How far back the window store keeps buckets (what a source re-reads when it starts without a checkpoint). */
  retentionMs: number;
  /** The store's bucket width. */
  bucketWidthMs: number;
  /** The watched models (Elasticsearch filters on them). */
  models: readonly { name: string; version: string | null }[];
  /** How far behind now Elasticsearch is tailed (index refresh, sidecar batching). */
  lagMs: number;
  log?: CreateSourceOptions['log'];
}

/** The follower the config names: what the service folds every event from, once. */
export function createFollower(config: SourceConfig, options: CreateFollowerOptions): EventFollower {
  switch (config.kind) {
    case 'elasticsearch':
      return createElasticsearchFollower({
        config,
        counters: options.counters,
        models: options.models,
        retentionMs: options.retentionMs,
        lagMs: options.lagMs,
      });
    case 'kafka':
      return createKafkaFollower({
        config,
        counters: options.counters,
        retentionMs: options.retentionMs,
        bucketWidthMs: options.bucketWidthMs,
        log: options.log,
      });
    case 'spool':
      return createSpoolFollower({
        dir: config.dir,
        counters: options.counters,
        onError: (err) => options.log?.error({ err: (err as Error).message }, 'spool follow failed'),
      });
  }
}
