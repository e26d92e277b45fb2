/**
 * Kafka as a consumer group (kafkajs), followed into the window store. The sidecar keys every message by model
 * name (inference-sidecar/src/sinks/kafka.ts), so all of a model's inference events sit on one partition: exporter
 * instances in one group split the partitions and so split the models — each model is folded by exactly one
 * instance, with nothing counted twice.
 *
 * - Every inference message is read once and handed to the sink. The position (saved in the checkpoint with the
 *   buckets it produced) is the next offset of every partition read; a restart resumes exactly there: the consumer
 *   seeks to it, and messages below it that arrive before the seek takes effect are skipped.
 * - Offsets are committed by hand, up to the oldest message whose bucket is still in the retention: an instance
 *   that takes a partition over in a rebalance — or restarts without its checkpoint — re-reads exactly what the
 *   windows of that partition's models need, and the old owner drops those models' buckets (`owns` turns false).
 *   A partition an instance keeps through a rebalance is read on from where it was (kafkajs would resume it from
 *   the committed offset too, folding again what it holds).
 * - Feedback is small and keyed by model too, but may carry no model (`model: null` → key `unknown`): every
 *   instance reads the whole feedback topic through its own group (`<groupId>.feedback.<instance>`), so a label
 *   reaches the instance that owns its prediction whatever its key. Labels are idempotent (the latest per row wins),
 *   so reading them again after a restart counts nothing twice. That group is this instance's alone: `close()`
 *   deletes it, and the inference group too when `temporaryGroup` says it is this source's alone (a baseline
 *   capture). A group left by a crash expires after the broker's `offsets.retention.minutes`.
 * - `owns(model)` maps the model name to its partition with kafkajs's DefaultPartitioner (Java-compatible
 *   murmur2, what the sidecar's producer uses) and checks the current assignment.
 * - With `scaleOut` (the sidecar keys messages by model + request id, so a model is on every partition) the sink
 *   is a sharded store: each event is handed over with its partition and each assignment is announced, so every
 *   instance folds its partitions apart; `owns(model)` then says which instance evaluates the model
 *   (exporter/README.md "Scale out").
 */
import { randomUUID } from 'node:crypto';
import { kafkaClientSettings } from '@plumbline/service-kit';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaMessage } from 'kafkajs';
import type { KafkaSourceConfig } from '../config';
import {
  isShardedSink,
  type EventFollower,
  type RefoldableSink,
  type ShardedSink,
  type SourcePosition,
} from './follow';
import { SourceError, type SourceCounters } from './source';
import { acceptFeedback, acceptInference, parseJson } from './validate-entry';

export interface KafkaFollowerOptions {
  config: KafkaSourceConfig;
  counters: SourceCounters;
  /** How long a bucket's messages stay needed (the window plus one step): what the committed offsets keep. */
  retentionMs: number;
  /** Bucket width of the sink (messages are tracked per bucket for the commits). */
  bucketWidthMs?: number;
  /** Most time start() waits to join the group and catch up with the topics. @default 30000 */
  startTimeoutMs?: number;
  now?: () => number;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** The inference consumer group is this follower's alone (a one-off read): delete it on close. @default false */
  temporaryGroup?: boolean;
}

/** `{ kind: 'kafka', topic, offsets: { <partition>: <next offset> } }` */
export type KafkaPosition = {
  readonly kind: 'kafka';
  readonly topic: string;
  readonly offsets: Readonly<Record<string, string>>;
};

interface PartitionTrack {
  /** First offset per bucket still held, oldest first (one entry per change of bucket). */
  readonly firsts: { bucketEnd: number; offset: bigint }[];
  /** Next offset to read. */
  next: bigint | null;
  committed: bigint | null;
  /** Messages below this offset were folded before the checkpoint this run resumed from: skipped. */
  floor: bigint | null;
}

/** Most per-bucket entries tracked per partition (beyond it, commits stay conservative: older offsets). */
const MAX_TRACKED_BUCKETS = 100_000;

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

function resumeOffsets(from: SourcePosition | null, topic: string): Map<number, bigint> {
  const out = new Map<number, bigint>();
  if (!from) return out;
  const p = from as Partial<KafkaPosition>;
  if (p.kind !== 'kafka' || typeof p.offsets !== 'object' || p.offsets === null)
    throw new RangeError(`not a Kafka position: ${JSON.stringify(from)}`);
  if (p.topic !== topic) return out; // another topic: nothing to resume
  for (const [partition, offset] of Object.entries(p.offsets)) out.set(Number(partition), BigInt(offset));
  return out;
}

