/**
 * Kafka as a consumer group (kafkajs). The sidecar keys every message by model name (inference-sidecar/src/
 * sinks/kafka.ts), so all of a model's inference events sit on one partition: exporter instances in one group
 * split the partitions and so split the models — each model is evaluated by exactly one instance, with nothing
 * counted twice.
 *
 * - Inference events are buffered in memory for the window's retention. Offsets are committed by hand, up to
 *   the oldest event still needed: after a rebalance the new owner re-reads exactly the events its windows
 *   need, and the old owner drops that partition's events at once (no double counting, no lost history).
 * - Feedback is small and keyed by model too, but may carry no model (`model: null` → key `unknown`): every
 *   instance reads the whole feedback topic through its own group (`<groupId>.feedback.<instance>`), so a
 *   label reaches the instance that owns its prediction whatever its key. That group is this instance's alone:
 *   `close()` deletes it (so restarts do not pile up stale groups in the broker's group list and in consumer-lag
 *   monitoring), and the inference group too when `temporaryGroup` says it is this source's alone (a baseline
 *   capture). A group left by a crash expires after the broker's `offsets.retention.minutes`.
 * - `owns(model)` maps the model name to its partition with kafkajs's DefaultPartitioner (Java-compatible
 *   murmur2, what the sidecar's producer uses) and checks the current assignment.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage } from 'kafkajs';
import type { KafkaSourceConfig } from '../config';
import { EventBuffer } from './event-buffer';
import { acceptFeedback, acceptInference, parseJson } from './validate-entry';
import {
  SourceError,
  type EventSource,
  type SourceCounters,
  type WindowEvents,
  type WindowQuery,
} from './source';

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

interface PartitionTrack {
  /** Offsets (ascending) and event times of inference messages still buffered. */
  held: { offset: bigint; at: number }[];
  /** Next offset to read. */
  next: bigint | null;
  committed: bigint | null;
}

const partitioner = Partitioners.DefaultPartitioner();

