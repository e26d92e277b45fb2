/**
 * Kafka as a one-off range read (`plumbline exporter --capture-baseline` from a Kafka source): the Kafka follower
 * (kafka-follower.ts) delivering into an in-memory EventBuffer that keeps the retention, read back per range. The
 * service itself folds what the follower delivers into its window store instead.
 */
import type { KafkaSourceConfig } from '../config';
import { EventBuffer } from './event-buffer';
import { createKafkaFollower } from './kafka-follower';
import type { EventSource, SourceCounters, WindowEvents, WindowQuery } from './source';

export { partitionForModel } from './kafka-follower';

export interface KafkaSourceOptions {
  config: KafkaSourceConfig;
  counters: SourceCounters;
  retentionMs: number;
  /** Most time start() waits to join the group and catch up with the topics. @default 30000 */
  startTimeoutMs?: number;
  now?: () => number;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** The inference consumer group is this source's alone (a one-off read): delete it on close. @default false */
  temporaryGroup?: boolean;
}

export function createKafkaSource(options: KafkaSourceOptions): EventSource {
  const now = options.now ?? Date.now;
  const buffer = new EventBuffer(options.config.maxBufferedEvents);
  const follower = createKafkaFollower(options);
  return {
    kind: 'kafka',
    start: () => follower.start(buffer.sink(), null),
    async read(q: WindowQuery): Promise<WindowEvents> {
      buffer.evict(now() - options.retentionMs);
      // A model another instance of the group owns now: its events held here (read before the rebalance) are that
      // instance's to report, not this one's.
      if (!follower.owns(q.model)) return { inference: [], feedback: [], total: 0, truncated: false };
      const { inference, feedback } = buffer.window(q.model, q.version, q.range);
      return { inference, feedback, total: inference.length, truncated: false };
    },
    owns: (model) => follower.owns(model),
    close: () => follower.close(),
  };
}
