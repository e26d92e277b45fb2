import type { SourceConfig } from '../config';
import { createElasticsearchSource } from './elasticsearch-source';
import { createKafkaSource } from './kafka-source';
import { createSpoolSource } from './spool-source';
import type { EventSource, SourceCounters } from './source';

export { createElasticsearchSource } from './elasticsearch-source';
export { createElasticsearchFollower, DEFAULT_ELASTICSEARCH_LAG_MS } from './elasticsearch-follower';
export type {
  ElasticsearchFollowerOptions,
  ElasticsearchPosition,
  TailCursor,
} from './elasticsearch-follower';
export { createKafkaSource, partitionForModel } from './kafka-source';
export { createSpoolSource } from './spool-source';
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