/** The partition the sidecar's producer puts a model's messages on. */
export function partitionForModel(topic: string, model: string, partitions: number): number {
  return partitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key: model, value: null },
  });
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function createKafkaSource(options: KafkaSourceOptions): EventSource {
  const { config, counters } = options;
  const now = options.now ?? Date.now;
  const instance = randomUUID();
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  });
  const buffer = new EventBuffer(config.maxBufferedEvents);
  const inferenceConsumer: Consumer = kafka.consumer({
    groupId: config.groupId,
    allowAutoTopicCreation: false,
  });
  const feedbackGroup = `${config.groupId}.feedback.${instance}`;
  const feedbackConsumer: Consumer = kafka.consumer({
    groupId: feedbackGroup,
    allowAutoTopicCreation: false,
  });
  const admin: Admin = kafka.admin();
  const tracks = new Map<number, PartitionTrack>();
  let assigned = new Set<number>();
  let partitions = 0;
  let joined = false;
  let feedbackJoined = false;
  let feedbackNext = new Map<number, bigint>();

  function track(partition: number): PartitionTrack {
    let t = tracks.get(partition);
    if (!t) tracks.set(partition, (t = { held: [], next: null, committed: null }));
    return t;
  }

  function onInference(partition: number, message: KafkaMessage): void {
    const offset = BigInt(message.offset);
    const t = track(partition);
    t.next = offset + 1n;
    counters.consumed('inference', 1);
    if (!message.value) return counters.invalid('inference', 'empty message');
    const raw = parseJson(message.value.toString('utf8'), 'inference', counters);
    if (raw === undefined) return;
    const event = acceptInference(raw, counters);
    if (!event) return;
    buffer.addInference(event, `p${partition}`);
    t.held.push({ offset, at: Date.parse(event['@timestamp']) });
  }

  function onFeedback(partition: number, message: KafkaMessage): void {
    feedbackNext.set(partition, BigInt(message.offset) + 1n);
    counters.consumed('feedback', 1);
    if (!message.value) return counters.invalid('feedback', 'empty message');
    const raw = parseJson(message.value.toString('utf8'), 'feedback', counters);
    if (raw === undefined) return;
    const event = acceptFeedback(raw, counters);
    if (event) buffer.addFeedback(event, 'feedback');
  }

  /** Drops what the windows no longer need and commits, per partition, the oldest offset still needed. */
  async function evictAndCommit(): Promise<void> {
    const cutoff = now() - options.retentionMs;
    buffer.evict(cutoff);
    const commits: { topic: string; partition: number; offset: string }[] = [];
    for (const partition of assigned) {
      const t = tracks.get(partition);
      if (!t || t.next === null) continue;
      while (t.held.length && t.held[0].at < cutoff) t.held.shift();
      const offset = t.held.length ? t.held[0].offset : t.next;
      if (offset !== t.committed)
        commits.push({ topic: config.inferenceTopic, partition, offset: offset.toString() });
    }
    if (commits.length === 0) return;
    try {
      await inferenceConsumer.commitOffsets(commits);
      for (const c of commits) track(c.partition).committed = BigInt(c.offset);
    } catch (err) {
      options.log?.warn(
        { err: (err as Error).message },
        'kafka offset commit failed (retried next evaluation)',
      );
    }
  }

  async function highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  return {
    kind: 'kafka',
    async start() {
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      try {
        await admin.connect();
        const metadata = await admin.fetchTopicMetadata({
          topics: [config.inferenceTopic, config.feedbackTopic],
        });
        partitions = metadata.topics.find((t) => t.name === config.inferenceTopic)!.partitions.length;
        inferenceConsumer.on(inferenceConsumer.events.GROUP_JOIN, (e) => {
          assigned = new Set(e.payload.memberAssignment[config.inferenceTopic] ?? []);
          for (const p of [...tracks.keys()]) if (!assigned.has(p)) tracks.delete(p);
          buffer.retainTags((tag) => tag === 'feedback' || assigned.has(Number(tag.slice(1))));
          joined = true;
          options.log?.info({ partitions: [...assigned] }, 'kafka partitions assigned');
        });
        feedbackConsumer.on(feedbackConsumer.events.GROUP_JOIN, () => {
          feedbackJoined = true;
        });
        await Promise.all([inferenceConsumer.connect(), feedbackConsumer.connect()]);
        await inferenceConsumer.subscribe({
          topics: [config.inferenceTopic],
          fromBeginning: config.fromBeginning,
        });
        await feedbackConsumer.subscribe({ topics: [config.feedbackTopic], fromBeginning: true });
        await inferenceConsumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => onInference(partition, message),
        });
        await feedbackConsumer.run({
          eachMessage: async ({ partition, message }) => onFeedback(partition, message),
        });
        await waitFor(() => joined && feedbackJoined, timeoutMs, 'joining the consumer groups');
        // Catch up with what was on the topics when we joined, so the first window is complete.
        const [inferenceHigh, feedbackHigh] = await Promise.all([
          highWatermarks(config.inferenceTopic),
          highWatermarks(config.feedbackTopic),
        ]);
        await waitFor(
          () =>
            [...assigned].every((p) => {
              const high = inferenceHigh.get(p) ?? 0n;
              const t = tracks.get(p);
              return high === 0n || (t?.next ?? -1n) >= high || t?.committed === high;
            }) && [...feedbackHigh].every(([p, high]) => high === 0n || (feedbackNext.get(p) ?? -1n) >= high),
          timeoutMs,
          'catching up with the topics',
        );
      } catch (err) {
        await Promise.allSettled([
          inferenceConsumer.disconnect(),
          feedbackConsumer.disconnect(),
          admin.disconnect(),
        ]);
        throw new SourceError(
          'EXPORTER_ERR_SOURCE_UNAVAILABLE',
          `Kafka at ${config.brokers.join(',')} (topics ${config.inferenceTopic}, ${config.feedbackTopic}): ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
    async read(q: WindowQuery): Promise<WindowEvents> {
      await evictAndCommit();
      const { inference, feedback } = buffer.window(q.model, q.version, q.range);
      return { inference, feedback, total: inference.length, truncated: false };
    },
    owns(model: string): boolean {
      return (
        joined && partitions > 0 && assigned.has(partitionForModel(config.inferenceTopic, model, partitions))
      );
    },
    async close() {
      await evictAndCommit().catch(() => undefined);
      await Promise.allSettled([inferenceConsumer.disconnect(), feedbackConsumer.disconnect()]);
      // Both consumers have left, so the groups are empty and can go (best effort: the broker may be gone).
      const groups = options.temporaryGroup ? [feedbackGroup, config.groupId] : [feedbackGroup];
      await admin.deleteGroups(groups).catch((err: unknown) => {
        options.log?.warn({ err, groups }, 'could not delete the consumer groups of this instance');
      });
      await admin.disconnect().catch(() => undefined);
      feedbackNext = new Map();
    },
  };
}