export function createKafkaFollower(options: KafkaFollowerOptions): EventFollower {
  const { config, counters } = options;
  const now = options.now ?? Date.now;
  const bucketWidth = options.bucketWidthMs ?? 60_000;
  const instance = randomUUID();
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ...kafkaClientSettings(config, 'source'),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  });
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
  let resume = new Map<number, bigint>();
  let sink: RefoldableSink | null = null;
  /** With `scaleOut`: the sink told which partition each event came from. */
  let sharded: ShardedSink | null = null;

  function track(partition: number): PartitionTrack {
    let t = tracks.get(partition);
    if (!t) tracks.set(partition, (t = { firsts: [], next: null, committed: null, floor: null }));
    return t;
  }

  function onInference(partition: number, message: KafkaMessage): void {
    const offset = BigInt(message.offset);
    const t = track(partition);
    if (t.floor !== null && offset < t.floor) return; // folded before the checkpoint this run resumed from
    t.next = offset + 1n;
    counters.consumed('inference', 1);
    if (!message.value) return counters.invalid('inference', 'empty message');
    const raw = parseJson(message.value.toString('utf8'), 'inference', counters);
    if (raw === undefined) return;
    const event = acceptInference(raw, counters);
    if (!event) return;
    const bucketEnd = (Math.floor(Date.parse(event['@timestamp']) / bucketWidth) + 1) * bucketWidth;
    const last = t.firsts[t.firsts.length - 1];
    if ((!last || last.bucketEnd !== bucketEnd) && t.firsts.length < MAX_TRACKED_BUCKETS)
      t.firsts.push({ bucketEnd, offset });
    if (sharded) sharded.inferenceFrom(partition, event);
    else sink!.inference(event);
  }

  function onFeedback(partition: number, message: KafkaMessage): void {
    feedbackNext.set(partition, BigInt(message.offset) + 1n);
    counters.consumed('feedback', 1);
    if (!message.value) return counters.invalid('feedback', 'empty message');
    const raw = parseJson(message.value.toString('utf8'), 'feedback', counters);
    if (raw === undefined) return;
    const event = acceptFeedback(raw, counters);
    if (event) sink!.feedback(event);
  }

  /** Commits, per partition, the oldest offset whose bucket the windows still need. */
  async function commit(): Promise<void> {
    const cutoff = now() - options.retentionMs;
    const commits: { topic: string; partition: number; offset: string }[] = [];
    for (const partition of assigned) {
      const t = tracks.get(partition);
      if (!t || t.next === null) continue;
      // Entries are in offset order; a bucket behind a newer one stays until the ones before it go (conservative).
      while (t.firsts.length && t.firsts[0].bucketEnd <= cutoff) t.firsts.shift();
      const offset = t.firsts.length ? t.firsts[0].offset : t.next;
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
    async start(target, from) {
      sink = target;
      if (config.scaleOut) {
        if (!isShardedSink(target))
          throw new RangeError(
            'source.scaleOut needs a sink that keeps the partitions apart (a sharded store)',
          );
        sharded = target;
      }
      resume = resumeOffsets(from, config.inferenceTopic);
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      try {
        await admin.connect();
        const metadata = await admin.fetchTopicMetadata({
          topics: [config.inferenceTopic, config.feedbackTopic],
        });
        partitions = metadata.topics.find((t) => t.name === config.inferenceTopic)!.partitions.length;
        inferenceConsumer.on(inferenceConsumer.events.GROUP_JOIN, (e) => {
          const next = new Set(e.payload.memberAssignment[config.inferenceTopic] ?? []);
          for (const p of [...tracks.keys()]) if (!next.has(p)) tracks.delete(p);
          for (const p of next) {
            if (assigned.has(p)) {
              // Kept through the rebalance: kafkajs resumes every assigned partition from its committed offset
              // (the oldest message a window still needs), which would fold again what is folded already — past
              // the dedupe horizon, twice. Continue where this instance was instead.
              const t = tracks.get(p);
              if (t?.next !== null && t?.next !== undefined) {
                t.floor = t.next;
                inferenceConsumer.seek({
                  topic: config.inferenceTopic,
                  partition: p,
                  offset: t.next.toString(),
                });
              }
              continue;
            }
            // Newly ours: resume at the checkpoint's offset when it has one (only once: a partition that comes
            // back after a rebalance starts from the committed offsets, its models' buckets having been dropped).
            const at = resume.get(p);
            resume.delete(p);
            if (at === undefined) continue;
            const t = track(p);
            t.floor = at;
            t.next = at;
            inferenceConsumer.seek({ topic: config.inferenceTopic, partition: p, offset: at.toString() });
          }
          assigned = next;
          sharded?.assignShards(next, partitions);
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
    sync: commit,
    position(): KafkaPosition {
      const offsets: Record<string, string> = {};
      for (const p of assigned) {
        const t = tracks.get(p);
        if (t?.next !== null && t?.next !== undefined) offsets[String(p)] = t.next.toString();
      }
      return { kind: 'kafka', topic: config.inferenceTopic, offsets };
    },
    owns(model: string): boolean {
      return (
        joined && partitions > 0 && assigned.has(partitionForModel(config.inferenceTopic, model, partitions))
      );
    },
    async close() {
      await commit().catch(() => undefined);
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
